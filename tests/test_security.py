"""Security headers, the login lockout, the health check and the production configuration."""

import json
import logging
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import DatabaseError

pytestmark = pytest.mark.django_db

PAGES = ["/fr/reunions/", "/en/meetings/2023/", "/fr/recherche/?q=donn%C3%A9es", "/admin/login/"]


def run_manage(*args, env):
    # The production settings, not the test suite's.
    unwanted = ("SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE")
    base = {key: value for key, value in os.environ.items() if key not in unwanted}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("path", PAGES)
def test_security_headers_on_every_kind_of_page(client, path):
    response = client.get(path)
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"]


def test_hsts_over_https(client):
    response = client.get("/fr/reunions/", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_cookies_are_secure_and_http_only(client):
    response = client.get("/admin/login/")
    cookie = response.cookies[settings.CSRF_COOKIE_NAME]
    assert cookie["secure"] and cookie["httponly"]
    assert settings.SESSION_COOKIE_SECURE and settings.SESSION_COOKIE_HTTPONLY


def test_pages_have_no_inline_script_or_style(client):
    for path in PAGES[:3]:
        page = client.get(path).content.decode()
        assert "<style" not in page
        assert " style=" not in page
        for tag in page.split("<script")[1:]:
            assert 'src="' in tag.split(">")[0] or 'type="application/ld+json"' in tag.split(">")[0]


def test_admin_login_locks_out_after_repeated_failures(client):
    User.objects.create_user("staff", password="the-right-password-123", is_staff=True)
    statuses = [
        client.post("/admin/login/", {"username": "staff", "password": "wrong"}).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    # Each failure shows the form again, until the last one locks.
    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    locked = client.post("/admin/login/", {"username": "staff", "password": "the-right-password-123"})
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Trop de tentatives" in page or "Too many failed sign-in attempts" in page
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_username_and_address(client):
    User.objects.create_user("other", password="another-right-password", is_staff=True)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/admin/login/", {"username": "someone", "password": "wrong"})
    response = client.post("/admin/login/", {"username": "other", "password": "another-right-password"})
    assert response.status_code == 302


def test_health_check_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_health_check_reports_a_database_it_cannot_reach(client, monkeypatch):
    from django.db import connection

    def broken_cursor(*args, **kwargs):
        raise DatabaseError("server closed the connection")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}
    assert "server closed" not in response.content.decode()


def test_each_request_is_logged_as_one_structured_line(client, caplog):
    from ccs_archive.logging import JsonFormatter

    with caplog.at_level(logging.INFO, logger="ccs_archive.requests"):
        client.get("/fr/reunions/")
    record = next(r for r in caplog.records if r.name == "ccs_archive.requests")
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["path"] == "/fr/reunions/"
    assert entry["status"] == 200
    assert entry["duration_ms"] >= 0


def test_refuses_to_start_without_a_secret_key():
    result = run_manage("check", env={"DEBUG": "0"})
    assert result.returncode == 1
    assert "Refusing to start: SECRET_KEY must be set" in result.stderr
    assert "Traceback" not in result.stderr


def test_check_deploy_is_clean_in_production():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            "DEBUG": "0",
            "SECRET_KEY": "a-production-secret-key-made-of-many-characters-9f8e7d6c5b4a3",
            "ALLOWED_HOSTS": "archive.example.ca",
            "CSRF_TRUSTED_ORIGINS": "https://archive.example.ca",
        },
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


@pytest.mark.parametrize("level", ["warning", "Info", " ERROR "])
def test_log_level_is_read_in_any_case(level):
    result = run_manage("check", env={"DEBUG": "1", "LOG_LEVEL": level})
    assert result.returncode == 0, result.stderr


def test_an_unknown_log_level_is_a_one_line_error():
    result = run_manage("check", env={"DEBUG": "1", "LOG_LEVEL": "loud"})
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "LOG_LEVEL='loud' is not a level: use DEBUG, INFO, WARNING, ERROR or CRITICAL."
    )
