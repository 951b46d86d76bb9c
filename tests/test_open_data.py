"""Downloads, feeds, the sitemap, robots.txt and structured data, read back with real parsers."""

import csv
import gzip
import io
import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.http import StreamingHttpResponse
from django.utils import timezone

from meetings.models import Meeting, Recommendation
from meetings.search.engine import search_recommendations

pytestmark = pytest.mark.django_db

FR_MEETING = "/fr/reunions/2023-10-03-l-avenir-de-service-canada-partie-2/"
EN_MEETING = "/en/meetings/2023-10-03-the-future-of-service-canada-part-2/"
FR_CSV, FR_JSON = "/fr/donnees-ouvertes/recommandations.csv", "/fr/donnees-ouvertes/recommandations.json"
EN_CSV, EN_JSON = "/en/open-data/recommendations.csv", "/en/open-data/recommendations.json"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
ALL_RECOMMENDATIONS = 108


def body(response):
    return response.getvalue() if response.streaming else response.content


def csv_rows(response):
    raw = body(response)
    assert raw.startswith(b"\xef\xbb\xbf"), "Excel needs the byte-order mark to read UTF-8"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def json_export(response):
    assert response["Content-Type"] == "application/json"
    return json.loads(body(response))


def atom_entries(response):
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(body(response))
    return feed, feed.findall(f"{ATOM}entry")


def site_ids(query, language="fr", **options):
    """The ids the search page shows, page after page."""
    ids, page = [], 1
    while True:
        results = search_recommendations(query, language, page=page, **options)
        if results.page is None:
            return ids
        ids += [hit.recommendation.pk for hit in results.page.object_list]
        if not results.page.has_next():
            return ids
        page += 1


def permalink_id(url):
    """The id of the recommendation a permalink leads to: a meeting's page at ``#r<theme>-<number>``."""
    date, theme, position = re.search(r"/(\d{4}-\d\d-\d\d)-[\w-]+/#r(\d+)-(\d+)$", url).groups()
    return Recommendation.objects.get(theme__meeting__date=date, theme__position=theme, position=position).pk


def unpublish(meeting):
    meeting.is_published = False
    meeting.save()


# Downloads


def test_whole_archive_csv_holds_every_recommendation_in_both_languages(client, newest_meeting):
    response = client.get(FR_CSV, {"lang": "all"})
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    header, *rows = csv_rows(response)
    assert header == [
        "Date de la réunion",
        "Titre de la réunion (fr)",
        "Titre de la réunion (en)",
        "Thème (fr)",
        "Thème (en)",
        "Recommandation (fr)",
        "Recommandation (en)",
        "Lien permanent (fr)",
        "Lien permanent (en)",
        "Sujets (fr)",
        "Sujets (en)",
    ]
    assert len(rows) == ALL_RECOMMENDATIONS
    first = newest_meeting.themes.get(position=1).recommendations.get(position=1)
    assert rows[0] == [
        "2023-10-03",
        newest_meeting.title_fr,
        newest_meeting.title_en,
        first.theme.title_fr,
        first.theme.title_en,
        first.text_fr,
        first.text_en,
        f"http://testserver{first.get_absolute_url('fr')}",
        f"http://testserver{first.get_absolute_url('en')}",
        "; ".join(first.subjects.values_list("name_fr", flat=True)),
        "; ".join(first.subjects.values_list("name_en", flat=True)),
    ]
    assert rows[0][-1], "every recommendation is indexed under a subject"
    assert rows[-1][0] == "2021-11-29"


def test_csv_in_the_page_language_has_one_text_column(client):
    header, *rows = csv_rows(client.get(EN_CSV))
    assert header == ["Meeting date", "Meeting title", "Theme", "Recommendation", "Permalink", "Subjects"]
    assert len(rows) == ALL_RECOMMENDATIONS
    assert rows[0][1] == "The future of Service Canada (Part 2)"
    assert rows[0][4] == f"http://testserver{EN_MEETING}#r1-1"
    for row in rows:
        recommendation = Recommendation.objects.get(pk=permalink_id(row[4]))
        assert row[3] == recommendation.text_en


def test_csv_export_keeps_the_query_and_filters_of_the_search(client):
    rows = csv_rows(client.get(FR_CSV, {"q": "données", "year": "2022"}))[1:]
    expected = site_ids("données", year=2022)
    assert 0 < len(expected) < ALL_RECOMMENDATIONS
    assert [permalink_id(row[4]) for row in rows] == expected
    assert {row[0][:4] for row in rows} == {"2022"}


