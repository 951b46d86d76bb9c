"""
Smoke test of the production configuration: gunicorn, DEBUG off, whitenoise,
on the database the test session loaded. Crawl every public page in both
languages from /, and fail on any 4xx or 5xx, any missing static file, or any
page without the security headers.
"""

import gc
import json
import re
import runpy
import socket
import time
import urllib.error
import urllib.request
from html import unescape
from urllib.parse import urljoin, urlsplit

import pytest

from .conftest import _database_url, production_environment, serve

pytestmark = pytest.mark.django_db

SECURITY_HEADERS = (
    "Content-Security-Policy",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "X-Frame-Options",
    "Permissions-Policy",
)
MAX_PAGES = 600


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(url):
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(url, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_production_server_serves_every_page_with_its_headers(production_server):
    gunicorn = production_server
    status, headers, _body = fetch(f"{gunicorn}/")
    assert status == 302
    queue = [urljoin(gunicorn, headers["Location"]), f"{gunicorn}/en/meetings/"]
    seen, assets, failures = set(queue), set(), []
    pages = 0
    while queue and pages < MAX_PAGES:
        url = queue.pop(0)
        status, headers, body = fetch(url)
        pages += 1
        if status in (301, 302):
            target = urljoin(url, headers["Location"])
            if target not in seen:
                seen.add(target)
                queue.append(target)
            continue
        if status != 200:
            failures.append(f"{status} {url}")
            continue
        if not headers.get("Content-Type", "").startswith("text/html"):
            continue
        missing = [name for name in SECURITY_HEADERS if name not in headers]
        if missing:
            failures.append(f"{url} lacks {missing}")
        html = body.decode()
        for tag in re.findall(r"<(?:link|script)[^>]+>", html):
            source = re.search(r'(?:href|src)="(/static/[^"]+)"', tag)
            if source:
                assets.add(urljoin(gunicorn, unescape(source.group(1))))
        for href in re.findall(r'href="([^"#]*)', html):
            target = urljoin(url, unescape(href))
            parts = urlsplit(target)
            if parts.netloc != urlsplit(gunicorn).netloc or parts.path.startswith(("/admin", "/static")):
                continue
            if target not in seen:
                seen.add(target)
                queue.append(target)
    assert not failures, "\n".join(failures)
    assert pages > 20
    assert any("/en/meetings/2023-10-03-" in url for url in seen)
    assert any("/fr/reunions/2021-11-29-" in url for url in seen)
    assert any("/fr/recherche/" in url for url in seen)
    assert assets, "no static file was linked"
    for asset in assets:
        status, headers, _body = fetch(asset)
        assert status == 200, asset
        assert "max-age=315360000" in headers["Cache-Control"], asset


def test_gunicorn_believes_no_scheme_header_that_django_does_not(production_server):
    # SECURE_PROXY_SSL_HEADER is off here: no header may turn a request into HTTPS.
    for header in ("X-Forwarded-Proto: https", "X-Forwarded-Ssl: on", "X-Forwarded-Protocol: ssl"):
        name, value = header.split(": ")
        request = urllib.request.Request(f"{production_server}/api/v1/", headers={name: value})
        with urllib.request.urlopen(request, timeout=30) as response:
            root = json.loads(response.read())
        assert root["meetings"].startswith("http://127.0.0.1:"), header


def test_a_worker_killed_for_its_time_leaves_one_json_line(tmp_path):
    log = tmp_path / "gunicorn.log"
    env = production_environment(_database_url(), GUNICORN_CMD_ARGS="--timeout 2", WEB_CONCURRENCY="1")
    with serve(env, log) as base:
        port = int(base.rsplit(":", 1)[1])
        # A client that announces a form and never sends it holds a sync worker
        # (CSRF protection reads the form) until gunicorn kills the worker.
        with socket.create_connection(("127.0.0.1", port), timeout=10) as slow_client:
            slow_client.sendall(
                b"POST /fr/recherche/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Cookie: csrftoken=" + b"a" * 32 + b"\r\n"
                b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nq="
            )
            deadline = time.monotonic() + 20
            while '"worker timeout"' not in log.read_text() and time.monotonic() < deadline:
                time.sleep(0.2)
        # The next worker serves again.
        assert fetch(f"{base}/healthz")[0] == 200
    lines = [json.loads(line) for line in log.read_text().splitlines() if '"worker timeout"' in line]
    assert len(lines) == 1
    assert lines[0]["level"] == "ERROR"
    assert (lines[0]["method"], lines[0]["path"], lines[0]["timeout_s"]) == ("POST", "/fr/recherche/", 2)
    assert lines[0]["duration_ms"] >= 2000


def test_each_instance_has_no_shared_control_socket(tmp_path):
    # gunicorn's default control socket is one path per user ($HOME/.gunicorn/gunicorn.ctl).
    home = tmp_path / "home"
    home.mkdir()
    env = production_environment(_database_url(), HOME=str(home))
    env.pop("XDG_RUNTIME_DIR", None)
    with serve(env) as first, serve(env) as second:
        assert fetch(f"{first}/healthz")[0] == fetch(f"{second}/healthz")[0] == 200
        assert not (home / ".gunicorn").exists()
    own_socket = tmp_path / "instance.ctl"
    with serve({**env, "GUNICORN_CONTROL_SOCKET": str(own_socket)}) as base:
        assert fetch(f"{base}/healthz")[0] == 200
        assert own_socket.is_socket()
        assert not (home / ".gunicorn").exists()


def test_a_filtered_download_is_chunked_so_a_cut_is_visible(production_server):
    # A stream that fails after its first rows cannot change its status any
    # more; gunicorn then closes the connection without the last, empty chunk,
    # and an HTTP/1.1 client (or nginx, which speaks HTTP/1.1 to it) reports an
    # incomplete transfer instead of a complete file.
    port = int(production_server.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(
            b"GET /fr/donnees-ouvertes/recommandations.csv?q=services HTTP/1.1\r\n"
            b"Host: 127.0.0.1\r\nConnection: close\r\n\r\n"
        )
        response = b""
        while chunk := sock.recv(65536):
            response += chunk
    head, _, body = response.partition(b"\r\n\r\n")
    headers = head.decode().lower()
    assert headers.startswith("http/1.1 200")
    assert "transfer-encoding: chunked" in headers
    assert "content-length" not in headers
    assert body.endswith(b"\r\n0\r\n\r\n")


def test_a_worker_leaves_what_loading_made_out_of_the_collectors_rounds():
    configuration = runpy.run_path("ccs_archive/gunicorn.conf.py")
    try:
        configuration["post_worker_init"](worker=None)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
