"""The search page as a person uses it, including every kind of bad input."""

import re

import pytest

from .search_plan import search_planning_queries

pytestmark = pytest.mark.django_db


def get(client, path="/fr/recherche/", **params):
    return client.get(path, params)


def text(response):
    return response.content.decode()


def test_empty_search_shows_the_form_and_tips_not_every_record(client):
    for params in ({}, {"q": ""}, {"q": "    "}):
        response = get(client, **params)
        assert response.status_code == 200
        page = text(response)
        assert "Conseils de recherche" in page
        assert "<mark>" not in page
        assert 'class="hits"' not in page


def test_results_page_shows_count_highlights_theme_meeting_and_permalink(client):
    page = text(get(client, q="intelligence artificielle"))
    # Seven hold the words; an eighth, on automation, is indexed under the subject.
    assert "8 recommandations correspondent à «\u00a0intelligence artificielle\u00a0»" in page
    assert "<mark>intelligence</mark> <mark>artificielle</mark>" in page
    assert "Thème\u00a0: Efficacités grâce à l&#x27;automatisation" in page
    assert '<time datetime="2023-10-03">3 octobre 2023</time>' in page
    assert re.search(r'href="/fr/reunions/2023-10-03-l-avenir-de-service-canada-partie-2/#r5-\d+"', page)


def test_each_hit_links_to_its_recommendation_its_meeting_and_its_subjects(client):
    """The addresses a page reverses once for several hits are each hit's own, in both languages."""
    from django.utils import translation

    from meetings.models import Recommendation, Subject

    for language, path, query in (("fr", "/fr/recherche/", "données"), ("en", "/en/search/", "data")):
        page = text(get(client, path, q=query))
        with translation.override(language):
            recommendations = {
                r.get_absolute_url(): r for r in Recommendation.objects.select_related("theme__meeting")
            }
            subjects = {s.get_absolute_url() for s in Subject.objects.all()}
        hits = re.findall(r'<article class="hit">(.*?)</article>', page, re.S)
        assert len(hits) > 2
        meetings = set()
        for hit in hits:
            address = re.search(r'<a class="number" href="([^"]+)">', hit).group(1)
            recommendation = recommendations[address]
            meeting = recommendation.theme.meeting
            with translation.override(language):
                assert f'<a href="{meeting.get_absolute_url()}">' in hit
            meetings.add(meeting.pk)
            assert set(re.findall(r'<a href="([^"]+/)">', hit)) - {address.split("#")[0]} <= subjects
        # Several hits of one meeting: the address reversed once served each of them.
        assert len(meetings) < len(hits)


def test_english_results_page(client):
    page = text(get(client, "/en/search/", q="artificial intelligence"))
    assert "recommendations match “artificial intelligence”" in page
    assert "<mark>artificial</mark> <mark>intelligence</mark>" in page
    assert "October 3, 2023" in page


def test_facets_link_to_filtered_searches_and_filters_can_be_removed(client):
    page = text(get(client, q="données"))
    assert 'href="?q=donn%C3%A9es&amp;year=2022"' in page
    filtered = text(get(client, q="données", year="2022"))
    assert "Filtres actifs" in filtered
    assert 'href="?q=donn%C3%A9es">Retirer le filtre\u00a0: année 2022</a>' in filtered
    assert '<strong aria-current="true">2022' in filtered


def test_facets_keep_the_other_parameters_in_their_order_and_start_from_the_first_page(client):
    page = text(client.get("/fr/recherche/?sort=newest&q=donn%C3%A9es+%26+co&page=2&meeting=999999&lang=all"))
    # The meeting filter (of no meeting) leaves nothing: its link is the one way back.
    assert 'href="?sort=newest&amp;q=donn%C3%A9es+%26+co&amp;lang=all">Retirer le filtre' in page
    page = text(client.get("/fr/recherche/?sort=newest&q=donn%C3%A9es&page=2&lang=all"))
    assert 'href="?sort=newest&amp;q=donn%C3%A9es&amp;lang=all&amp;year=2022"' in page
    assert re.search(r'href="\?sort=newest&amp;q=donn%C3%A9es&amp;lang=all&amp;meeting=\d+"', page)