@pytest.mark.parametrize("sort", ["relevance", "newest", "oldest"])
@pytest.mark.parametrize(
    "query", ["services", "client OR passeport", "données -automatisation", '"intelligence artificielle"']
)
def test_search_exports_list_the_search_page_hits_in_its_order(client, sort, query):
    document = json_export(client.get(FR_JSON, {"q": query, "sort": sort, "lang": "all"}))
    exported = [record["id"] for record in document["recommendations"]]
    assert exported == site_ids(query, sort=sort)
    assert exported


def test_json_export_parses_and_names_its_parameters(client):
    document = json_export(client.get(EN_JSON, {"q": "passport", "sort": "newest"}))
    assert document["languages"] == ["en"]
    assert document["parameters"] == {
        "q": "passport",
        "lang": None,
        "sort": "newest",
        "year": None,
        "meeting": None,
        "problem": None,
    }
    records = document["recommendations"]
    assert [r["id"] for r in records] == site_ids("passport", "en", sort="newest")
    first = records[0]
    assert set(first["text"]) == {"en"}
    assert first["url"]["en"] == "http://testserver" + Recommendation.objects.get(
        pk=first["id"]
    ).get_absolute_url("en")
    assert first["meeting"]["date"] == "2023-01-19"


def test_json_export_of_the_whole_archive_has_both_languages(client):
    document = json_export(client.get(FR_JSON, {"lang": "all"}))
    records = document["recommendations"]
    assert len(records) == ALL_RECOMMENDATIONS
    assert len({record["id"] for record in records}) == ALL_RECOMMENDATIONS
    for record in records:
        assert set(record["text"]) == {"fr", "en"} and all(record["text"].values())
        assert set(record["url"]) == {"fr", "en"}


def test_meeting_export_lists_that_meeting_in_source_order(client, newest_meeting):
    _header, *rows = csv_rows(client.get(FR_CSV, {"meeting": newest_meeting.pk}))
    expected = Recommendation.objects.filter(theme__meeting=newest_meeting).order_by(
        "theme__position", "position"
    )
    assert [permalink_id(row[4]) for row in rows] == [r.pk for r in expected]
    assert len(rows) == 16


def test_a_search_with_only_common_words_exports_nothing(client):
    assert csv_rows(client.get(FR_CSV, {"q": "les des"})) == [
        ["Date de la réunion", "Titre de la réunion", "Thème", "Recommandation", "Lien permanent", "Sujets"]
    ]
    assert json_export(client.get(FR_JSON, {"q": "les des"}))["parameters"]["problem"] == "stop_words"


