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


# Rate limits


@pytest.fixture
def rate_limits(settings):
    from django.core.cache import cache

    cache.clear()
    # Counted per day: a count never straddles the end of its window during a test.
    settings.RATE_LIMITS = {"search": "3/d", "api": "3/d", "exports": "3/d", "login": "3/d"}
    yield settings.RATE_LIMITS
    cache.clear()


@pytest.mark.django_db
def test_searches_past_the_limit_get_a_429_page_in_their_language(client, rate_limits):
    statuses = [client.get("/en/search/", {"q": "services"}).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get("/fr/recherche/", {"q": "services"})
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 24 * 60 * 60
    page = response.content.decode()
    assert "Trop de requêtes" in page
    # Other pages stay open to the same address.
    assert client.get("/fr/reunions/").status_code == 200


@pytest.mark.django_db
def test_the_api_past_its_limit_answers_json_429(client, rate_limits):
    for _ in range(3):
        assert client.get("/api/v1/committees/").status_code == 200
    response = client.get("/api/v1/meetings/")
    assert response.status_code == 429
    assert response["Retry-After"]
    error = json.loads(response.content)["error"]
    assert error["code"] == "too_many_requests"
    assert error["message"]["fr"].startswith("Trop de requêtes")


@pytest.mark.django_db
def test_downloads_are_limited_per_address(client, rate_limits):
    for _ in range(3):
        assert client.get("/en/open-data/recommendations.json").status_code == 200
    assert client.get("/en/open-data/recommendations.csv").status_code == 429
    # Another client is counted apart.
    assert client.get("/en/open-data/recommendations.csv", REMOTE_ADDR="192.0.2.9").status_code == 200


@pytest.mark.django_db
def test_failed_sign_ins_with_new_usernames_are_limited_by_address(client, rate_limits):
    statuses = [
        client.post("/admin/login/", {"username": f"nobody-{n}", "password": "wrong"}).status_code
        for n in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    assert client.get("/admin/login/").status_code == 200


@pytest.mark.django_db
def test_pages_stay_up_when_the_rate_limit_cache_is_down(client, settings, caplog):
    settings.RATE_LIMITS = {"search": "3/d"}
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{_free_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    for _ in range(5):
        assert client.get("/en/search/", {"q": "services"}).status_code == 200
    assert "rate limit not applied" in caplog.text


# The client's address behind a proxy


@pytest.mark.django_db
def test_a_forwarded_address_from_an_untrusted_client_is_ignored(client, rate_limits, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    for n in range(3):
        # Each request claims another address; none comes from the proxy.
        assert (
            client.get("/en/search/", {"q": "x"}, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code == 200
        )
    assert client.get("/en/search/", {"q": "x"}, HTTP_X_FORWARDED_FOR="198.51.100.99").status_code == 429


@pytest.mark.django_db
def test_clients_behind_a_trusted_proxy_are_counted_apart(client, rate_limits, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for _ in range(3):
        client.get("/en/search/", {"q": "x"}, HTTP_X_FORWARDED_FOR="203.0.113.5", **proxy)
    assert (
        client.get("/en/search/", {"q": "x"}, HTTP_X_FORWARDED_FOR="203.0.113.5", **proxy).status_code == 429
    )
    # A client cannot pick its address by writing one at the left of the header.
    spoofed = client.get("/en/search/", {"q": "x"}, HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.5", **proxy)
    assert spoofed.status_code == 429
    assert (
        client.get("/en/search/", {"q": "x"}, HTTP_X_FORWARDED_FOR="203.0.113.6", **proxy).status_code == 200
    )


@pytest.mark.django_db
def test_an_editor_locked_out_elsewhere_can_still_sign_in(client, settings):
    from django.contrib.auth.models import User

    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    User.objects.create_user("editor", password="the-editors-own-password", is_staff=True)
    attacker = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.66"}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/admin/login/", {"username": "editor", "password": "wrong"}, **attacker)
    locked = client.post(
        "/admin/login/", {"username": "editor", "password": "the-editors-own-password"}, **attacker
    )
    assert locked.status_code == 429
    office = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "198.51.100.20"}
    response = client.post(
        "/admin/login/", {"username": "editor", "password": "the-editors-own-password"}, **office
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_failures_during_a_lockout_do_not_extend_it(client, settings):
    import datetime

    from axes.models import AccessAttempt
    from django.contrib.auth.models import User

    User.objects.create_user("editor", password="the-editors-own-password", is_staff=True)
    for _ in range(settings.AXES_FAILURE_LIMIT + 3):
        client.post("/admin/login/", {"username": "editor", "password": "wrong"})

    def turn_back_the_clock(minutes):
        attempt = AccessAttempt.objects.get(username="editor")
        attempt.attempt_time -= datetime.timedelta(minutes=minutes)
        attempt.save()

    # Fifty-nine minutes into the hour's lockout, one more failure…
    turn_back_the_clock(59)
    client.post("/admin/login/", {"username": "editor", "password": "wrong"})
    # …and two minutes later, the hour since the lockout began is over.
    turn_back_the_clock(2)
    response = client.post("/admin/login/", {"username": "editor", "password": "the-editors-own-password"})
    assert response.status_code == 302


# Redis shared by every application server


REAL_REDIS = "redis://127.0.0.1:6379/5"


def redis_cache(location):
    return {
        "default": {
            "BACKEND": "ccs_archive.cache.GuardedRedisCache",
            "LOCATION": location,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


@pytest.mark.django_db
def test_a_redis_that_is_down_is_left_alone_for_a_while(client, settings, caplog, monkeypatch):
    import redis
    from django.core.cache import cache

    from ccs_archive import cache as guarded
    from ccs_archive.cache import CacheUnavailable

    now = [1000.0]
    monkeypatch.setattr(guarded.time, "monotonic", lambda: now[0])

    settings.RATE_LIMITS = {"search": "3/d"}
    settings.CACHES = redis_cache(f"redis://127.0.0.1:{_free_port()}/0")
    assert client.get("/en/search/", {"q": "services"}).status_code == 200
    assert caplog.text.count("Redis unavailable") == 1
    # Failing at once now, without trying the network again: pages stay up.
    with pytest.raises(CacheUnavailable):
        cache.get("anything")
    for _ in range(4):
        assert client.get("/en/search/", {"q": "services"}).status_code == 200
    assert caplog.text.count("Redis unavailable") == 1
    now[0] += settings.REDIS_RETRY_SECONDS
    with pytest.raises(redis.ConnectionError) as failure:
        cache.get("anything")
    assert not isinstance(failure.value, CacheUnavailable)  # tried again, for real
    assert caplog.text.count("Redis unavailable") == 2


def redis_answers():
    import redis

    try:
        return redis.Redis.from_url(REAL_REDIS, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        return False


@pytest.mark.django_db
def test_the_sitemap_cached_in_redis_follows_each_change(client, settings, newest_meeting):
    """Redis as every instance shares it: the key holds the archive's revision, so an edit is seen at once."""
    if not redis_answers():
        pytest.skip(f"no Redis at {REAL_REDIS} (apt-get install redis-server)")
    from django.core.cache import cache

    settings.CACHES = redis_cache(REAL_REDIS)
    settings.SITEMAP_CACHE_SECONDS = 60
    cache.clear()
    try:
        before = client.get("/sitemap-meetings.xml").content
        assert any(key.startswith(b":1:sitemap:") for key in cache._cache.get_client().keys("*"))
        newest_meeting.is_published = False
        newest_meeting.save()
        after = client.get("/sitemap-meetings.xml").content
        assert after != before
        assert newest_meeting.slug_fr.encode() not in after
    finally:
        cache.clear()
