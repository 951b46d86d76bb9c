import contextlib
import io
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import warnings

import hypothesis
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections
from django.test.utils import setup_databases, teardown_databases
from django.utils import translation

# Generated inputs (tests/test_fuzz.py, tests/test_api.py). CI runs the full
# depth (.ci/run sets HYPOTHESIS_PROFILE=ci); a developer's run tries a tenth
# as many examples, which finds the common mistakes in seconds, not minutes.
hypothesis.settings.register_profile("ci", max_examples=600)
hypothesis.settings.register_profile("dev", max_examples=60)
hypothesis.settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

# The database the settings name, before any test database replaces it.
DEVELOPMENT_DATABASE = settings.DATABASES["default"]["NAME"]


@pytest.hookimpl(trylast=True)
def pytest_configure(config):
    """Collect the static files once, before any test (or test worker) starts.

    Pages name their stylesheets by hashed name from the manifest, and the
    gunicorn that the browser tests drive serves them from STATIC_ROOT: plain
    ``pytest`` must not depend on an earlier ``collectstatic``. Under
    pytest-xdist only the controller does it, so workers never write at once.
    """
    if hasattr(config, "workerinput"):
        return
    call_command("collectstatic", interactive=False, verbosity=0)


def archive_records():
    return json.loads(settings.ARCHIVE_FIXTURE.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the real archive once, as `make run` does; each test runs in a transaction rolled back after it."""
    made_here = None
    with django_db_blocker.unblock():
        if connection.settings_dict["NAME"] == DEVELOPMENT_DATABASE:
            # pytest-django makes test databases only for tests that ask for one; the
            # browser tests alone do not, but the server they start needs it. Without
            # this, they would read (and load into) the developer's own database.
            made_here = setup_databases(verbosity=0, interactive=False, aliases={"default"})
        call_command("load_archive", stdout=io.StringIO())
    yield
    with django_db_blocker.unblock():
        # The database is dropped next, which fails while any session uses it: this
        # process's own (a second alias, ``replica_mirror``, opens one), and a build
        # of the whole-archive files that a gunicorn of the tests started in a
        # session of its own, which outlives gunicorn as it outlives a worker.
        connections.close_all()
        _wait_for_other_connections()
        connections.close_all()
    if made_here:
        with django_db_blocker.unblock():
            teardown_databases(made_here, verbosity=0)


@pytest.fixture
def records():
    return archive_records()


@pytest.fixture
def source_text():
    def read(language):
        path = settings.ARCHIVE_SOURCE_DIR / f"ccs-meeting-summaries.{language}.txt"
        return path.read_text(encoding="utf-8")

    return read


@pytest.fixture
def newest_meeting(db):
    from meetings.models import Meeting

    return Meeting.objects.get(date="2023-10-03")


@pytest.fixture
def small_samples(monkeypatch):
    """A function that takes the archive's "services" past the count bound, with samples of every fourth, second and single id.

    It returns the search as it was before (every count exact), and sets
    SAMPLED_ENOUGH so that the middle sample likely settles the largest
    years and the fine one the others.
    """
    from meetings.search import engine

    def past_the_bound():
        everything = engine.search_recommendations("services", "fr")
        for name, value in (
            ("CANDIDATES", 5),
            ("COUNT_BOUND", 10),
            ("AT_ONCE_BELOW", 0),
            ("COARSE_SAMPLE_EVERY", 4),
            ("MIDDLE_SAMPLE_EVERY", 2),
            ("SAMPLE_EVERY", 1),
            ("SAMPLED_ENOUGH", max(count for _year, count in everything.years) // 4),
        ):
            monkeypatch.setattr(engine, name, value)
        return everything

    return past_the_bound


@pytest.fixture
def add_meetings(newest_meeting):
    """Add ``count`` more published meetings, one a day from ``first_day``."""
    import datetime

    from meetings.models import Meeting

    def add_meetings(count, first_day, recommendations=0):
        meetings = []
        for number in range(1, count + 1):
            meeting = Meeting.objects.create(
                committee=newest_meeting.committee,
                date=datetime.date.fromisoformat(first_day) + datetime.timedelta(days=number - 1),
                title_fr=f"Réunion {number}",
                title_en=f"Meeting {number}",
                objective_fr="But.",
                objective_en="Aim.",
            )
            if recommendations:
                theme = meeting.themes.create(title_fr="Services", title_en="Services", position=1)
                for position in range(1, recommendations + 1):
                    theme.recommendations.create(
                        text_fr="Des services.", text_en="Services.", position=position
                    )
            meetings.append(meeting)
        return meetings

    return add_meetings


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url():
    params = connection.settings_dict
    if connection.vendor == "postgresql":
        return f"postgres://{params['USER']}@{params['HOST']}:{params['PORT']}/{params['NAME']}"
    return f"sqlite:///{params['NAME']}"


def production_environment(database_url, **overrides):
    """The environment of the production configuration, on ``database_url``."""
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    env.update(
        DEBUG="0",
        SECRET_KEY="smoke-test-secret-key-with-enough-characters-0123456789abcdef",
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=database_url,
        # Plain HTTP on the loopback: no TLS to redirect to.
        SECURE_SSL_REDIRECT="0",
        LOG_LEVEL="WARNING",
        # So that pages show the About page's contact and the "Report a problem" link.
        ARCHIVE_PUBLISHER="Archives ouvertes du CCS",
        ARCHIVE_CONTACT_EMAIL="archive@example.ca",
        # The whole-archive files this session wrote from the same database
        # (production_server gives its own).
        ARCHIVE_FILES_ROOT=str(settings.ARCHIVE_FILES_ROOT),
        # The tests crawl every page from one address; rate limits have their own tests.
        RATE_LIMIT_SEARCH="",
        RATE_LIMIT_API="",
        RATE_LIMIT_EXPORTS="",
        RATE_LIMIT_LOGIN="",
    )
    env.update(overrides)
    return env


@contextlib.contextmanager
def serve(env, log=None):
    """gunicorn with ``env``, on a free port; yields its base URL once it is healthy.

    Its output goes to the file ``log`` when given, for a test to read.
    """
    port = _free_port()
    env = {**env, "BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": env.get("WEB_CONCURRENCY", "2")}
    output = open(log, "w") if log else tempfile.TemporaryFile("w+")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "ccs_archive/gunicorn.conf.py", "ccs_archive.wsgi"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                output.seek(0)
                raise AssertionError(f"gunicorn did not start:\n{output.read()}")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)
        output.close()


@pytest.fixture(scope="session")
def production_server(django_db_setup, django_db_blocker):
    """The production configuration under gunicorn, on the session's test database.

    It writes its whole-archive files in a folder of its own: what a browser
    journey publishes through it is rewritten there by a background build, which
    may still be running when the journey's changes are removed, and must not
    reach the files the in-process tests read.
    """
    from django.test import override_settings

    from meetings.open_data.archive_files import write_archive_files

    root = settings.ARCHIVE_FILES_ROOT.with_name(settings.ARCHIVE_FILES_ROOT.name + "-server")
    with django_db_blocker.unblock(), override_settings(ARCHIVE_FILES_ROOT=root):
        write_archive_files()
    with serve(production_environment(_database_url(), ARCHIVE_FILES_ROOT=str(root))) as base:
        yield base


def _wait_for_other_connections(timeout=60):
    """Wait until this connection is the only one to the database (PostgreSQL), at most ``timeout`` seconds."""
    if connection.vendor != "postgresql":
        return
    others_sql = (
        "SELECT pid, application_name, state, query FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
    )
    deadline = time.monotonic() + timeout
    while True:
        with connection.cursor() as cursor:
            cursor.execute(others_sql)
            others = cursor.fetchall()
        if not others:
            return
        if time.monotonic() > deadline:
            warnings.warn(f"still connected to the test database after {timeout} s: {others}", stacklevel=2)
            return
        time.sleep(0.2)


@pytest.fixture
def editor(client):
    """A signed-in member of the Editors group."""
    from django.contrib.auth.models import Group, User

    from meetings.roles import EDITORS

    user = User.objects.create_user("editor", password="a-long-enough-password", is_staff=True)
    # The group as migrate left it: no helper fills it for the tests.
    user.groups.add(Group.objects.get(name=EDITORS))
    client.force_login(user)
    return user


@pytest.fixture
def own_archive_files(settings, tmp_path):
    """Whole-archive files for this test alone, written from its own data when first asked for.

    For a test that changes the archive and rewrites the files (``load_archive``
    does): the session's files must keep matching the session's data.
    """
    settings.ARCHIVE_FILES_ROOT = tmp_path / "archive-files"


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the default language: a request leaves its own active in the thread.

    modeltranslation reads an untranslated field name (``text``) as the active
    language's column, so a language left over from an earlier test would
    change what a later one's queries mean.
    """
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