@pytest.mark.parametrize(
    "query",
    [
        "q=a",
        "year=2021&q=a+b&page=3&sort=newest",
        "q=x&q=y&year=1&year=2&meeting=7",
        "q=%26%3D%3F+%22z%22%C3%A9",
    ],
)
def test_a_facet_address_is_what_querystring_would_make(rf, query):
    from django.template import engines

    from meetings.views import narrowed

    request = rf.get(f"/fr/recherche/?{query}")
    template = engines["django"].from_string(
        "{% autoescape off %}{% querystring year=2022 page=None %}{% endautoescape %}"
    )
    assert narrowed(request.GET, "year")(2022) == template.render({}, request)


def test_pagination_links_keep_query_sort_and_filters(client):
    page = text(get(client, q="services", sort="newest", lang="all"))
    assert 'href="?q=services&amp;sort=newest&amp;lang=all&amp;page=2" rel="next"' in page


def test_suggestion_is_offered_as_a_link(client):
    page = text(get(client, q="inteligence"))
    assert "Vouliez-vous dire\u00a0:" in page
    assert 'href="?q=intelligence">intelligence</a>' in page
    assert "Aucune recommandation ne correspond" in page


def test_toggle_keeps_the_search(client):
    page = text(get(client, q="données", year="2022"))
    assert 'href="/en/search/?q=donn%C3%A9es&amp;year=2022" lang="en"' in page


@pytest.mark.parametrize(
    "query",
    [
        "les des",
        "-",
        '"',
        '""',
        "- -- OR",
        "\x00passeport\x00",
        "pass\x07eport\x1b",
        "'; DROP TABLE meetings_recommendation; --",
        "1 OR 1=1",
        "%' OR '1'='1",
        "données:*",
        "a & b | !c <-> d",
        "NEAR(a b)",
        "{text_fr}: x",
        "*",
        "((((",
    ],
)
def test_odd_queries_get_a_page_not_an_error(client, query):
    response = get(client, q=query)
    assert response.status_code == 200
    assert "Rechercher dans les recommandations" in text(response)


def test_script_in_the_query_is_shown_back_escaped(client):
    payload = '<script>alert("x")</script>'
    page = text(get(client, q=payload))
    assert payload not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


def test_very_long_query_is_shortened_politely(client):
    response = get(client, q="passeport " * 1000)
    assert response.status_code == 200
    assert "seuls ses 200 premiers caractères" in text(response)


def test_only_stop_words_explains_why(client):
    page = text(get(client, q="les des"))
    assert "Aucune recherche n'a été faite" in page


@pytest.mark.parametrize(
    "params",
    [
        {"q": "données", "page": "abc"},
        {"q": "données", "page": "0"},
        {"q": "données", "page": "-3"},
        {"q": "données", "sort": "price"},
        {"q": "données", "year": "abc"},
        {"q": "données", "year": "99999999999999999999999"},
        {"q": "données", "meeting": "x"},
        {"q": "données", "lang": "de"},
    ],
)
def test_malformed_parameters_get_a_400_with_a_clear_message(client, params):
    response = get(client, **params)
    assert response.status_code == 400
    page = text(response)
    assert "Cette recherche n'a pas pu être lue" in page
    assert "Faire une nouvelle recherche" in page


def test_a_page_past_the_end_shows_the_last_page(client):
    response = get(client, q="données", page="999999")
    assert response.status_code == 200
    # 43 hits: the last page starts at the 41st.
    assert '<ol class="hits" start="41">' in text(response)


def test_unknown_year_or_meeting_finds_nothing_politely(client):
    for params in ({"year": "1999"}, {"meeting": "999999"}):
        response = get(client, q="données", **params)
        assert response.status_code == 200
        assert "Aucune recommandation ne correspond" in text(response)


def test_repeated_parameters_are_tolerated(client):
    response = client.get("/fr/recherche/?q=passeport&q=donn%C3%A9es&page=1&page=2&sort=newest&sort=oldest")
    assert response.status_code == 200


