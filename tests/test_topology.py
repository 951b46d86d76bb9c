"""
The production topology, for real (deploy/topology.py): nginx with TLS in
front of two gunicorn instances, a PostgreSQL primary and a streaming
replica made by pg_basebackup, and Redis. Started once for this file, on
ports 18060-18066, and torn down after it.

They run in the PostgreSQL pass of CI (.ci/run sets CCS_REQUIRE_TOPOLOGY=1,
under which anything missing fails instead of skipping).
"""

import os
import re
import shutil
import subprocess
import time
import uuid

import pytest
import requests
from django.db import connection

from deploy.topology import BROTLI_MODULE, POSTGRES_BIN, Topology, nginx_test, render_nginx
from tests.forms import submitted

# The documented time an edit takes to reach every reader through the cache is
# CACHE_MAX_AGE; it is short here, to be waited for.
CACHE_MAX_AGE = 2
BASE_PORT = 18060
REQUIRED = os.environ.get("CCS_REQUIRE_TOPOLOGY") == "1"
TIMEOUT = 10
RATE_LIMITS = {"search": "60/m", "api": "120/m", "exports": "20/m", "login": "10/m"}


def missing_parts():
    tools = ["nginx", "redis-server", "redis-cli", "openssl", "runuser"]
    missing = [tool for tool in tools if shutil.which(tool) is None]
    missing += [str(POSTGRES_BIN / tool) for tool in ("initdb", "pg_ctl", "pg_basebackup")]
    return [name for name in missing if "/" not in name or not os.path.exists(name)]


def require_topology():
    missing = missing_parts()
    if missing:
        message = (
            f"the topology needs {', '.join(missing)} (apt-get install nginx redis-server postgresql-15)"
        )
        if REQUIRED:
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="module")
def topology(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        vendor = connection.vendor
    if vendor != "postgresql" and not REQUIRED:
        pytest.skip("the topology tests run in the PostgreSQL pass (DATABASE_URL=postgres://…), as in CI")
    require_topology()
    # The session collected the static files (tests/conftest.py); nginx serves them from there.
    with Topology(
        base_port=BASE_PORT, cache_max_age=CACHE_MAX_AGE, rate_limits=RATE_LIMITS, collect_static=False
    ) as running:
        yield running


def client_of(topology):
    """A browser that trusts the topology's certificate (and no setting from the environment)."""
    session = requests.Session()
    session.trust_env = False
    session.verify = str(topology.certificate)
    return session


@pytest.fixture
def web(topology):
    return client_of(topology)


def fresh(path):
    """The same page at an address no cache has seen yet (the site ignores unknown parameters)."""
    separator = "&" if "?" in path else "?"
    return f"{path}{separator}fresh={uuid.uuid4().hex}"


FR_MEETING = "/fr/reunions/2023-10-03-l-avenir-de-service-canada-partie-2/"


def psql(port, sql):
    result = subprocess.run(
        [
            str(POSTGRES_BIN / "psql"),
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "-U",
            "postgres",
            "-d",
            "ccs",
            "-Atc",
            sql,
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=TIMEOUT,
    )
    return result.stdout.strip()


# The shipped nginx configuration


def test_the_shipped_nginx_configuration_passes_nginx_t(tmp_path):
    if shutil.which("nginx") is None:
        if REQUIRED:
            pytest.fail("nginx is not installed (apt-get install nginx)")
        pytest.skip("nginx is not installed (apt-get install nginx)")
    certificate = tmp_path / "cert.pem"
    key = tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
         "-keyout", str(key), "-out", str(certificate)],
        check=True, capture_output=True, timeout=TIMEOUT,
    )  # fmt: skip
    config = render_nginx(
        tmp_path / "nginx",
        upstreams=["127.0.0.1:18097", "127.0.0.1:18098"],
        http_port=18090,
        https_port=18091,
        certificate=certificate,
        certificate_key=key,
        static_root=tmp_path,
        archive_files_root=tmp_path,
        rate_limits=RATE_LIMITS,
    )
    assert "syntax is ok" in nginx_test(config)
    site = (config.parent / "ccs-archive.conf").read_text()
    assert "rate=60r/m" in site and "rate=20r/m" in site and "burst=120" in site
    assert ("brotli on;" in site) == BROTLI_MODULE.exists()


# Through nginx


