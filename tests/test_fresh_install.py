"""
A fresh install, done the way the README does it, then used the way staff use it.

An empty database, one ``migrate``, ``collectstatic`` and ``load_archive`` (what
``make serve-prod`` and the README do),
``createsuperuser`` (what ``make superuser`` does), then everything else through
the admin of a production server: the administrator makes an editor, and the
editor opens, edits and saves a meeting. No helper of the project is called, so
setup that only the tests did would show up here as a failure.
"""

import http.cookiejar
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from tests.conftest import production_environment, serve
from tests.forms import submitted


class Visitor:
    """A browser without a screen: cookies, forms read back from the page, no JavaScript."""

    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path):
        try:
            with self.opener.open(self.base + path, timeout=30) as response:
                return response.status, response.url, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.url, error.read().decode()

    def post(self, path, data):
        body = urllib.parse.urlencode(data, doseq=True).encode()
        try:
            with self.opener.open(self.base + path, body, timeout=30) as response:
                return response.status, response.url, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.url, error.read().decode()

    def submit(self, path, form_id, **changes):
        """Open ``path``, fill in ``changes`` over the form as it stands, and send it."""
        status, _url, page = self.get(path)
        assert status == 200, (path, status)
        return self.post(path, {**submitted(page, form_id), **changes})

    def log_in(self, username, password):
        status, url, page = self.submit("/admin/login/", "login-form", username=username, password=password)
        assert status == 200 and url.endswith("/admin/"), (url, page[:2000])


def manage(env, *arguments):
    result = subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"manage.py {' '.join(arguments)}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path):
    """The URL of a database that holds nothing at all."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        return
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL: runs when the suite runs on PostgreSQL (DATABASE_URL=postgres://…)")
    params = connection.settings_dict
    name = f"{params['NAME']}_fresh"
    server = {"host": params["HOST"], "port": params["PORT"], "user": params["USER"], "dbname": "postgres"}
    if params.get("PASSWORD"):
        server["password"] = params["PASSWORD"]
    with psycopg.connect(**server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgres://{params['USER']}@{params['HOST']}:{params['PORT']}/{name}"
    finally:
        with psycopg.connect(**server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_an_editor_edits_a_meeting_on_a_freshly_installed_site(empty_database, tmp_path):
    # Secure cookies are on in production; this server speaks plain HTTP on
    # the loopback, and a script (unlike a browser) does not send them there.
    # A new site writes its own whole-archive files (not the test session's).
    env = production_environment(
        empty_database, SECURE_COOKIES="0", ARCHIVE_FILES_ROOT=str(tmp_path / "archive-files")
    )
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    manage(env, "load_archive")
    manage(
        {**env, "DJANGO_SUPERUSER_PASSWORD": "first-administrator-password"},
        "createsuperuser",
        "--noinput",
        "--username",
        "administrator",
        "--email",
        "administrator@example.ca",
    )

    with serve(env) as base:
        administrator = Visitor(base)
        administrator.log_in("administrator", "first-administrator-password")
        status, url, page = administrator.submit(
            "/admin/auth/user/add/",
            "user_form",
            username="editor",
            usable_password="true",
            password1="an-editor-password-2026",
            password2="an-editor-password-2026",
        )
        assert status == 200 and re.search(r"/admin/auth/user/\d+/change/", url), page[:3000]
        change_path = urllib.parse.urlsplit(url).path
        group = re.search(r'<option value="(\d+)"[^>]*>Editors</option>', page)
        assert group, "the Editors group is offered on the user's page"
        status, _url, page = administrator.submit(change_path, "user_form", is_staff="on", groups=[group[1]])
        assert status == 200, page[:3000]

        editor = Visitor(base)
        editor.log_in("editor", "an-editor-password-2026")
        status, _url, meetings = editor.get("/admin/meetings/meeting/")
        assert status == 200
        found = re.search(r'href="/admin/meetings/meeting/(\d+)/change/', meetings)
        assert found, "the editor sees the meetings"
        path = f"/admin/meetings/meeting/{found[1]}/change/"
        status, _url, form = editor.get(path)
        assert status == 200
        fields = submitted(form, "meeting_form")
        status, url, page = editor.post(path, {**fields, "title_en": fields["title_en"] + " (edited)"})
        assert status == 200 and url.endswith("/admin/meetings/meeting/"), page[:3000]

        status, _url, listing = editor.get("/en/meetings/")
        assert "(edited)" in listing