def test_whole_archive_downloads_are_files_with_validators(client):
    response = client.get(FR_CSV, {"lang": "all"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["ETag"] and response["Last-Modified"]
    assert 'filename="ccs-recommandations-fr-en.csv"' in response["Content-Disposition"]
    assert len(csv_rows(response)) == ALL_RECOMMENDATIONS + 1
    again = client.get(FR_CSV, {"lang": "all"}, headers={"If-None-Match": response["ETag"]})
    assert again.status_code == 304
    since = client.get(EN_JSON, headers={"If-Modified-Since": client.get(EN_JSON)["Last-Modified"]})
    assert since.status_code == 304


def test_behind_nginx_a_whole_archive_download_is_handed_to_it(client, settings):
    """With ARCHIVE_FILES_ACCEL_PREFIX, nginx sends the file: the site only names it, with its headers."""
    sent_here = client.get(FR_CSV, {"lang": "all"})
    settings.ARCHIVE_FILES_ACCEL_PREFIX = "/_archive-files/"
    response = client.get(FR_CSV, {"lang": "all"})
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == "/_archive-files/recommendations-fr-all.csv"
    assert response.content == b""
    for header in ("Content-Type", "Content-Disposition", "ETag", "Last-Modified"):
        assert response[header] == sent_here[header]
    # nginx's own tag for that file: mtime and size in hexadecimal.
    stat = (settings.ARCHIVE_FILES_ROOT / "recommendations-fr-all.csv").stat()
    assert response["ETag"] == f'"{int(stat.st_mtime):x}-{stat.st_size:x}"'
    assert client.get(FR_CSV, {"lang": "all"}, headers={"If-None-Match": response["ETag"]}).status_code == 304


def test_whole_archive_downloads_follow_a_committed_change(
    client, newest_meeting, own_archive_files, django_capture_on_commit_callbacks
):
    recommendation = Recommendation.objects.filter(theme__meeting=newest_meeting).first()
    before = client.get(EN_JSON)["ETag"]
    with django_capture_on_commit_callbacks(execute=True):
        recommendation.text_en = "A freshly edited recommendation."
        recommendation.save()
    response = client.get(EN_JSON)
    assert response["ETag"] != before
    texts = [record["text"]["en"] for record in json_export(response)["recommendations"]]
    assert "A freshly edited recommendation." in texts


@pytest.mark.parametrize("formula", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(
    client, newest_meeting, own_archive_files, formula
):
    recommendation = Recommendation.objects.filter(theme__meeting=newest_meeting).first()
    recommendation.text_fr = formula
    recommendation.save()
    for response in (client.get(FR_CSV, {"meeting": newest_meeting.pk}), client.get(FR_CSV)):
        texts = [row[3] for row in csv_rows(response)[1:]]
        assert "'" + formula in texts
        assert formula not in texts
    # JSON is data, not a spreadsheet: the text stays as written.
    records = json_export(client.get(FR_JSON, {"meeting": newest_meeting.pk}))["recommendations"]
    assert formula in [record["text"]["fr"] for record in records]


def test_a_search_download_past_the_row_limit_points_to_the_whole_archive(client, settings, newest_meeting):
    settings.EXPORT_ROW_LIMIT = 20
    for path in (FR_CSV, FR_JSON):
        response = client.get(path, {"q": "services"})
        assert response.status_code == 400
        message = response.content.decode()
        assert "plus de 20 recommandations" in message
        assert f"http://testserver{path}?lang=all" in message
    # Sixteen recommendations: within the limit.
    assert len(csv_rows(client.get(EN_CSV, {"meeting": newest_meeting.pk}))) == 16 + 1


def test_a_download_whose_database_fails_before_the_first_row_is_an_error(client, monkeypatch):
    from django.db import OperationalError
    from django.db.models.query import QuerySet

    def fails(self, *args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")
        yield

    monkeypatch.setattr(QuerySet, "iterator", fails)
    response = client.get(EN_CSV, {"q": "passport"})
    assert response.status_code == 503
    assert not response.streaming


def test_exports_stream_in_chunks(client, monkeypatch):
    monkeypatch.setattr("meetings.open_data.views.EXPORT_CHUNK_SIZE", 7)
    assert len(csv_rows(client.get(FR_CSV, {"lang": "all"}))) == ALL_RECOMMENDATIONS + 1
    assert len(json_export(client.get(FR_JSON, {"q": "services"}))["recommendations"]) == len(
        site_ids("services")
    )


@pytest.mark.parametrize(
    "params", [{"year": "deux mille"}, {"meeting": "0"}, {"sort": "random"}, {"lang": "de"}]
)
def test_unreadable_export_parameters_are_refused(client, params):
    assert client.get(FR_CSV, params).status_code == 400
    assert client.get(EN_JSON, params).status_code == 400


def test_search_results_offer_downloads_and_a_feed_that_keep_the_search(client):
    page = client.get("/fr/recherche/", {"q": "données", "year": "2022", "page": "2"}).content.decode()
    csv_link = f'href="{FR_CSV}?q=donn%C3%A9es&amp;year=2022"'
    assert csv_link in page
    assert f'href="{FR_JSON}?q=donn%C3%A9es&amp;year=2022"' in page
    assert 'href="/fr/recherche/fil/?q=donn%C3%A9es&amp;year=2022"' in page
    rows = csv_rows(client.get(FR_CSV, {"q": "données", "year": "2022"}))
    assert len(rows) - 1 == len(site_ids("données", year=2022))


def test_meeting_page_offers_its_downloads(client, newest_meeting):
    page = client.get(FR_MEETING).content.decode()
    assert f'href="{FR_CSV}?meeting={newest_meeting.pk}"' in page
    assert f'href="{FR_JSON}?meeting={newest_meeting.pk}"' in page


def test_footer_links_the_whole_archive_and_the_open_data_page(client):
    page = client.get("/en/meetings/").content.decode()
    assert f'href="{EN_CSV}?lang=all"' in page and f'href="{EN_JSON}?lang=all"' in page
    assert 'href="/en/open-data/">Open data</a>' in page


def test_open_data_page_exists_in_both_languages(client):
    french = client.get("/fr/donnees-ouvertes/")
    english = client.get("/en/open-data/")
    assert french.status_code == english.status_code == 200
    assert "<h1>Données ouvertes</h1>" in french.content.decode()
    assert "<h1>Open data</h1>" in english.content.decode()
    assert 'href="/en/open-data/" lang="en"' in french.content.decode()
    assert "http://testserver/api/v1/" in english.content.decode()


# Feeds


@pytest.mark.parametrize(
    "path, language, title",
    [("/fr/reunions/fil/", "fr", "title_fr"), ("/en/meetings/feed/", "en", "title_en")],
)
def test_meeting_feed_lists_meetings_newest_first(client, path, language, title):
    feed, entries = atom_entries(client.get(path))
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == language
    meetings = list(Meeting.objects.published().order_by("-date"))
    assert [e.findtext(f"{ATOM}title") for e in entries] == [getattr(m, title) for m in meetings]
    links = [e.find(f"{ATOM}link").get("href") for e in entries]
    assert links == [f"http://testserver{m.get_absolute_url(language)}" for m in meetings]
    published = [e.findtext(f"{ATOM}published") for e in entries]
    assert published == sorted(published, reverse=True)


def test_search_feed_lists_what_the_search_finds_newest_first(client):
    feed, entries = atom_entries(client.get("/fr/recherche/fil/", {"q": "passeport"}))
    assert feed.findtext(f"{ATOM}title") == "Recommandations correspondant à «\u00a0passeport\u00a0»"
    self_link = next(link for link in feed.findall(f"{ATOM}link") if link.get("rel") == "self")
    assert self_link.get("href") == "http://testserver/fr/recherche/fil/?q=passeport"
    ids = [permalink_id(e.find(f"{ATOM}link").get("href")) for e in entries]
    assert ids == site_ids("passeport", sort="newest")


def test_search_feed_follows_the_filters_and_language(client):
    _feed, entries = atom_entries(client.get("/en/search/feed/", {"q": "data", "year": "2022"}))
    assert [permalink_id(e.find(f"{ATOM}link").get("href")) for e in entries] == site_ids(
        "data", "en", sort="newest", year=2022
    )
    assert all("/en/meetings/2022-" in e.find(f"{ATOM}link").get("href") for e in entries)


def test_unreadable_search_feed_is_refused(client):
    assert client.get("/fr/recherche/fil/", {"year": "x"}).status_code == 400


def feed_links(page):
    return re.findall(
        r'<link rel="alternate" type="application/atom\+xml" title="[^"]*" href="([^"]+)">', page
    )


def test_pages_advertise_their_feeds(client):
    for path in ("/fr/reunions/", FR_MEETING, "/fr/recherche/"):
        assert feed_links(client.get(path).content.decode()) == ["/fr/reunions/fil/"]
    search_page = client.get("/en/search/", {"q": "passport", "page": "2", "sort": "oldest"}).content.decode()
    assert feed_links(search_page) == ["/en/meetings/feed/", "/en/search/feed/?q=passport"]
    for href in feed_links(search_page):
        assert client.get(href).status_code == 200


# Sitemap and robots.txt


def sitemap_sections(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    index = ET.fromstring(body(response))
    assert index.tag == f"{SITEMAP}sitemapindex"
    return [section.findtext(f"{SITEMAP}loc") for section in index.findall(f"{SITEMAP}sitemap")]


def sitemap_urls(client):
    urls = []
    for location in sitemap_sections(client):
        response = client.get(location.removeprefix("http://testserver"))
        assert response.status_code == 200
        root = ET.fromstring(body(response))
        urls += [
            {
                "loc": url.findtext(f"{SITEMAP}loc"),
                "lastmod": url.findtext(f"{SITEMAP}lastmod"),
                "alternates": {
                    link.get("hreflang"): link.get("href") for link in url.findall(f"{XHTML}link")
                },
            }
            for url in root.findall(f"{SITEMAP}url")
        ]
    return urls


def test_the_sitemap_is_an_index_of_sections_of_at_most_50000_addresses(client, add_meetings, monkeypatch):
    from meetings.open_data.sitemaps import MeetingSitemap

    assert sitemap_sections(client) == [
        "http://testserver/sitemap-listing.xml",
        "http://testserver/sitemap-years.xml",
        "http://testserver/sitemap-meetings.xml",
    ]
    assert MeetingSitemap.limit <= 50_000
    # Past the limit of addresses, a section is split into pages, each in the index.
    monkeypatch.setattr(MeetingSitemap, "limit", 4)
    add_meetings(3, "2023-11-01")
    sections = sitemap_sections(client)
    # Nine meetings in two languages: eighteen addresses, four to a page.
    pages = [f"http://testserver/sitemap-meetings.xml?p={page}" for page in (2, 3, 4, 5)]
    assert sections[2:] == ["http://testserver/sitemap-meetings.xml", *pages]
    assert len(sitemap_urls(client)) == 2 * (1 + 3 + 9)


def test_sitemap_pages_split_meetings_between_languages_without_loss(
    client, add_meetings, monkeypatch, django_assert_max_num_queries
):
    from django.core.cache import cache

    from meetings.open_data.sitemaps import MeetingSitemap

    add_meetings(3, "2023-11-01")
    cache.clear()
    whole = [url["loc"] for url in sitemap_urls(client)]
    # An odd page size: some pages end between a meeting's two languages.
    monkeypatch.setattr(MeetingSitemap, "limit", 3)
    cache.clear()
    assert [url["loc"] for url in sitemap_urls(client)] == whole
    # A page reads its own meetings only, whatever the size of the archive.
    cache.clear()
    with django_assert_max_num_queries(3) as queries:
        assert client.get("/sitemap-meetings.xml?p=2").status_code == 200
    listing = [
        query["sql"]
        for query in queries.captured_queries
        if 'FROM "meetings_meeting"' in query["sql"] and "COUNT" not in query["sql"]
    ]
    assert listing and all("LIMIT 2 OFFSET 1" in sql for sql in listing)
    cache.clear()


def test_the_sitemap_is_cached_until_a_change_is_committed(
    client, settings, newest_meeting, django_capture_on_commit_callbacks, own_archive_files
):
    from django.core.cache import cache

    cache.clear()
    settings.SITEMAP_CACHE_SECONDS = 60
    before = sitemap_urls(client)
    Meeting.objects.filter(pk=newest_meeting.pk).update(is_published=False)
    # Not committed through the site: the cached sitemap stands.
    assert sitemap_urls(client) == before
    with django_capture_on_commit_callbacks(execute=True):
        unpublish(newest_meeting)
    after = [url["loc"] for url in sitemap_urls(client)]
    assert len(after) == len(before) - 2
    assert f"http://testserver{EN_MEETING}" not in after
    cache.clear()


def test_sitemap_lists_listing_years_and_meetings_in_both_languages(client, newest_meeting):
    urls = sitemap_urls(client)
    locations = [url["loc"] for url in urls]
    # (the listing, three years, six meetings) in two languages
    assert len(locations) == len(set(locations)) == 20
    assert (
        "http://testserver/fr/reunions/" in locations and "http://testserver/en/meetings/2022/" in locations
    )
    meeting = next(url for url in urls if url["loc"] == f"http://testserver{EN_MEETING}")
    assert meeting["alternates"] == {
        "fr": f"http://testserver{FR_MEETING}",
        "en": f"http://testserver{EN_MEETING}",
        "x-default": f"http://testserver{FR_MEETING}",
    }
    # The site's day (America/Toronto), not UTC's: they differ each evening.
    assert meeting["lastmod"] == timezone.localtime(newest_meeting.modified_at).strftime("%Y-%m-%d")


def test_sitemap_lastmod_follows_the_meeting_change(client, newest_meeting):
    Meeting.objects.filter(pk=newest_meeting.pk).update(modified_at="2024-05-06T12:00:00Z")
    Meeting.objects.exclude(pk=newest_meeting.pk).update(modified_at="2024-01-01T12:00:00Z")
    lastmods = {url["loc"]: url["lastmod"] for url in sitemap_urls(client)}
    assert lastmods[f"http://testserver{FR_MEETING}"] == "2024-05-06"
    assert lastmods["http://testserver/fr/reunions/2023/"] == "2024-05-06"
    assert lastmods["http://testserver/fr/reunions/2022/"] == "2024-01-01"
    assert lastmods["http://testserver/en/meetings/"] == "2024-05-06"


def test_every_sitemap_address_answers(client):
    addresses = set()
    for url in sitemap_urls(client):
        addresses.add(url["loc"])
        addresses.update(url["alternates"].values())
    for address in addresses:
        assert client.get(address.removeprefix("http://testserver")).status_code == 200, address


def test_robots_txt_opens_pages_closes_searches_and_names_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    assert "Allow: /" in lines
    for path in (
        "/fr/recherche/?",
        "/en/search/?",
        "/api/v1/recommendations/?",
        f"{FR_CSV}?",
        "/fr/recherche/fil/",
    ):
        assert f"Disallow: {path}" in lines
    assert "Disallow: /fr/reunions/" not in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines


# Structured data


def json_ld(page):
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.DOTALL)
    assert len(blocks) == 1
    return json.loads(blocks[0])


def test_meeting_page_describes_itself_as_a_report_on_an_event(client, newest_meeting):
    french = json_ld(client.get(FR_MEETING).content.decode())
    assert french["@type"] == "Report"
    assert french["url"] == f"http://testserver{FR_MEETING}"
    assert french["name"] == newest_meeting.title_fr
    assert french["inLanguage"] == "fr"
    assert french["publisher"]["name"] == "Emploi et Développement social Canada"
    event, *subjects = french["about"]
    assert event == {
        "@type": "Event",
        "name": newest_meeting.title_fr,
        "startDate": "2023-10-03",
        "organizer": {
            "@type": "Organization",
            "name": "Comité consultatif sur les services",
            "alternateName": "CCS",
        },
    }
    # And the subjects of its recommendations, each a term of the vocabulary with its page.
    assert {
        "@type": "DefinedTerm",
        "name": "Intelligence artificielle",
        "url": "http://testserver/fr/sujets/intelligence-artificielle/",
    } in subjects
    # French is the original: the English page is its translation, and says so.
    assert [work["url"] for work in french["workTranslation"]] == [f"http://testserver{EN_MEETING}"]
    english = json_ld(client.get(EN_MEETING).content.decode())
    assert english["inLanguage"] == "en"
    assert english["translationOfWork"]["url"] == f"http://testserver{FR_MEETING}"
    assert "workTranslation" not in english


def test_structured_data_cannot_break_out_of_its_script(client, newest_meeting):
    title = '</script><script>alert("x")</script> & <!--'
    Meeting.objects.filter(pk=newest_meeting.pk).update(title_fr=title)
    page = client.get(FR_MEETING).content.decode()
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.DOTALL).group(1)
    assert "<" not in block and ">" not in block and "&" not in block
    assert json.loads(block)["name"] == title
    assert "<script>alert" not in page


def test_meeting_page_stays_light(client):
    for path in (FR_MEETING, EN_MEETING):
        assert len(gzip.compress(client.get(path).content)) < 20 * 1024


# Drafts


def test_drafts_appear_in_no_download_feed_or_sitemap(client, newest_meeting, own_archive_files):
    draft_ids = set(Recommendation.objects.filter(theme__meeting=newest_meeting).values_list("pk", flat=True))
    unpublish(newest_meeting)

    rows = csv_rows(client.get(FR_CSV, {"lang": "all"}))[1:]
    assert len(rows) == ALL_RECOMMENDATIONS - 16
    assert not {permalink_id(row[7]) for row in rows} & draft_ids
    assert csv_rows(client.get(FR_CSV, {"meeting": newest_meeting.pk}))[1:] == []
    records = json_export(client.get(EN_JSON, {"q": "service", "lang": "all"}))["recommendations"]
    assert records and not {record["id"] for record in records} & draft_ids

    _feed, entries = atom_entries(client.get("/fr/reunions/fil/"))
    assert len(entries) == 5
    assert all("2023-10-03" not in e.find(f"{ATOM}link").get("href") for e in entries)
    _feed, entries = atom_entries(client.get("/fr/recherche/fil/", {"q": "intelligence artificielle"}))
    assert not {permalink_id(e.find(f"{ATOM}link").get("href")) for e in entries} & draft_ids
    _feed, entries = atom_entries(client.get("/fr/recherche/fil/"))
    assert not {permalink_id(e.find(f"{ATOM}link").get("href")) for e in entries} & draft_ids

    locations = [url["loc"] for url in sitemap_urls(client)]
    assert len(locations) == 18
    assert not any("2023-10-03" in location for location in locations)