def test_http_is_redirected_to_https(topology):
    response = requests.get(f"{topology.http_url}{FR_MEETING}", allow_redirects=False, timeout=TIMEOUT)
    assert response.status_code == 301
    assert response.headers["Location"] == f"{topology.base_url}{FR_MEETING}"


def test_a_meeting_page_comes_from_the_cache_the_second_time(topology, web):
    path = fresh(FR_MEETING)
    first = web.get(topology.base_url + path, timeout=TIMEOUT)
    second = web.get(topology.base_url + path, timeout=TIMEOUT)
    assert first.status_code == second.status_code == 200
    assert first.headers["X-Cache-Status"] == "MISS"
    assert second.headers["X-Cache-Status"] == "HIT"
    assert second.text == first.text


def test_if_none_match_gets_a_304(topology, web):
    page = web.get(topology.base_url + FR_MEETING, timeout=TIMEOUT)
    again = web.get(
        topology.base_url + FR_MEETING, headers={"If-None-Match": page.headers["ETag"]}, timeout=TIMEOUT
    )
    assert again.status_code == 304
    assert again.content == b""


def test_pages_are_compressed(topology, web):
    gzipped = web.get(topology.base_url + FR_MEETING, headers={"Accept-Encoding": "gzip"}, timeout=TIMEOUT)
    assert gzipped.headers["Content-Encoding"] == "gzip"
    assert "<main" in gzipped.text  # requests inflates it
    api = web.get(
        topology.base_url + "/api/v1/meetings/", headers={"Accept-Encoding": "gzip"}, timeout=TIMEOUT
    )
    assert api.headers["Content-Encoding"] == "gzip"
    if BROTLI_MODULE.exists():
        brotli = web.get(
            topology.base_url + fresh(FR_MEETING), headers={"Accept-Encoding": "br"}, timeout=TIMEOUT
        )
        assert brotli.headers["Content-Encoding"] == "br"


@pytest.mark.parametrize("cached", [False, True])
def test_security_headers_survive_the_proxy_and_its_cache(topology, web, cached):
    path = fresh(FR_MEETING)
    first = web.get(topology.base_url + path, timeout=TIMEOUT)
    second = web.get(topology.base_url + path, timeout=TIMEOUT)
    response = second if cached else first
    assert response.headers["X-Cache-Status"] == ("HIT" if cached else "MISS")
    headers = response.headers
    # The site saw HTTPS (X-Forwarded-Proto from nginx): HSTS is sent.
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in headers["Permissions-Policy"]
    assert "Server" not in headers or "/" not in headers["Server"]


def test_static_files_are_served_by_nginx_for_a_year(topology, web):
    page = web.get(topology.base_url + FR_MEETING, timeout=TIMEOUT).text
    stylesheet = re.search(r'href="(/static/[^"]+\.css)"', page).group(1)
    response = web.get(topology.base_url + stylesheet, headers={"Accept-Encoding": "gzip"}, timeout=TIMEOUT)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["Content-Encoding"] == "gzip"
    assert "X-Cache-Status" not in response.headers  # never went to the application


def test_the_whole_archive_is_sent_by_nginx_with_the_sites_validators(topology, web):
    url = topology.base_url + "/fr/donnees-ouvertes/recommandations.csv?lang=all"
    response = web.get(url, timeout=TIMEOUT)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="ccs-recommandations-fr-en.csv"'
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "X-Accel-Redirect" not in response.headers
    path = topology.root / "archive-files" / "recommendations-fr-all.csv"
    assert response.content == path.read_bytes()
    stat = path.stat()
    # The site's tag, and nginx's for that file; weak once nginx has compressed the body.
    assert response.headers["ETag"].removeprefix("W/") == f'"{int(stat.st_mtime):x}-{stat.st_size:x}"'
    assert (
        web.get(url, headers={"If-None-Match": response.headers["ETag"]}, timeout=TIMEOUT).status_code == 304
    )
    # The internal location cannot be asked for directly.
    assert (
        web.get(topology.base_url + "/_archive-files/recommendations-fr-all.csv", timeout=TIMEOUT).status_code
        == 404
    )


