import io
import json
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from meetings.models import Meeting, MeetingSlug

pytestmark = pytest.mark.django_db

FR_MEETING = "/fr/reunions/2023-10-03-l-avenir-de-service-canada-partie-2/"
EN_MEETING = "/en/meetings/2023-10-03-the-future-of-service-canada-part-2/"


def html(response):
    return response.content.decode()


def toggle_href(response):
    match = re.search(r'<nav class="language-toggle"[^>]*>\s*<a href="([^"]+)"', html(response))
    return match.group(1)


def test_root_follows_accept_language(client):
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="en-CA,en;q=0.9")["Location"] == "/en/meetings/"
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="fr-CA")["Location"] == "/fr/reunions/"


def test_root_falls_back_to_french(client):
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="de-DE,es;q=0.8")["Location"] == "/fr/reunions/"
    assert client.get("/")["Location"] == "/fr/reunions/"


def test_listing_shows_meetings_newest_first_with_dates_in_french(client):
    page = html(client.get("/fr/reunions/"))
    assert '<html lang="fr">' in page
    assert '<time datetime="2023-10-03">3 octobre 2023</time>' in page
    assert '<time datetime="2021-11-29">29 novembre 2021</time>' in page
    assert page.index("3 octobre 2023") < page.index("3 avril 2023") < page.index("29 novembre 2021")
    assert "L&#x27;avenir de Service Canada (Partie 2)" in page
    assert "5 thèmes" in page and "16 recommandations" in page
    assert '<h2 id="year-2022">2022</h2>' in page


def test_listing_in_english_writes_dates_the_english_way(client):
    page = html(client.get("/en/meetings/"))
    assert '<html lang="en">' in page
    assert '<time datetime="2023-10-03">October 3, 2023</time>' in page
    assert "The future of Service Canada (Part 2)" in page
    assert "19 recommendations" in page
    assert "unofficial translation of the French original" in page


def test_french_pages_carry_no_translation_notice(client):
    assert "unofficial translation" not in html(client.get("/fr/reunions/"))
    assert "traduction non officielle" not in html(client.get(FR_MEETING))


def test_year_navigation_leads_to_year_pages(client):
    page = html(client.get("/fr/reunions/"))
    for year in (2023, 2022, 2021):
        assert f'href="/fr/reunions/{year}/"' in page
    year_page = html(client.get("/fr/reunions/2022/"))
    assert "<h1>Réunions de 2022</h1>" in year_page
    assert "13 avril 2022" in year_page and "31 janvier 2022" in year_page
    assert "3 octobre 2023" not in year_page
    assert 'href="/fr/reunions/2022/" aria-current="page"' in year_page


def test_a_year_without_meetings_is_not_found(client):
    assert client.get("/fr/reunions/1999/").status_code == 404


def test_listing_is_paginated(client, add_meetings):
    add_meetings(25, "2019-01-01")
    first = html(client.get("/en/meetings/"))
    assert "Page 1 of 2" in first
    assert 'href="?page=2" rel="next"' in first
    second = client.get("/en/meetings/?page=2")
    assert second.status_code == 200
    assert "Meeting summaries, page 2" in html(second)


def test_meeting_page_shows_everything_in_source_order(client):
    page = html(client.get(FR_MEETING))
    assert page.count("<h1>") == 1
    assert "<h1>L&#x27;avenir de Service Canada (Partie 2)</h1>" in page
    assert '<time datetime="2023-10-03">3 octobre 2023</time>' in page
    assert "Comité consultatif sur les services (CCS)" in page
    assert "Donner un aperçu aux membres du CCS" in page
    themes = re.findall(r'<h2 id="t\d-title"><span [^>]+>(\d)\.</span> ([^<]+)</h2>', page)
    assert [number for number, _title in themes] == ["1", "2", "3", "4", "5"]
    assert themes[0][1].startswith("Partenariats avec d&#x27;autres ministères")
    assert themes[4][1].startswith("Efficacités grâce à l&#x27;automatisation")
    assert page.count('class="permalink"') == 16
    assert "Les points de vue offerts dans les résumés" in page


def test_on_this_page_lists_the_numbered_themes(client):
    page = html(client.get(EN_MEETING))
    contents = re.search(r'<nav class="on-this-page".*?</nav>', page, re.S).group()
    assert '<h2 id="on-this-page">On this page</h2>' in contents
    entries = re.findall(r'<li value="(\d)"><a href="#(t\d)">([^<]+)</a></li>', contents)
    assert [(number, anchor) for number, anchor, _title in entries] == [
        (str(n), f"t{n}") for n in range(1, 6)
    ]
    assert entries[1][2] == "Removing barriers and biases to ensure more inclusive and equitable access"
    assert '<section class="theme" id="t2" aria-labelledby="t2-title">' in page
    assert "Sur cette page" in html(client.get(FR_MEETING))


