"""
The database router, on whichever database the suite runs: reads from a
replica, writes and staff on the primary, a failed replica skipped.

The replica here is a real second connection to the test database itself
(``replica_mirror``, tests/settings.py), and, for a replica that is down, a
production server (gunicorn) whose replica is a PostgreSQL server that is not
there. tests/test_topology.py
drives a real streaming replica.
"""

import pytest
from django.contrib.auth.models import User
from django.db import connections
from django.test import RequestFactory

from ccs_archive import replicas
from ccs_archive.replicas import ReplicaRouter
from meetings.models import Meeting

pytestmark = pytest.mark.django_db(databases=["default", "replica_mirror"])

FR_MEETING = "/fr/reunions/2023-10-03-l-avenir-de-service-canada-partie-2/"


@pytest.fixture
def replica_settings(settings):
    """Every replica checked afresh, before and after the test."""
    replicas.forget_health()
    yield settings
    connections["replica_mirror"].close()
    replicas.forget_health()


@pytest.fixture
def in_a_public_request():
    """What ReplicaMiddleware sets for an anonymous GET."""
    token = replicas._replicas_allowed.set(True)
    used = replicas._replica_used.set(None)
    yield
    replicas._replicas_allowed.reset(token)
    replicas._replica_used.reset(used)


def test_outside_a_request_everything_uses_the_primary(replica_settings):
    """Management commands, migrations and background builds never read a replica."""
    replica_settings.DATABASE_REPLICAS = ["replica_mirror"]
    router = ReplicaRouter()
    assert router.db_for_read(Meeting) == "default"
    assert router.db_for_write(Meeting) == "default"


def test_a_public_request_reads_from_a_replica(replica_settings, in_a_public_request):
    replica_settings.DATABASE_REPLICAS = ["replica_mirror"]
    assert ReplicaRouter().db_for_read(Meeting) == "replica_mirror"
    meetings = Meeting.objects.published()
    assert meetings.db == "replica_mirror"
    # A real read, on its own connection: the archive the session committed.
    assert meetings.filter(date="2023-10-03").exists()
    assert ReplicaRouter().db_for_write(Meeting) == "default"


def test_writes_and_migrations_stay_on_the_primary(replica_settings, in_a_public_request):
    replica_settings.DATABASE_REPLICAS = ["replica_mirror"]
    router = ReplicaRouter()
    assert router.db_for_write(Meeting) == "default"
    assert router.allow_migrate("default", "meetings")
    assert not router.allow_migrate("replica_mirror", "meetings")


def test_a_replica_lagging_beyond_the_limit_is_skipped(replica_settings, in_a_public_request):
    replica_settings.DATABASE_REPLICAS = ["replica_mirror"]
    # Any replica is at least 0 s behind: a negative limit makes every one too far.
    replica_settings.DATABASE_REPLICA_MAX_LAG = -1
    assert ReplicaRouter().db_for_read(Meeting) == "default"


@pytest.mark.parametrize(
    "method, path, cookies, expected",
    [
        ("get", "/fr/reunions/", {}, True),
        ("head", "/fr/reunions/", {}, True),
        ("post", "/fr/reunions/", {}, False),
        ("get", "/admin/", {}, False),
        ("get", "/fr/reunions/", {"sessionid": "x"}, False),
        ("get", "/fr/reunions/", {"ccs_primary": "1"}, False),
    ],
)
def test_who_reads_from_the_primary(method, path, cookies, expected):
    request = getattr(RequestFactory(), method)(path)
    request.COOKIES.update(cookies)
    assert replicas.reads_from_primary(request) is not expected


def test_a_write_keeps_the_browser_on_the_primary_for_a_while(client, settings):
    settings.DATABASE_REPLICAS = ["replica_mirror"]  # any: the cookie is set whenever replicas exist
    User.objects.create_user("staff", password="a-long-enough-password", is_staff=True)
    response = client.post("/admin/login/", {"username": "staff", "password": "a-long-enough-password"})
    cookie = response.cookies[settings.READ_PRIMARY_COOKIE]
    assert cookie["max-age"] == settings.DATABASE_READ_YOUR_WRITES_SECONDS
    assert cookie["httponly"]
    assert "no-store" in response["Cache-Control"]


# A replica that cannot be reached, under the production server

# Port 9 (discard) is closed on the loopback: nothing answers there.
UNREACHABLE_REPLICA = "postgres://nobody@127.0.0.1:9/archive"


@pytest.fixture(scope="module")
def server_with_a_replica_down(django_db_setup):
    from tests.conftest import _database_url, production_environment, serve

    with serve(
        production_environment(_database_url(), DATABASE_REPLICA_URLS=UNREACHABLE_REPLICA, LOG_LEVEL="ERROR")
    ) as base:
        yield base


@pytest.mark.parametrize(
    "path", ["/fr/reunions/", FR_MEETING, "/fr/recherche/?q=services", "/api/v1/meetings/", "/sitemap.xml"]
)
def test_public_pages_answer_from_the_primary_when_the_replica_is_down(server_with_a_replica_down, path):
    import urllib.request

    with urllib.request.urlopen(server_with_a_replica_down + path, timeout=10) as response:
        assert response.status == 200


def test_a_search_reads_all_its_rows_from_the_replica(replica_settings, request):
    """Its matches and its page from one database: a replica that has not replayed a match yet cannot lose it."""
    from django.test.utils import CaptureQueriesContext

    from meetings.search.engine import search_recommendations

    def page(results):
        return [hit.recommendation.pk for hit in results.page.object_list], results.total, results.years

    on_the_primary = page(search_recommendations("services numériques", "fr"))
    # The request begins only now: in one with no replica, the router keeps to the primary for the rest of it.
    replica_settings.DATABASE_REPLICAS = ["replica_mirror"]
    request.getfixturevalue("in_a_public_request")
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica_mirror"]) as replica,
    ):
        on_the_replica = page(search_recommendations("services numériques", "fr"))
    assert on_the_replica == on_the_primary
    assert len(replica) and not len(primary), [query["sql"] for query in primary]
