"""The JSON API: its answers, its errors, its contract (the OpenAPI description) and its cost."""

import json

import pytest
from django.test import Client, RequestFactory
from django.urls import get_resolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from ccs_archive.views import server_error
from meetings.models import Meeting, Recommendation
from meetings.open_data.openapi import DOCUMENT
from meetings.search.engine import search_recommendations

from .search_plan import search_planning_queries

pytestmark = pytest.mark.django_db

API = "/api/v1"
FR_MEETING = "/fr/reunions/2023-10-03-l-avenir-de-service-canada-partie-2/"
EN_MEETING = "/en/meetings/2023-10-03-the-future-of-service-canada-part-2/"


def validator(path, status):
    """The JSON Schema the OpenAPI description gives for ``path``'s answers with ``status``."""
    response = DOCUMENT["paths"][path]["get"]["responses"][str(status)]
    schema = response["content"]["application/json"]["schema"]
    return Draft202012Validator({**schema, "components": DOCUMENT["components"]})


def get(client, path, params=None, status=200, *, template=None):
    """GET an API address, check the answer against the contract, and return its data."""
    response = client.get(f"{API}{path}", params or {})
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    data = json.loads(response.content)
    validator(template or path, status).validate(data)
    return data


def all_pages(client, path, params):
    """Follow the next links to the end."""
    data = get(client, path, params)
    results = data["results"]
    while data["next"]:
        data = json.loads(client.get(data["next"].removeprefix("http://testserver")).content)
        results += data["results"]
    return results


def site_ids(query, language="fr", **options):
    results = search_recommendations(query, language, **options)
    ids = []
    for number in results.page.paginator.page_range:
        page = search_recommendations(query, language, page=number, **options).page
        ids += [hit.recommendation.pk for hit in page.object_list]
    return ids


# The contract


