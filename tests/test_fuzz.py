"""
Hostile input, generated: arbitrary text (NUL bytes, control characters,
invalid UTF-8, very long values, script payloads) in every public parameter
and path segment. Never a 5xx; anything shown back is escaped; the page is a
real page in the language of its address.
"""

import re
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db

# As many examples as the Hypothesis profile says (see conftest.py): 600 in CI.
FUZZ = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

PAYLOADS = st.sampled_from(
    [
        "<script>alert(1)</script>",
        '"><img src=x onerror=alert(1)>',
        "'; DROP TABLE meetings_meeting; --",
        "\x00",
        "%00",
        "%ff%fe",
        "\ud800",
        "../../etc/passwd",
        "a" * 5000,
        "-",
        '"',
        "OR",
        "données:*",
        "{text_fr}: NEAR(a b)",
    ]
)
TEXT = st.one_of(st.text(max_size=300), PAYLOADS, st.binary(max_size=60).map(lambda b: b.decode("latin-1")))
PARAMETERS = ("q", "page", "sort", "lang", "year", "meeting")


def check_page(response, language):
    assert response.status_code < 500, response.status_code
    if response.status_code in (200, 400, 404) and response["Content-Type"].startswith("text/html"):
        page = response.content.decode()
        assert f'<html lang="{language}">' in page
        assert "<script>alert(1)</script>" not in page
        assert "<img src=x onerror" not in page
        assert not re.search(r"<script(?![^>]*\b(src|type=\"application/ld\+json\")=?)", page)


def raw_query(client, path, pairs):
    """Send the query string byte for byte, invalid UTF-8 included."""
    query = "&".join(f"{quote(k, safe='')}={quote(v, safe='', errors='surrogatepass')}" for k, v in pairs)
    return client.get(f"{path}?{query}")


@FUZZ
@given(pairs=st.lists(st.tuples(st.sampled_from(PARAMETERS), TEXT), min_size=1, max_size=6))
def test_search_parameters(client, pairs):
    check_page(raw_query(client, "/fr/recherche/", pairs), "fr")


@FUZZ
@given(query=TEXT, page=st.one_of(st.integers(-10, 10**12).map(str), TEXT))
def test_english_search_query_and_page(client, query, page):
    check_page(raw_query(client, "/en/search/", [("q", query), ("page", page)]), "en")


@FUZZ
@given(raw=st.binary(min_size=1, max_size=40))
def test_invalid_utf8_in_the_query_string(client, raw):
    query = "".join(f"%{byte:02X}" for byte in raw)
    check_page(client.get(f"/fr/recherche/?q={query}&year={query}"), "fr")


@FUZZ
@given(
    date=st.one_of(
        st.dates().map(lambda d: d.isoformat()), st.from_regex(r"\d{4}-\d{2}-\d{2}", fullmatch=True)
    ),
    slug=st.one_of(st.from_regex(r"[-a-zA-Z0-9_]{1,120}", fullmatch=True), TEXT),
    language=st.sampled_from(["fr", "en"]),
)
def test_meeting_urls(client, date, slug, language):
    section = "reunions" if language == "fr" else "meetings"
    response = client.get(f"/{language}/{section}/{date}-{quote(slug, safe='', errors='surrogatepass')}/")
    check_page(response, language)


@FUZZ
@given(year=st.one_of(st.integers(-(10**6), 10**20).map(str), TEXT), language=st.sampled_from(["fr", "en"]))
def test_year_pages(client, year, language):
    section = "reunions" if language == "fr" else "meetings"
    response = client.get(f"/{language}/{section}/{quote(year, safe='', errors='surrogatepass')}/")
    assert response.status_code < 500


@FUZZ
@given(prefix=st.one_of(TEXT, st.sampled_from(["fr", "en", "FR", "en-CA", "de", "", "%00", "fr-fr"])))
def test_language_prefix(client, prefix):
    response = client.get(f"/{quote(prefix, safe='', errors='surrogatepass')}/meetings/")
    assert response.status_code < 500