def test_each_recommendation_is_numbered_and_its_number_is_its_permalink(client, newest_meeting):
    page = html(client.get(FR_MEETING))
    recommendation = newest_meeting.themes.get(position=2).recommendations.get(position=3)
    assert recommendation.number == "2.3"
    assert recommendation.anchor == "r2-3"
    item = re.search(r'<li id="r2-3">.*?</li>', page, re.S).group()
    link = re.search(r'<a class="permalink" href="#r2-3"[^>]*>(.*?)</a>', item).group(1)
    assert re.sub(r"<[^>]+>", "", link) == "Recommandation 2.3"
    # What one sees is the number itself; a screen reader hears "Recommandation 2.3".
    assert link.endswith("</span>2.3")
    assert "Lien vers la recommandation" not in page
    assert recommendation.get_absolute_url("en") == f"{EN_MEETING}#r2-3"
    # The same anchor is on the English page, so a permalink survives the toggle.
    assert '<li id="r2-3">' in html(client.get(EN_MEETING))


def test_anchors_come_from_numbers_not_from_database_ids(newest_meeting):
    """The archive loaded on another instance gets other ids, and the same permalinks."""
    theme = newest_meeting.themes.get(position=2)
    recommendation = theme.recommendations.get(position=3)
    assert (theme.anchor, recommendation.anchor) == ("t2", "r2-3")
    theme.pk = recommendation.pk = 987654
    assert (theme.anchor, recommendation.anchor) == ("t2", "r2-3")


def test_a_former_rec_id_link_still_lands_on_its_recommendation(client, newest_meeting):
    recommendation = newest_meeting.themes.get(position=2).recommendations.get(position=3)
    theme = recommendation.theme
    for path in (FR_MEETING, EN_MEETING):
        page = html(client.get(path))
        item = re.search(r'<li id="r2-3">.*?</li>', page, re.S).group()
        assert f'id="rec-{recommendation.pk}"' in item
        heading = re.search(r'<h2 id="t2-title">.*?</h2>', page).group()
        assert f'id="theme-{theme.pk}"' in heading


def test_the_disclaimer_is_said_once_on_a_meeting_page(client):
    for path, disclaimer, footer in (
        (FR_MEETING, "Les points de vue offerts", "Les points de vue exprimés dans ces résumés"),
        (EN_MEETING, "The views expressed in the summaries", "The views in these summaries"),
    ):
        page = html(client.get(path))
        assert page.count(disclaimer) == 1
        assert footer not in page
    # Pages without the committee's own words keep the footer's.
    assert "The views in these summaries" in html(client.get("/en/meetings/"))


def test_meeting_page_links_to_neighbours_and_breadcrumb(client):
    page = html(client.get("/en/meetings/2023-04-03-the-future-of-service-canada-part-1/"))
    assert 'rel="prev"' in page and "Earlier meeting:" in page and "Passports: Lessons learned" in page
    assert 'rel="next"' in page and "Later meeting:" in page
    assert 'aria-label="Breadcrumb"' in page
    assert '<a href="/en/meetings/2023/">2023</a>' in page


@pytest.mark.parametrize(
    "path, expected",
    [
        ("/fr/reunions/", "/en/meetings/"),
        ("/fr/reunions/2022/", "/en/meetings/2022/"),
        (FR_MEETING, EN_MEETING),
        ("/fr/recherche/", "/en/search/"),
        ("/fr/recherche/?q=donn%C3%A9es&year=2022", "/en/search/?q=donn%C3%A9es&amp;year=2022"),
        ("/en/meetings/?page=1", "/fr/reunions/?page=1"),
        (EN_MEETING, FR_MEETING),
    ],
)
def test_language_toggle_leads_to_the_same_page(client, path, expected):
    response = client.get(path)
    assert response.status_code == 200
    assert toggle_href(response) == expected


def test_toggle_is_labelled_in_the_other_language(client):
    assert '<a href="/en/meetings/" lang="en" hreflang="en" data-keep-fragment>English</a>' in html(
        client.get("/fr/reunions/")
    )
    assert 'lang="fr" hreflang="fr" data-keep-fragment>Français</a>' in html(client.get("/en/meetings/"))


