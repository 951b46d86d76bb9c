"""HTTP caching as a client sees it: validators, 304s, Cache-Control policies and Vary."""

import pytest
from django.contrib.auth.models import User
from django.utils.cache import get_max_age

from meetings.models import ArchiveRevision, Meeting, Subject

pytestmark = pytest.mark.django_db

FR_MEETING = "/fr/reunions/2023-10-03-l-avenir-de-service-canada-partie-2/"
EN_MEETING = "/en/meetings/2023-10-03-the-future-of-service-canada-part-2/"

PUBLIC_PAGES = [
    "/fr/reunions/",
    "/en/meetings/2022/",
    FR_MEETING,
    EN_MEETING,
    "/fr/sujets/",
    "/en/open-data/",
    "/fr/a-propos/",
    "/fr/reunions/fil/",
    "/sitemap.xml",
    "/sitemap-meetings.xml",
    "/api/v1/meetings/",
    "/api/v1/committees/",
]


def directives(response):
    return {part.strip() for part in response["Cache-Control"].split(",")}


def vary(response):
    return {part.strip().lower() for part in response.get("Vary", "").split(",") if part.strip()}


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_are_shared_cacheable_with_validators(client, settings, path):
    response = client.get(path)
    assert response.status_code == 200
    assert directives(response) == {
        "public",
        f"max-age={settings.CACHE_MAX_AGE}",
        f"stale-while-revalidate={settings.CACHE_STALE_WHILE_REVALIDATE}",
        f"stale-if-error={settings.CACHE_STALE_IF_ERROR}",
    }
    assert response["ETag"].startswith('W/"')
    assert response["Last-Modified"].endswith(" GMT")
    assert "cookie" in vary(response)
    assert not response.cookies


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_a_current_copy_gets_a_304_after_one_query_without_rendering(
    client, django_assert_max_num_queries, path
):
    etag = client.get(path)["ETag"]
    with django_assert_max_num_queries(1) as queries:
        response = client.get(path, headers={"if-none-match": etag})
    assert response.status_code == 304
    assert response.content == b""
    assert response.templates == []
    assert "meetings_archiverevision" in queries.captured_queries[0]["sql"]
    # The same validators and policy as the full answer, for the cache that revalidated.
    assert response["ETag"] == etag
    assert "public" in directives(response)


def test_if_modified_since_gets_a_304_until_the_archive_changes(client, newest_meeting):
    last_modified = client.get(FR_MEETING)["Last-Modified"]
    assert client.get(FR_MEETING, headers={"if-modified-since": last_modified}).status_code == 304
    # Dates are to the second: the change must be seen as later.
    ArchiveRevision.objects.filter(pk=ArchiveRevision.ROW).update(changed_at="2000-01-01T00:00:00Z")
    assert client.get(FR_MEETING, headers={"if-modified-since": last_modified}).status_code == 304
    newest_meeting.title_fr += " (révisé)"
    newest_meeting.save()
    response = client.get(FR_MEETING, headers={"if-modified-since": last_modified})
    assert response.status_code == 200
    assert "(révisé)" in response.content.decode()


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(
            lambda meeting: setattr(meeting.themes.first(), "title_en", "x") or None, id="an unsaved change"
        ),
        pytest.param(
            lambda meeting: meeting.themes.first().recommendations.first().save(), id="a recommendation"
        ),
        pytest.param(
            lambda meeting: (setattr(meeting, "is_published", False), meeting.save()), id="unpublish"
        ),
        pytest.param(lambda meeting: Meeting.objects.get(pk=meeting.pk).delete(), id="delete a meeting"),
        pytest.param(
            lambda meeting: Subject.objects.first().recommendations.clear(),
            id="a subject's links",
        ),
        pytest.param(lambda meeting: meeting.committee.save(), id="the committee"),
    ],
)
def test_every_change_to_the_archive_changes_the_etag(client, newest_meeting, change, request):
    etag = client.get("/fr/reunions/")["ETag"]
    change(newest_meeting)
    response = client.get("/fr/reunions/", headers={"if-none-match": etag})
    if request.node.callspec.id == "an unsaved change":
        assert response.status_code == 304
    else:
        assert response.status_code == 200
        assert response["ETag"] != etag


def test_an_unpublished_meeting_leaves_the_listing_at_once(client, newest_meeting):
    """Its modification was the newest: a date-only validator would go back in time and say 304."""
    first = client.get("/en/meetings/")
    newest_meeting.is_published = False
    newest_meeting.save()
    second = client.get(
        "/en/meetings/", headers={"if-none-match": first["ETag"], "if-modified-since": first["Last-Modified"]}
    )
    assert second.status_code == 200
    assert newest_meeting.title_en not in second.content.decode()


def test_the_etag_names_the_release(client, monkeypatch):
    from ccs_archive import http_caching

    etag = client.get("/fr/reunions/")["ETag"]
    monkeypatch.setattr("meetings.conditional.release_fingerprint", lambda: "next-release")
    response = client.get("/fr/reunions/", headers={"if-none-match": etag})
    assert response.status_code == 200
    assert "next-release" in response["ETag"]
    assert http_caching.release_fingerprint() in etag


