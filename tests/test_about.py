"""The About page, the footer's links to it and to report a problem, and the favicon."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest

pytestmark = pytest.mark.django_db

FR_MEETING = "/fr/reunions/2023-10-03-l-avenir-de-service-canada-partie-2/"


@pytest.fixture
def publisher(settings):
    settings.ARCHIVE_PUBLISHER = "Archives ouvertes du CCS"
    settings.ARCHIVE_CONTACT_EMAIL = "archive@example.ca"
    settings.ARCHIVE_PROBLEM_EMAIL = "erreurs@example.ca"
    settings.ARCHIVE_SOURCE_URL = "https://www.canada.ca/fr/emploi-developpement-social.html"


def html(response):
    return response.content.decode()


def test_about_page_says_who_publishes_and_what_the_texts_are(client, publisher):
    page = html(client.get("/fr/a-propos/"))
    assert "<h1>À propos de cette archive</h1>" in page
    assert "Cette archive est publiée par Archives ouvertes du CCS." in page
    assert '<a href="mailto:archive@example.ca">archive@example.ca</a>' in page
    assert "Le texte français est celui du Comité, repris mot pour mot" in page
    assert "Le texte anglais est une traduction non officielle" in page
    assert (
        '<a href="https://www.canada.ca/fr/emploi-developpement-social.html" lang="fr" hreflang="fr">' in page
    )


def test_about_page_in_english(client, publisher):
    response = client.get("/en/about/")
    assert response.status_code == 200
    page = html(response)
    assert "<h1>About this archive</h1>" in page
    assert "This archive is published by Archives ouvertes du CCS." in page
    assert "The English text is an unofficial translation made for this archive." in page
    assert '<a href="/fr/a-propos/" lang="fr" hreflang="fr" data-keep-fragment>Français</a>' in page


def test_about_page_without_a_configured_publisher_still_reads_well(client, settings):
    settings.ARCHIVE_PUBLISHER = settings.ARCHIVE_CONTACT_EMAIL = settings.ARCHIVE_PROBLEM_EMAIL = ""
    page = html(client.get("/en/about/"))
    assert "This archive is published by" not in page and "mailto:" not in page
    assert "Tell the publisher of this archive, with the address of the page." in page


@pytest.mark.parametrize(
    "path", ["/fr/reunions/", "/en/meetings/2022/", FR_MEETING, "/en/search/", "/fr/nulle-part/"]
)
def test_every_footer_links_to_the_about_page(client, path):
    footer = re.search(r'<footer class="site-footer">.*</footer>', html(client.get(path)), re.S).group()
    assert re.search(
        r'<a href="/(fr/a-propos|en/about)/">(À propos de cette archive|About this archive)</a>', footer
    )


def test_report_a_problem_mails_the_page_s_address(client, publisher):
    page = html(client.get(FR_MEETING + "?utm=x"))
    link = re.search(r'<a href="(mailto:[^"]+)">Signaler un problème sur cette page</a>', page).group(1)
    parts = urlsplit(link.replace("&amp;", "&"))
    assert parts.path == "erreurs@example.ca"
    fields = parse_qs(parts.query)
    assert fields["subject"] == ["Problème sur une page de l'archive"]
    assert fields["body"][0].startswith(f"Page\u00a0: http://testserver{FR_MEETING}?utm=x")
    # Spaces are %20, never "+", which mail programs would show as it is.
    assert "+" not in link


def test_the_problem_address_defaults_to_the_contact_address(client, settings):
    # What settings.py does with the environment, repeated for the test.
    settings.ARCHIVE_PROBLEM_EMAIL = settings.ARCHIVE_CONTACT_EMAIL = "archive@example.ca"
    assert 'href="mailto:archive@example.ca?subject=' in html(client.get("/en/meetings/"))


def test_favicon_ico_is_served_with_long_cache_headers(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/vnd.microsoft.icon"
    body = b"".join(response.streaming_content)
    assert body[:4] == b"\x00\x00\x01\x00"  # an icon file
    max_age = int(re.search(r"max-age=(\d+)", response["Cache-Control"]).group(1))
    assert "public" in response["Cache-Control"] and max_age >= 7 * 24 * 3600


def test_pages_link_the_svg_and_ico_icons(client):
    page = html(client.get("/fr/reunions/"))
    assert re.search(r'<link rel="icon" href="/static/favicon\.[0-9a-f]+\.svg" type="image/svg\+xml">', page)
    assert re.search(r'<link rel="icon" href="/static/favicon\.[0-9a-f]+\.ico" sizes="32x32">', page)