def test_a_spoofed_x_forwarded_for_does_not_escape_the_rate_limit(topology, web):
    """Each request claims another address; nginx replaces the header, so the site counts one client."""
    statuses = []
    for number in range(25):
        response = web.get(
            topology.base_url + "/fr/donnees-ouvertes/recommandations.json",
            params={"q": f"services {number}"},
            headers={"X-Forwarded-For": f"203.0.113.{number}"},
            timeout=TIMEOUT,
        )
        statuses.append(response.status_code)
    # Earlier tests may have downloaded a file or two this minute (RATE_LIMIT_EXPORTS is 20/m).
    assert statuses[:15] == [200] * 15
    assert statuses[-5:] == [429] * 5


def test_the_sign_in_lockout_sees_the_real_address(topology, web):
    """Five failures under five claimed addresses lock the username out from this one."""

    def sign_in(password, number):
        page = web.get(topology.base_url + "/admin/login/", timeout=TIMEOUT)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        return web.post(
            topology.base_url + "/admin/login/",
            data={
                "csrfmiddlewaretoken": token,
                "username": "editor",
                "password": password,
                "next": "/admin/",
            },
            headers={
                "Referer": topology.base_url + "/admin/login/",
                "X-Forwarded-For": f"198.51.100.{number}",
            },
            allow_redirects=False,
            timeout=TIMEOUT,
        )

    topology.manage(
        "shell",
        "-c",
        "from django.contrib.auth.models import User; User.objects.create_user('editor', password='not-the-real-one-123')",
    )
    # The fifth failure for one username and address locks them out (AXES_FAILURE_LIMIT).
    for number in range(4):
        assert sign_in("wrong-password", number).status_code == 200
    assert sign_in("wrong-password", 4).status_code == 429
    # Even the right password, from yet another claimed address.
    assert sign_in("not-the-real-one-123", 99).status_code == 429
    topology.manage("axes_reset")
    topology.manage(
        "shell",
        "-c",
        "from django.contrib.auth.models import User; User.objects.filter(username='editor').delete()",
    )


# The replica


def replica_transactions(topology):
    return int(psql(topology.replica_port, "SELECT xact_commit FROM pg_stat_database WHERE datname = 'ccs'"))


def test_public_reads_are_served_by_the_replica(topology, web):
    assert psql(topology.replica_port, "SELECT pg_is_in_recovery()") == "t"
    before = replica_transactions(topology)
    for _ in range(5):
        assert web.get(topology.base_url + fresh("/fr/reunions/"), timeout=TIMEOUT).status_code == 200
    # The replica's statistics are written when its sessions go idle, within a second or so.
    deadline = time.monotonic() + TIMEOUT
    while replica_transactions(topology) < before + 5 and time.monotonic() < deadline:
        time.sleep(0.3)
    assert replica_transactions(topology) >= before + 5
    # The application servers hold connections to the replica.
    clients = psql(
        topology.replica_port,
        "SELECT count(*) FROM pg_stat_activity WHERE datname = 'ccs' AND backend_type = 'client backend' "
        "AND pid <> pg_backend_pid()",
    )
    assert int(clients) >= 1


def test_an_admin_edit_reaches_readers_within_the_cache_lifetime(topology, web):
    topology.manage(
        "shell", "-c",
        "from django.contrib.auth.models import User; "
        "User.objects.create_superuser('chief', password='a-long-enough-password')",
    )  # fmt: skip
    reader = client_of(topology)
    # Readers have the page in the cache.
    reader.get(topology.base_url + FR_MEETING, timeout=TIMEOUT)
    assert reader.get(topology.base_url + FR_MEETING, timeout=TIMEOUT).headers["X-Cache-Status"] == "HIT"

    login = web.get(topology.base_url + "/admin/login/", timeout=TIMEOUT)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text).group(1)
    signed_in = web.post(
        topology.base_url + "/admin/login/?next=/admin/",
        data={
            "csrfmiddlewaretoken": token,
            "username": "chief",
            "password": "a-long-enough-password",
            "next": "/admin/",
        },
        headers={"Referer": topology.base_url + "/admin/login/"},
        timeout=TIMEOUT,
    )
    assert signed_in.status_code == 200 and "/admin/logout/" in signed_in.text
    pk = web.get(topology.base_url + "/api/v1/recommendations/?page_size=1", timeout=TIMEOUT).json()[
        "results"
    ][0]["id"]
    change = topology.base_url + f"/admin/meetings/recommendation/{pk}/change/"
    fields = submitted(web.get(change, timeout=TIMEOUT).text, "recommendation_form")
    marker = f"Révisé {uuid.uuid4().hex[:8]}"
    fields["text_fr"] += f" {marker}"
    saved = web.post(change, data=fields, headers={"Referer": change}, allow_redirects=False, timeout=TIMEOUT)
    assert saved.status_code == 302, saved.text[:2000]
    edited_at = time.monotonic()

    # The editor reads the write at once: from the primary, past the cache.
    assert marker in web.get(change, timeout=TIMEOUT).text
    own_view = web.get(topology.base_url + FR_MEETING, timeout=TIMEOUT)
    assert marker in own_view.text
    assert own_view.headers["X-Cache-Status"] == "BYPASS"
    assert "private" in own_view.headers["Cache-Control"]

    # Readers see it once their copy expires: within CACHE_MAX_AGE, the one
    # request that refreshes a stale copy aside.
    while time.monotonic() - edited_at < CACHE_MAX_AGE + 5:
        if marker in reader.get(topology.base_url + FR_MEETING, timeout=TIMEOUT).text:
            break
        time.sleep(0.25)
    assert marker in reader.get(topology.base_url + FR_MEETING, timeout=TIMEOUT).text
    assert time.monotonic() - edited_at <= CACHE_MAX_AGE + 5