@pytest.mark.parametrize(
    "path",
    [
        "/fr/recherche/?q=services",
        "/en/search/?q=passport",
        "/fr/recherche/fil/?q=services",
        "/api/v1/recommendations/?q=services",
        "/fr/donnees-ouvertes/recommandations.csv?q=services",
        "/en/open-data/recommendations.json?year=2022",
    ],
)
def test_searches_and_downloads_are_kept_for_less_time(client, settings, path, django_assert_max_num_queries):
    response = client.get(path)
    assert response.status_code == 200
    assert get_max_age(response) == settings.CACHE_SEARCH_MAX_AGE < settings.CACHE_MAX_AGE
    assert f"stale-while-revalidate={settings.CACHE_SEARCH_MAX_AGE}" in directives(response)
    with django_assert_max_num_queries(1):
        assert client.get(path, headers={"if-none-match": response["ETag"]}).status_code == 304


def test_the_whole_archive_download_keeps_its_file_validators(client, settings):
    response = client.get("/fr/donnees-ouvertes/recommandations.csv")
    assert response.status_code == 200
    assert get_max_age(response) == settings.CACHE_SEARCH_MAX_AGE
    assert not response["ETag"].startswith("W/")  # The file's own, byte for byte.
    assert (
        client.get(
            "/fr/donnees-ouvertes/recommandations.csv", headers={"if-none-match": response["ETag"]}
        ).status_code
        == 304
    )


@pytest.mark.parametrize("path", ["/admin/", "/admin/login/"])
def test_the_admin_is_never_stored(client, path):
    response = client.get(path)
    assert {"private", "no-store"} <= directives(response)
    assert "public" not in directives(response)


def test_a_response_that_sets_a_cookie_is_never_stored(client):
    response = client.get("/admin/login/")
    assert response.cookies  # the CSRF token
    assert {"private", "no-store"} <= directives(response)


def test_a_public_page_asked_for_by_a_signed_in_editor_is_private(client, newest_meeting):
    user = User.objects.create_user("staff", password="a-long-enough-password", is_staff=True)
    client.force_login(user)
    response = client.get(FR_MEETING)
    assert response.status_code == 200
    assert directives(response) == {"private", "no-cache"}
    # Checked every time: the editor's change shows at once.
    newest_meeting.title_fr += " (révisé)"
    newest_meeting.save()
    assert client.get(FR_MEETING, headers={"if-none-match": response["ETag"]}).status_code == 200


def test_a_browser_that_has_just_written_gets_private_pages(client, settings):
    client.cookies[settings.READ_PRIMARY_COOKIE] = "1"
    assert "private" in directives(client.get("/fr/reunions/"))


def test_language_is_in_the_address_not_in_a_header(client):
    """Each language has its own addresses: their pages never vary on Accept-Language."""
    french = client.get("/fr/reunions/", headers={"accept-language": "en"})
    english = client.get("/en/meetings/", headers={"accept-language": "fr"})
    assert 'lang="fr"' in french.content.decode() and 'lang="en"' in english.content.decode()
    for response in (french, english):
        assert "accept-language" not in vary(response)
    assert client.get("/fr/reunions/", headers={"accept-language": "fr"}).content == french.content


def test_the_root_redirect_varies_on_the_language_and_is_not_shared(client):
    response = client.get("/", headers={"accept-language": "en"})
    assert response.status_code == 302 and response["Location"] == "/en/meetings/"
    assert {"accept-language", "cookie"} <= vary(response)
    assert "public" not in response.get("Cache-Control", "")


def test_addresses_without_a_language_vary_on_accept_language(client):
    # The API and the sitemap answer in both languages, but Django's locale
    # middleware still reads the header there: caches are told so.
    assert "accept-language" in vary(client.get("/api/v1/meetings/"))


@pytest.mark.parametrize(
    "header",
    ['"', "W/", "*", "\x00garbage", 'W/"r1-x", "another"', "not a date"],
)
def test_odd_validators_never_give_an_error(client, header):
    assert client.get("/fr/reunions/", headers={"if-none-match": header}).status_code in (200, 304)
    assert client.get("/fr/reunions/", headers={"if-modified-since": header}).status_code == 200


def test_a_write_is_never_answered_from_a_validator(client):
    etag = client.get("/api/v1/meetings/")["ETag"]
    response = client.post("/api/v1/meetings/", headers={"if-none-match": etag})
    assert response.status_code == 405


def test_head_is_conditional_too(client):
    etag = client.get("/fr/reunions/")["ETag"]
    assert client.head("/fr/reunions/", headers={"if-none-match": etag}).status_code == 304


def test_static_files_stay_public_for_a_signed_in_editor(client):
    import re

    stylesheet = re.search(
        r'href="(/static/[^"]+\.css)"', client.get("/fr/reunions/").content.decode()
    ).group(1)
    client.force_login(User.objects.create_user("staff", password="a-long-enough-password", is_staff=True))
    response = client.get(stylesheet)
    assert response.status_code == 200
    assert "public" in directives(response) and "private" not in directives(response)
