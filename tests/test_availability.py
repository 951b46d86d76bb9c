"""Staying available: a database that is slow, down or hung gives a clear 503, never a traceback."""

import json
import os
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.request

import pytest
from django.conf import settings
from django.db import OperationalError

from .conftest import _free_port


@pytest.fixture
def database_times_out(monkeypatch):
    from meetings.models import Meeting, Recommendation

    def cancelled(*args, **kwargs):
        raise OperationalError("canceling statement due to statement timeout")

    monkeypatch.setattr(Meeting.objects, "published", cancelled)
    monkeypatch.setattr(Recommendation.objects, "published", cancelled)


@pytest.mark.django_db
def test_a_cancelled_statement_gives_the_bilingual_503_page(client, database_times_out):
    response = client.get("/en/meetings/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert "Service indisponible" in page and "Service unavailable" in page
    assert "statement timeout" not in page and "Traceback" not in page


@pytest.mark.django_db
def test_a_cancelled_statement_gives_a_json_503_on_the_api(client, database_times_out):
    response = client.get("/api/v1/recommendations/", {"q": "services"})
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    error = json.loads(response.content)["error"]
    assert error["code"] == "service_unavailable"
    assert set(error["message"]) == {"fr", "en"}
    assert error["message"]["fr"] != error["message"]["en"]


@pytest.fixture
def hung_database():
    """A port that accepts connections and never answers, as a hung PostgreSQL would."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    accepted = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                pass

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"postgres://postgres@127.0.0.1:{listener.getsockname()[1]}/archive"
    stop.set()
    thread.join()
    for sock in accepted:
        sock.close()
    listener.close()


def test_health_check_and_pages_answer_503_when_the_database_hangs(hung_database):
    port = _free_port()
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    env.update(
        DEBUG="0",
        SECRET_KEY="hung-database-test-key-with-enough-characters-0123456789abcdef",
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=hung_database,
        DATABASE_CONNECT_TIMEOUT="1",
        BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="1",
        SECURE_SSL_REDIRECT="0",
        LOG_LEVEL="ERROR",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "ccs_archive/gunicorn.conf.py", "ccs_archive.wsgi"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"

    def status_of(path):
        try:
            with urllib.request.urlopen(base + path, timeout=20) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    try:
        for _attempt in range(150):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None:
                    raise AssertionError("gunicorn did not start") from None
                threading.Event().wait(0.2)
        status, body = status_of("/healthz")
        assert status == 503
        assert json.loads(body) == {"status": "unavailable"}
        status, page = status_of("/fr/reunions/")
        assert status == 503
        assert "Service indisponible" in page and "Service unavailable" in page
    finally:
        process.terminate()
        process.wait(timeout=30)