def test_every_page_has_language_alternates(client):
    page = html(client.get(FR_MEETING))
    assert f'<link rel="alternate" hreflang="fr" href="http://testserver{FR_MEETING}">' in page
    assert f'<link rel="alternate" hreflang="en" href="http://testserver{EN_MEETING}">' in page
    assert f'<link rel="alternate" hreflang="x-default" href="http://testserver{FR_MEETING}">' in page


@pytest.mark.parametrize(
    "path",
    [
        "/fr/reunions/2023-10-03-the-future-of-service-canada-part-2/",  # the other language's slug
        "/fr/reunions/2023-10-03-un-titre-inexact/",  # a wrong slug on the right date
    ],
)
def test_moved_meeting_urls_redirect_permanently(client, path):
    response = client.get(path)
    assert response.status_code == 301
    assert response["Location"] == FR_MEETING


def test_an_old_slug_redirects(client, newest_meeting):
    MeetingSlug.objects.create(meeting=newest_meeting, language="en", slug="old-title")
    response = client.get("/en/meetings/2023-10-03-old-title/")
    assert response.status_code == 301
    assert response["Location"] == EN_MEETING


def test_a_retitled_meeting_in_a_reloaded_fixture_keeps_its_old_address(
    client, records, tmp_path, own_archive_files
):
    """A corrected translation may change a title, and so its slug; shared links must still work."""
    meeting = next(
        r for r in records if r["model"] == "meetings.meeting" and r["fields"]["date"] == "2023-10-03"
    )
    meeting["fields"]["title_en"] = "Service Canada's future (Part 2)"
    meeting["fields"]["slug_en"] = "service-canadas-future-part-2"
    fixture = tmp_path / "archive.json"
    fixture.write_text(json.dumps(records), encoding="utf-8")
    call_command("load_archive", str(fixture), "--overwrite", stdout=io.StringIO())

    new_address = "/en/meetings/2023-10-03-service-canadas-future-part-2/"
    assert "<h1>Service Canada&#x27;s future (Part 2)</h1>" in html(client.get(new_address))
    assert MeetingSlug.objects.filter(slug="the-future-of-service-canada-part-2", language="en").exists()
    response = client.get(EN_MEETING)
    assert response.status_code == 301
    assert response["Location"] == new_address


@pytest.mark.parametrize(
    "path",
    [
        "/fr/reunions/2020-10-03-l-avenir-de-service-canada-partie-2/",  # no meeting that day
        "/fr/reunions/2023-02-30-rien/",  # an impossible date
        "/en/meetings/2023-13-01-nothing/",
        "/fr/nulle-part/",
        "/de/meetings/",
    ],
)
def test_unknown_pages_give_a_bilingual_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    page = html(response)
    assert "Page introuvable" in page and "Page not found" in page


def test_drafts_are_not_public(client, newest_meeting):
    newest_meeting.is_published = False
    newest_meeting.save()
    assert client.get(FR_MEETING).status_code == 404
    listing = html(client.get("/fr/reunions/"))
    assert "3 octobre 2023" not in listing


def test_every_page_has_the_shared_frame(client):
    for path in ("/fr/reunions/", "/en/meetings/2022/", EN_MEETING, "/fr/recherche/"):
        page = html(client.get(path))
        assert '<a class="skip-link" href="#main">' in page
        assert '<main id="main" tabindex="-1"' in page
        assert 'role="search" action="/' in page
        assert "<footer" in page
        assert re.search(
            r"Date (modified|de modification).{0,20}: <time datetime=\"\d{4}-\d{2}-\d{2}\">", page
        )


def breadcrumbs(page):
    """The breadcrumb trail as (text, link or None for the current page)."""
    trail = re.search(r'<nav class="breadcrumbs" aria-label="[^"]+"><ol>(.*?)</ol></nav>', page, re.S)
    if trail is None:
        return None
    return [
        (re.sub(r"<[^>]+>", "", item).strip(), (re.search(r'href="([^"]+)"', item) or [None, None])[1])
        for item in re.findall(r"<li[^>]*>(.*?)</li>", trail.group(1), re.S)
    ]


@pytest.mark.parametrize(
    "path, trail",
    [
        ("/fr/reunions/2022/", [("Archive du CCS", "/fr/reunions/"), ("2022", None)]),
        (
            FR_MEETING,
            [
                ("Archive du CCS", "/fr/reunions/"),
                ("2023", "/fr/reunions/2023/"),
                ("L&#x27;avenir de Service Canada (Partie 2)", None),
            ],
        ),
        ("/en/search/?q=data", [("SAC archive", "/en/meetings/"), ("Search", None)]),
        ("/fr/donnees-ouvertes/", [("Archive du CCS", "/fr/reunions/"), ("Données ouvertes", None)]),
        ("/en/about/", [("SAC archive", "/en/meetings/"), ("About this archive", None)]),
    ],
)
def test_pages_below_the_home_have_breadcrumbs_from_the_archive_s_home(client, path, trail):
    assert breadcrumbs(html(client.get(path))) == trail


