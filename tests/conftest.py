import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from django.conf import settings
from django.db import connection

from meetings.loading import load_records


def archive_records():
    return json.loads(settings.ARCHIVE_FIXTURE.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the real archive once; each test runs in a transaction rolled back after it."""
    from meetings.open_data.archive_files import write_archive_files

    with django_db_blocker.unblock():
        load_records(archive_records())
        write_archive_files()


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


@pytest.fixture(scope="session")
def production_server(django_db_setup):
    """The production configuration under gunicorn, on the session's test database."""
    port = _free_port()
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    env.update(
        DEBUG="0",
        SECRET_KEY="smoke-test-secret-key-with-enough-characters-0123456789abcdef",
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=_database_url(),
        BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="2",
        # Plain HTTP on the loopback: no TLS to redirect to.
        SECURE_SSL_REDIRECT="0",
        LOG_LEVEL="WARNING",
        # The whole-archive files this session wrote from the same database.
        ARCHIVE_FILES_ROOT=str(settings.ARCHIVE_FILES_ROOT),
        # The tests crawl every page from one address; rate limits have their own tests.
        RATE_LIMIT_SEARCH="",
        RATE_LIMIT_API="",
        RATE_LIMIT_EXPORTS="",
        RATE_LIMIT_LOGIN="",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "ccs_archive/gunicorn.conf.py", "ccs_archive.wsgi"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
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
                raise AssertionError(f"gunicorn did not start:\n{process.stdout.read()}")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)
