"""
Smoke test of the production configuration: gunicorn, DEBUG off, whitenoise,
on the database the test session loaded. Crawl every public page in both
languages from /, and fail on any 4xx or 5xx, any missing static file, or any
page without the security headers.
"""

import json
import re
import urllib.error
import urllib.request
from html import unescape
from urllib.parse import urljoin, urlsplit

import pytest

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