def test_the_home_page_has_no_breadcrumbs(client):
    assert breadcrumbs(html(client.get("/fr/reunions/"))) is None


def test_language_toggle_comes_right_after_the_site_name(client):
    page = html(client.get("/fr/reunions/"))
    header = re.search(r'<header class="site-header">.*?</header>', page, re.S).group()
    assert header.index('class="site-name"') < header.index('class="language-toggle"')
    assert header.index('class="language-toggle"') < header.index('class="site-nav"')


def test_a_page_can_drop_the_header_search_box(rf):
    from django.template import Context, Template

    request = rf.get("/fr/recherche/")
    with translation.override("fr"):
        page = Template(
            '{% extends "base.html" %}{% block header_search %}{% endblock %}{% block content %}<h1>x</h1>{% endblock %}'
        ).render(Context({"request": request}))
    assert 'id="site-search"' not in page
    assert '<nav class="site-nav"' in page


def test_titles_are_unique(client):
    titles = set()
    for path in ("/fr/reunions/", "/fr/reunions/2022/", "/fr/reunions/2023/", FR_MEETING, "/fr/recherche/"):
        titles.add(re.search(r"<title>(.*?)</title>", html(client.get(path))).group(1))
    assert len(titles) == 5


def test_date_modified_follows_the_last_edit(client, newest_meeting):
    recommendation = newest_meeting.themes.first().recommendations.first()
    Meeting.objects.filter(pk=newest_meeting.pk).update(modified_at="2024-05-06T12:00:00Z")
    assert '<time datetime="2024-05-06">2024-05-06</time>' in html(client.get(FR_MEETING))
    recommendation.text_fr += " Ajout."
    recommendation.save()
    newest_meeting.refresh_from_db()
    assert newest_meeting.modified_at.year >= 2026
    assert "2024-05-06" not in html(client.get(FR_MEETING))


@pytest.mark.parametrize("path", ["/fr/reunions/", "/en/meetings/2022/", FR_MEETING, EN_MEETING])
def test_query_count_is_fixed(client, django_assert_num_queries, path, newest_meeting):
    # Every page first reads the archive's revision (its ETag); a meeting page
    # also fetches its recommendations' subjects, in one query.
    expected = {"/fr/reunions/": 5, "/en/meetings/2022/": 6, FR_MEETING: 8, EN_MEETING: 8}[path]
    with django_assert_num_queries(expected):
        assert client.get(path).status_code == 200
    # More content does not mean more queries.
    theme = newest_meeting.themes.create(title_fr="Nouveau", title_en="New", position=9)
    for position in range(1, 6):
        theme.recommendations.create(text_fr="Texte.", text_en="Text.", position=position)
    with django_assert_num_queries(expected):
        assert client.get(path).status_code == 200


def test_get_absolute_url_follows_the_active_language(newest_meeting):
    with translation.override("en"):
        assert newest_meeting.get_absolute_url() == EN_MEETING
        assert reverse("meetings:search") == "/en/search/"
    assert newest_meeting.get_absolute_url("fr") == FR_MEETING


def test_pages_stay_light(client):
    """Budgets, compressed: a meeting page under 20 KB, all CSS under 15 KB, nothing third-party."""
    import gzip

    from django.conf import settings

    for path in (FR_MEETING, EN_MEETING):
        page = client.get(path).content
        assert len(gzip.compress(page)) < 20_000
        assert b"https://" not in page.replace(b"https://schema.org", b"")
    css = b"".join(path.read_bytes() for path in (settings.BASE_DIR / "static" / "css").glob("*.css"))
    assert len(gzip.compress(css)) < 15_000


def test_a_server_error_gets_a_bilingual_page(client, monkeypatch):
    from meetings import views

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views.Meeting.objects, "published", broken)
    client.raise_request_exception = False
    response = client.get("/fr/reunions/")
    assert response.status_code == 500
    page = html(response)
    assert "Erreur du serveur" in page and "Server error" in page
    assert "boom" not in page and "Traceback" not in page


def test_the_404_toggle_leads_to_the_other_language_s_listing(client):
    response = client.get("/fr/nulle-part/")
    assert toggle_href(response) == "/en/meetings/"