def test_openapi_description_is_served_and_its_schemas_are_valid(client):
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    document = json.loads(response.content)
    assert document["openapi"].startswith("3.1")
    assert document["servers"] == [{"url": "http://testserver/api/v1"}]
    for schema in document["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)


def test_openapi_description_covers_every_endpoint():
    api_patterns = get_resolver().url_patterns
    include = next(p for p in api_patterns if getattr(p, "namespace", None) == "api")
    routes = {str(p.pattern) for p in include.url_patterns if p.name not in ("openapi", "not_found")}
    documented = {
        path.lstrip("/").replace("{id}", "<int:pk>").replace("{code}", "<slug:code>")
        for path in DOCUMENT["paths"]
    }
    assert routes == documented


def test_root_links_every_list_and_the_documentation(client):
    data = get(client, "/")
    assert data["meetings"] == "http://testserver/api/v1/meetings/"
    assert data["documentation"] == {
        "fr": "http://testserver/fr/donnees-ouvertes/",
        "en": "http://testserver/en/open-data/",
    }
    for name in ("meetings", "recommendations", "committees", "openapi"):
        assert client.get(data[name].removeprefix("http://testserver")).status_code == 200


# Meetings


def test_meetings_are_listed_newest_first_in_both_languages(client, newest_meeting):
    data = get(client, "/meetings/")
    assert data["count"] == 6 and data["next"] is None and data["previous"] is None
    assert [m["date"] for m in data["results"]] == sorted((m["date"] for m in data["results"]), reverse=True)
    first = data["results"][0]
    assert first["id"] == newest_meeting.pk
    assert first["title"] == {
        "fr": "L'avenir de Service Canada (Partie 2)",
        "en": "The future of Service Canada (Part 2)",
    }
    assert first["url"] == {"fr": f"http://testserver{FR_MEETING}", "en": f"http://testserver{EN_MEETING}"}
    assert first["theme_count"] == 5 and first["recommendation_count"] == 16
    assert first["api_url"] == f"http://testserver/api/v1/meetings/{newest_meeting.pk}/"


@pytest.mark.parametrize(
    "params, dates",
    [
        ({"year": "2022"}, ["2022-04-13", "2022-01-31"]),
        ({"from": "2022-01-31", "to": "2023-01-19"}, ["2023-01-19", "2022-04-13", "2022-01-31"]),
        ({"from": "2023-04-03"}, ["2023-10-03", "2023-04-03"]),
        ({"to": "2021-12-31"}, ["2021-11-29"]),
        ({"year": "2023", "to": "2023-06-30"}, ["2023-04-03", "2023-01-19"]),
        ({"committee": "ccs", "year": "2021"}, ["2021-11-29"]),
        ({"committee": "other"}, []),
        ({"year": "1999"}, []),
    ],
)
def test_meetings_filter_by_date_year_and_committee(client, params, dates):
    assert [m["date"] for m in get(client, "/meetings/", params)["results"]] == dates


def test_meeting_detail_holds_its_themes_and_recommendations_in_order(client, newest_meeting):
    data = get(client, f"/meetings/{newest_meeting.pk}/", template="/meetings/{id}/")
    assert data["committee"]["code"] == "ccs"
    assert [theme["position"] for theme in data["themes"]] == [1, 2, 3, 4, 5]
    assert sum(len(theme["recommendations"]) for theme in data["themes"]) == 16
    recommendation = newest_meeting.themes.get(position=2).recommendations.get(position=3)
    item = data["themes"][1]["recommendations"][2]
    assert item["id"] == recommendation.pk
    assert item["text"] == {"fr": recommendation.text_fr, "en": recommendation.text_en}
    assert item["url"] == {
        "fr": f"http://testserver{recommendation.get_absolute_url('fr')}",
        "en": f"http://testserver{recommendation.get_absolute_url('en')}",
    }


# Recommendations


def test_recommendations_without_a_query_are_the_whole_archive_newest_first(client):
    results = all_pages(client, "/recommendations/", {"page_size": "25"})
    assert len(results) == len({r["id"] for r in results}) == 108
    assert results[0]["meeting"]["date"] == "2023-10-03" and results[-1]["meeting"]["date"] == "2021-11-29"


@pytest.mark.parametrize("sort", ["relevance", "newest", "oldest"])
def test_recommendation_search_gives_the_search_page_hits_in_order(client, sort):
    french = get(
        client, "/recommendations/", {"q": "passeport", "lang": "fr", "sort": sort, "page_size": "100"}
    )
    assert [r["id"] for r in french["results"]] == site_ids("passeport", sort=sort, only_page_language=True)
    assert french["problem"] is None
    both = get(client, "/recommendations/", {"q": "données", "sort": sort, "page_size": "100"})
    assert [r["id"] for r in both["results"]] == site_ids("données", sort=sort)
    english = get(
        client,
        "/recommendations/",
        {"q": "data", "lang": "en", "year": "2022", "sort": sort, "page_size": "100"},
    )
    assert [r["id"] for r in english["results"]] == site_ids(
        "data", "en", sort=sort, year=2022, only_page_language=True
    )


def test_recommendations_filter_by_meeting(client, newest_meeting):
    data = get(client, "/recommendations/", {"meeting": newest_meeting.pk, "sort": "oldest"})
    assert data["count"] == 16
    assert {r["meeting"]["id"] for r in data["results"]} == {newest_meeting.pk}


def test_a_search_that_cannot_run_says_why(client):
    data = get(client, "/recommendations/", {"q": "les des", "lang": "fr"})
    assert data["count"] == 0 and data["problem"] == "stop_words"
    assert get(client, "/recommendations/", {"q": "-données"})["problem"] == "only_excluded"


def test_recommendation_detail(client, newest_meeting):
    recommendation = newest_meeting.themes.first().recommendations.first()
    data = get(client, f"/recommendations/{recommendation.pk}/", template="/recommendations/{id}/")
    assert data["text"]["en"] == recommendation.text_en
    assert data["meeting"]["id"] == newest_meeting.pk
    assert data["theme"]["title"]["fr"] == recommendation.theme.title_fr


def test_committees(client):
    data = get(client, "/committees/")
    assert [c["code"] for c in data["results"]] == ["ccs"]
    committee = data["results"][0]
    assert committee["name"] == {
        "fr": "Comité consultatif sur les services",
        "en": "Service Advisory Committee",
    }
    assert committee["original_language"] == "fr"
    assert get(client, "/committees/ccs/", template="/committees/{code}/")["acronym"] == {
        "fr": "CCS",
        "en": "SAC",
    }
    meetings = json.loads(client.get(committee["meetings_url"].removeprefix("http://testserver")).content)
    assert meetings["count"] == 6


# Pagination


def test_pages_link_to_each_other_and_cover_everything_once(client):
    first = get(client, "/recommendations/", {"page_size": "10", "q": "services"})
    assert first["page"] == 1 and first["previous"] is None
    assert first["next"].startswith("http://testserver/api/v1/recommendations/?")
    second = json.loads(client.get(first["next"].removeprefix("http://testserver")).content)
    assert second["page"] == 2
    assert second["previous"].startswith("http://testserver/api/v1/recommendations/?")
    results = all_pages(client, "/recommendations/", {"page_size": "10", "q": "services"})
    assert [r["id"] for r in results] == site_ids("services")
    assert len(results) == first["count"]


def test_page_size_is_capped(client):
    data = get(client, "/meetings/", {"page_size": "101"}, status=400, template="/meetings/")
    assert data["error"]["code"] == "invalid_parameters"
    assert list(data["error"]["fields"]) == ["page_size"]
    assert get(client, "/meetings/", {"page_size": "100"})["page_size"] == 100


def test_a_page_past_the_end_is_not_found(client):
    data = get(client, "/meetings/", {"page": "2"}, status=404)
    assert data["error"]["code"] == "page_not_found"


# Errors


def test_bad_parameters_are_named_in_both_languages(client):
    data = get(client, "/meetings/", {"from": "03/10/2023", "year": "deux", "to": "2023-02-30"}, status=400)
    fields = data["error"]["fields"]
    assert set(fields) == {"from", "to", "year"}
    assert fields["year"][0]["message"] == {
        "fr": "Saisissez un nombre entier.",
        "en": "Enter a whole number.",
    }
    assert data["error"]["message"]["fr"] != data["error"]["message"]["en"]


def test_a_reversed_date_range_is_refused(client):
    data = get(client, "/meetings/", {"from": "2023-01-01", "to": "2022-01-01"}, status=400)
    assert data["error"]["fields"]["to"][0]["code"] == "invalid_range"


@pytest.mark.parametrize(
    "path",
    [
        "/meetings/999999/",
        "/meetings/99999999999999999999999/",
        "/recommendations/999999/",
        "/committees/nothing/",
        "/nothing/",
        "/meetings/abc/",
        "/meetings/%00/",
    ],
)
def test_unknown_addresses_are_json_404s(client, path):
    response = client.get(f"{API}{path}")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    Draft202012Validator({"$ref": "#/components/schemas/Error", **DOCUMENT}).validate(
        json.loads(response.content)
    )


@pytest.mark.parametrize("path", ["/api/v2/meetings/", "/api/", "/api", "/api/v1/meetings"])
def test_addresses_outside_the_api_versions_are_json_404s_too(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_other_methods_are_refused_in_json(client, method):
    response = getattr(client, method)(f"{API}/meetings/", data="{}", content_type="application/json")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert json.loads(response.content)["error"]["code"] == "method_not_allowed"


def test_options_answers_for_cors(client):
    response = client.options(f"{API}/recommendations/")
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response["Access-Control-Allow-Methods"]


def test_server_errors_are_json_on_the_api_only():
    factory = RequestFactory()
    api_response = server_error(factory.get("/api/v1/meetings/"))
    assert api_response.status_code == 500
    assert json.loads(api_response.content)["error"]["code"] == "server_error"
    page_response = server_error(factory.get("/fr/reunions/"))
    assert page_response.status_code == 500
    assert page_response["Content-Type"].startswith("text/html")


# Drafts


def test_drafts_never_appear_in_the_api(client, newest_meeting):
    recommendation = newest_meeting.themes.first().recommendations.first()
    newest_meeting.is_published = False
    newest_meeting.save()
    assert newest_meeting.pk not in [m["id"] for m in get(client, "/meetings/")["results"]]
    assert get(client, "/meetings/", {"year": "2023"})["count"] == 2
    get(client, f"/meetings/{newest_meeting.pk}/", status=404, template="/meetings/{id}/")
    get(client, f"/recommendations/{recommendation.pk}/", status=404, template="/recommendations/{id}/")
    everything = all_pages(client, "/recommendations/", {"page_size": "100"})
    assert len(everything) == 92
    assert all(r["meeting"]["id"] != newest_meeting.pk for r in everything)
    found = get(client, "/recommendations/", {"q": "intelligence artificielle", "page_size": "100"})[
        "results"
    ]
    assert all(r["meeting"]["id"] != newest_meeting.pk for r in found)
    assert get(client, "/recommendations/", {"meeting": newest_meeting.pk})["count"] == 0


# Cost


# One query reads the archive's revision (the answer's validators), one counts,
# one fetches the page with everything it shows (and one its recommendations'
# subjects). A search first reads the subjects' terms (and the ids under a
# subject it names: "données" names Data); ranking by relevance then reads the
# candidates, their text and their subjects among those the query names (the
# same search as the page, relaxed alike); a date sort reads the candidates alone.
@pytest.mark.parametrize(
    "path, params, queries",
    [
        ("/meetings/", {}, 3),
        ("/meetings/", {"year": "2023", "page_size": "100"}, 3),
        ("/recommendations/", {"page_size": "100"}, 4),
        ("/recommendations/", {"q": "services", "lang": "all", "page_size": "100"}, 7),
        ("/recommendations/", {"q": "données", "sort": "newest"}, 7),
        ("/committees/", {}, 3),
    ],
)
def test_list_endpoints_run_a_fixed_number_of_queries(
    client, django_assert_num_queries, add_meetings, path, params, queries
):
    if "q" in params:
        queries += search_planning_queries(params)
    with django_assert_num_queries(queries):
        assert client.get(f"{API}{path}", params).status_code == 200
    add_meetings(3, "2023-11-01", recommendations=3)
    with django_assert_num_queries(queries):
        assert client.get(f"{API}{path}", params).status_code == 200


def test_detail_endpoints_run_a_fixed_number_of_queries(client, django_assert_num_queries, newest_meeting):
    # The subjects of the recommendations come in one more query.
    with django_assert_num_queries(5):
        client.get(f"{API}/meetings/{newest_meeting.pk}/")
    recommendation = Recommendation.objects.filter(theme__meeting=newest_meeting).first()
    with django_assert_num_queries(3):
        client.get(f"{API}/recommendations/{recommendation.pk}/")


# Arbitrary input


# NUL, control characters, very long values, markup and script, and text of any kind.
NASTY_TEXT = st.one_of(
    st.text(),
    st.text(alphabet=st.characters(max_codepoint=0x9F), max_size=30),
    st.sampled_from(
        [
            "\x00",
            "pass\x00eport",
            "\x1b[31m",
            "<script>alert(1)</script>",
            '"><img src=x onerror=alert(1)>',
            "'; DROP TABLE meetings_meeting; --",
            "%00",
            "../../etc/passwd",
            "2023-10-03\x00",
            "１２",
            "-1",
            "0",
            "9" * 30,
            "1e3",
            "\u202e\ufeff",
        ]
    ),
    st.builds(
        lambda piece, times: piece * times,
        st.sampled_from(["a", "é", "\x00", "<", "9", '"']),
        st.integers(500, 20000),
    ),
)

# With the real values mixed in, so that the arbitrary ones meet working searches too.
RECOMMENDATION_PARAMETERS = st.fixed_dictionaries(
    {},
    optional={
        "q": st.one_of(
            NASTY_TEXT, st.sampled_from(["passeport", "données -automatisation", '"service canada"'])
        ),
        "lang": st.one_of(NASTY_TEXT, st.sampled_from(["all", "fr", "en"])),
        "sort": st.one_of(NASTY_TEXT, st.sampled_from(["relevance", "newest", "oldest"])),
        "year": st.one_of(NASTY_TEXT, st.sampled_from(["2022", "2023"])),
        "meeting": st.one_of(NASTY_TEXT, st.sampled_from(["1", "2"])),
        "page": st.one_of(NASTY_TEXT, st.sampled_from(["1", "2"])),
        "page_size": st.one_of(NASTY_TEXT, st.sampled_from(["1", "100"])),
    },
)
MEETING_PARAMETERS = st.fixed_dictionaries(
    {},
    optional={
        "from": st.one_of(NASTY_TEXT, st.sampled_from(["2022-01-01"])),
        "to": st.one_of(NASTY_TEXT, st.sampled_from(["2023-12-31"])),
        "year": st.one_of(NASTY_TEXT, st.sampled_from(["2022"])),
        "committee": st.one_of(NASTY_TEXT, st.sampled_from(["ccs"])),
        "page": NASTY_TEXT,
        "page_size": NASTY_TEXT,
    },
)

# Each example makes a request and validates the answer against the schema: a
# quarter of the profile's examples (see conftest.py), 150 in CI.
ARBITRARY = settings(
    max_examples=settings.default.max_examples // 4,
    deadline=None,
    database=None,
    # The examples only read the archive, so sharing the test's database is safe; the long
    # values are meant to be large.
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)


def check_arbitrary(path, params):
    response = Client().get(f"{API}{path}", params)
    assert response.status_code in (200, 400, 404), response.content[:500]
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    validator(path, response.status_code).validate(json.loads(response.content))


@ARBITRARY
@given(params=RECOMMENDATION_PARAMETERS)
def test_any_recommendation_parameters_give_a_documented_answer(params):
    check_arbitrary("/recommendations/", params)


@ARBITRARY
@given(params=MEETING_PARAMETERS)
def test_any_meeting_parameters_give_a_documented_answer(params):
    check_arbitrary("/meetings/", params)


@settings(ARBITRARY, max_examples=settings.default.max_examples // 12)
@given(params=st.dictionaries(NASTY_TEXT, NASTY_TEXT, max_size=3))
def test_any_parameters_on_the_other_endpoints_give_a_documented_answer(params):
    for path in ("/", "/committees/"):
        check_arbitrary(path, params)
    newest = Meeting.objects.get(date="2023-10-03")
    response = Client().get(f"{API}/meetings/{newest.pk}/", params)
    assert response.status_code == 200
    validator("/meetings/{id}/", 200).validate(json.loads(response.content))


@pytest.mark.parametrize(
    "path, name",
    [
        ("/meetings/", "page"),
        ("/meetings/", "page_size"),
        ("/meetings/", "from"),
        ("/meetings/", "to"),
        ("/meetings/", "year"),
        ("/meetings/", "committee"),
        ("/recommendations/", "lang"),
        ("/recommendations/", "sort"),
        ("/recommendations/", "year"),
        ("/recommendations/", "meeting"),
        ("/committees/", "page"),
    ],
)
def test_an_empty_typed_parameter_is_refused_by_name(client, path, name):
    response = client.get(f"{API}{path}?{name}=")
    assert response.status_code == 400
    error = json.loads(response.content)["error"]
    assert list(error["fields"]) == [name]
    assert error["fields"][name][0]["code"] == "empty"
    assert error["fields"][name][0]["message"]["fr"] == "Ce paramètre n’a pas de valeur."


def test_an_empty_query_still_lists_every_recommendation(client):
    response = client.get(f"{API}/recommendations/?q=")
    assert response.status_code == 200
    assert json.loads(response.content)["more"] is False


def test_a_common_word_lists_the_newest_matches_and_says_there_are_more(client, monkeypatch):
    monkeypatch.setattr("meetings.search.engine.CANDIDATES", 5)
    document = json.loads(client.get(f"{API}/recommendations/", {"q": "services"}).content)
    assert document["count"] == 5
    assert document["more"] is True
    monkeypatch.undo()
    everything = json.loads(client.get(f"{API}/recommendations/", {"q": "services"}).content)
    assert everything["count"] > 5
    assert everything["more"] is False


def test_the_api_counts_every_match_as_the_search_page_does(client, monkeypatch):
    from meetings.search.engine import search_recommendations

    monkeypatch.setattr("meetings.search.engine.CANDIDATES", 5)
    document = json.loads(client.get(f"{API}/recommendations/", {"q": "services", "lang": "fr"}).content)
    page = search_recommendations("services", "fr", only_page_language=True)
    assert document["count"] == 5 and document["matches"] == page.total > 5
    assert document["matches_estimated"] is False
    monkeypatch.setattr("meetings.search.engine.COUNT_BOUND", 10)
    monkeypatch.setattr("meetings.search.engine.SAMPLE_EVERY", 2)
    estimated = json.loads(client.get(f"{API}/recommendations/", {"q": "services", "lang": "fr"}).content)
    page = search_recommendations("services", "fr", only_page_language=True)
    assert estimated["matches_estimated"] is True and page.estimated
    assert estimated["matches"] == page.total


def test_every_enforced_limit_is_in_the_openapi_description(client):
    document = json.loads(client.get(f"{API}/openapi.json").content)
    parameters = {
        parameter["name"]: parameter["schema"]
        for parameter in document["paths"]["/meetings/"]["get"]["parameters"]
    }
    assert parameters["page"]["maximum"] == 10**9
    assert parameters["page_size"]["maximum"] == 100
    assert parameters["committee"]["minLength"] == 1
    assert (
        "1,000"
        in document["components"]["schemas"]["RecommendationPage"]["properties"]["more"]["description"]
    )