def test_the_rate_limit_answers_429(topology, web):
    responses = [
        web.get(topology.base_url + "/fr/recherche/", params={"q": f"mot{number}"}, timeout=TIMEOUT)
        for number in range(65)
    ]
    statuses = [response.status_code for response in responses]
    assert statuses.count(429) >= 1
    assert statuses[:55] == [200] * 55
    # Whether nginx or the site refused it: a page a reader understands, and when to come back.
    refused = next(response for response in responses if response.status_code == 429)
    assert all(
        response.headers["Content-Type"].lower().replace(" ", "") == "text/html;charset=utf-8"
        for response in responses
        if response.status_code == 429
    ), "a browser must not read the French accents as Latin-1"
    assert "Trop de requêtes" in refused.text
    assert int(refused.headers["Retry-After"]) > 0


def test_nginx_answers_a_bilingual_503_when_no_application_server_answers(topology, web):
    assert web.get(topology.base_url + FR_MEETING, timeout=TIMEOUT).status_code == 200
    for index in range(len(topology.app_ports)):
        topology.stop_app(index)
    try:
        page = web.get(topology.base_url + fresh("/fr/reunions/2022/"), timeout=TIMEOUT)
        assert page.status_code == 503
        assert page.headers["Content-Type"].lower().replace(" ", "") == "text/html;charset=utf-8"
        assert "Service indisponible" in page.text and "Service unavailable" in page.text
        assert page.headers["Retry-After"] == "30"
        api = web.get(topology.base_url + fresh("/api/v1/meetings/"), timeout=TIMEOUT)
        assert api.status_code == 503
        assert api.headers["Content-Type"] == "application/json"
        assert api.json()["error"]["code"] == "service_unavailable"
        # A page already in the cache is still served, stale, while the site is down.
        assert web.get(topology.base_url + FR_MEETING, timeout=TIMEOUT).status_code == 200
    finally:
        for index in range(len(topology.app_ports)):
            topology.start_app(index)
    # nginx leaves an instance alone for fail_timeout (5 s) after it failed, then
    # tries it again: the site is back within that time, without a reload.
    deadline = time.monotonic() + 15
    while (
        status := web.get(topology.base_url + fresh("/fr/reunions/2022/"), timeout=TIMEOUT).status_code
    ) != 200:
        assert status == 503
        assert time.monotonic() < deadline, "nginx did not send readers to the restarted servers"
        time.sleep(0.5)


def test_pages_stay_up_when_the_replica_stops(topology, web):
    """Last: it stops the replica (and starts it again)."""
    topology.stop_replica()
    try:
        paths = [
            "/fr/reunions/",
            FR_MEETING,
            "/en/meetings/2022/",
            "/api/v1/meetings/",
            "/fr/sujets/",
        ]
        for path in paths:
            # Past the cache, to the application servers, each of them.
            assert web.get(topology.base_url + fresh(path), timeout=TIMEOUT).status_code == 200
            for index in range(len(topology.app_ports)):
                direct = requests.get(
                    topology.app_url(index) + fresh(path),
                    headers={"X-Forwarded-Proto": "https"},
                    allow_redirects=False,
                    timeout=TIMEOUT,
                )
                assert direct.status_code == 200
    finally:
        topology.start_replica_again()