def test_search_page_query_count_is_fixed(client, django_assert_num_queries, add_meetings):
    # The archive's revision (the page's ETag); the page's "Date modified"; the subjects' terms; the candidates; their text,
    # with what the page shows of them; the hits' subjects; the meetings of the facets. A query that
    # names a subject ("données": Data) reads the ids under it, and which of the
    # candidates are; a year filter reads the year facet without it.
    cases = (
        ({"q": "données", "year": "2022"}, 10, "2024-01-01"),
        ({"q": "services", "lang": "all"}, 7, "2024-02-01"),
    )
    for params, queries, first_day in cases:
        queries += search_planning_queries(params)
        with django_assert_num_queries(queries):
            assert get(client, **params).status_code == 200
        add_meetings(2, first_day, recommendations=3)
        with django_assert_num_queries(queries):
            assert get(client, **params).status_code == 200


def test_a_long_misspelt_query_costs_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    misspelt = " OR ".join(["inteligense", "numerik", "pasepor", "donnés", "clints", "servise"] * 3)
    with django_assert_max_num_queries(22):
        assert get(client, q=misspelt).status_code == 200


def test_a_very_common_word_is_counted_though_only_the_newest_are_ranked(client, monkeypatch):
    from meetings.search import engine

    total = engine.search_recommendations("services", "fr").total
    monkeypatch.setattr(engine, "CANDIDATES", 5)
    monkeypatch.setattr(engine, "ESTIMATED_BEST_BELOW", 10)
    page = text(get(client, q="services"))
    assert f"{total} recommandations correspondent à «\u00a0services\u00a0»" in page
    assert "Seules les plus récentes, 5, sont classées par pertinence" in page
    assert page.count('<article class="hit">') == 5


def test_a_word_with_fewer_matches_ranks_those_estimated_best(client, monkeypatch):
    from meetings.search import engine

    total = engine.search_recommendations("services", "fr").total
    monkeypatch.setattr(engine, "CANDIDATES", 5)
    page = text(get(client, q="services"))
    assert f"{total} recommandations correspondent à «\u00a0services\u00a0»" in page
    assert "les 5 qui correspondent le mieux selon une première estimation sont classées" in page
    assert "plus récentes" not in page
    assert page.count('<article class="hit">') == 5
    english = text(get(client, path="/en/search/", q="services"))
    assert "the 5 that match best at a first estimate are ranked" in english


def test_past_the_count_bound_the_page_says_about(client, monkeypatch):
    from meetings.search import engine

    monkeypatch.setattr(engine, "CANDIDATES", 5)
    monkeypatch.setattr(engine, "COUNT_BOUND", 10)
    monkeypatch.setattr(engine, "SAMPLE_EVERY", 2)
    page = text(get(client, q="services"))
    assert "Environ " in page and "recommandations correspondent à «\u00a0services\u00a0»" in page
    assert "Au-delà de 10 résultats, les nombres sont estimés" in page
    assert "(environ " in page
    english = text(get(client, path="/en/search/", q="services"))
    assert "About " in english and "Past 10 matches, counts are estimated" in english


@pytest.mark.parametrize(
    "language, value, estimated, shown",
    [
        ("fr", 1234, False, "1234"),
        ("fr", 12345, True, "environ 12\u00a0000"),
        ("fr", 99, True, "environ 99"),
        ("en", 1234, False, "1234"),
        ("en", 1234567, True, "about 1,200,000"),
    ],
)
def test_a_facet_says_about_only_of_an_estimate(language, value, estimated, shown):
    from django.template import Context, Template
    from django.utils import translation

    from meetings.search.engine import Count

    with translation.override(language):
        rendered = Template("{% load archive %}{{ count|match_count }}").render(
            Context({"count": Count(value, estimated=estimated)})
        )
    assert rendered == shown


@pytest.mark.parametrize(
    ("language", "shown"),
    [("fr", "3 décembre 2024"), ("en", "December 3, 2024")],
)
def test_a_date_reads_in_the_page_language_however_often_it_is_shown(language, shown):
    import datetime

    from django.template import Context, Template
    from django.utils import translation

    template = Template('{% load archive %}{{ day|long_date }}|{{ day|date:"DATE_FORMAT" }}')
    for other in ("en", "fr", language):
        with translation.override(other):
            rendered = template.render(Context({"day": datetime.date(2024, 12, 3)}))
    assert rendered == f"{shown}|{shown}"
