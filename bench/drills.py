"""
Availability drills: the production setup under abuse and faults, on the loopback only.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db with a generated corpus> \\
    ARCHIVE_FILES_ROOT=<its whole-archive files> REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/drills.py [--seconds 60] [--login-seconds 15]

Each drill starts gunicorn with ccs_archive/gunicorn.conf.py (production
settings, DEBUG off) on 127.0.0.1, and measures the home page (the French
listing) from one client thread while the drill runs:

1. abuse: 8 threads downloading the whole archive and 8 threads running
   worst-case searches (common words, through the page and the API);
2. hung database: gunicorn reaches PostgreSQL through a relay on the
   loopback that, while "hung", accepts connections and never answers;
   then the relay forwards again and the drill checks recovery;
3. Redis down: REDIS_URL points at a closed port;
4. failed sign-ins: 20 threads posting random usernames to the admin;
5. sitemap: the index and its largest section, built then from the cache.

Every drill is bounded in time, and all clients, including the load, run
in this process: on two cores they compete with gunicorn and PostgreSQL.
"""

import argparse
import json
import os
import random
import socket
import ssl
import string
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
HOME = "/fr/reunions/"
SEARCHES = [
    "/fr/recherche/?q=services",
    "/en/search/?q=services&lang=all",
    "/api/v1/recommendations/?q=services&lang=all",
    "/api/v1/recommendations/?q=service+client",
    "/fr/donnees-ouvertes/recommandations.csv?q=services",
]
DOWNLOADS = [
    "/fr/donnees-ouvertes/recommandations.csv?lang=all",
    "/en/open-data/recommendations.json?lang=all",
]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


# Through the topology, nginx answers on the loopback with a self-signed certificate.
_LOOPBACK_TLS = ssl.create_default_context()
_LOOPBACK_TLS.check_hostname = False
_LOOPBACK_TLS.verify_mode = ssl.CERT_NONE
OPENER = urllib.request.build_opener(_NoRedirect, urllib.request.HTTPSHandler(context=_LOOPBACK_TLS))


def request(url, data=None, timeout=60, read=True):
    """(status, seconds, bytes); status 0 for a connection error or timeout."""
    started = time.perf_counter()
    size = 0
    try:
        with OPENER.open(url, data=data, timeout=timeout) as response:
            status = response.status
            if read:
                while chunk := response.read(1 << 16):
                    size += len(chunk)
    except urllib.error.HTTPError as error:
        status = error.code
        size = len(error.read())
    except (OSError, urllib.error.URLError):
        status = 0
    return status, time.perf_counter() - started, size


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    def __init__(self, **env):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "DEBUG": "0",
            "SECRET_KEY": "drill-only-secret-key-with-enough-characters-0123456789",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            # Plain HTTP on the loopback: cookies (CSRF's for the sign-ins) without Secure.
            "SECURE_COOKIES": "0",
            "BIND": f"127.0.0.1:{self.port}",
            "LOG_LEVEL": "WARNING",
            **env,
        }
        self.log = open(f"/tmp/ccs_drill_gunicorn_{self.port}.log", "w")

    def __enter__(self):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "ccs_archive/gunicorn.conf.py", "ccs_archive.wsgi"],
            cwd=BASE_DIR,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.2)
        raise SystemExit("gunicorn did not start")

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=60)
        self.log.close()

    def timeouts_logged(self):
        with open(self.log.name) as log:
            return sum('"worker timeout"' in line for line in log)


class Running:
    """A server already running at ``base``, such as nginx in front of the topology."""

    def __init__(self, base):
        self.base = base.rstrip("/")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass

    def timeouts_logged(self):
        return None


def server_for(through):
    return Running(through) if through else Gunicorn()


def percentile(values, fraction):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(fraction * len(values)))]


# With --uncached-home, each home page request has an address of its own, so
# that no cache in front (nginx's) can answer it: the application renders each.
UNCACHED_HOME = False


def watch_home(base, stop, samples, statuses):
    while not stop.is_set():
        path = f"{HOME}?fresh={random.getrandbits(64):x}" if UNCACHED_HOME else HOME
        status, seconds, _size = request(base + path)
        samples.append(seconds)
        statuses[status] += 1
        time.sleep(0.05)


def hammer(base, paths, stop, statuses, timeout=120):
    while not stop.is_set():
        status, _seconds, _size = request(base + random.choice(paths), timeout=timeout)
        statuses[status] += 1


def summary(samples):
    return {
        "requests": len(samples),
        "p50_ms": round(percentile(samples, 0.5) * 1000, 1),
        "p95_ms": round(percentile(samples, 0.95) * 1000, 1),
        "max_ms": round(max(samples) * 1000, 1) if samples else None,
    }


def run_with_load(base, seconds, loads):
    """Watch the home page for ``seconds`` while each (paths, threads) load runs."""
    stop = threading.Event()
    home, home_statuses, load_statuses = [], Counter(), Counter()
    threads = [threading.Thread(target=watch_home, args=(base, stop, home, home_statuses))]
    for target, args, count in loads:
        threads += [
            threading.Thread(target=target, args=(base, *args, stop, load_statuses)) for _ in range(count)
        ]
    for thread in threads:
        thread.daemon = True
        thread.start()
    time.sleep(seconds)
    stop.set()
    # Downloads under way may take a while to finish: wait 30 s at most, then leave them.
    deadline = time.monotonic() + 30
    for thread in threads:
        thread.join(timeout=max(0, deadline - time.monotonic()))
    return {"home": summary(home), "home_statuses": dict(home_statuses), "load_statuses": dict(load_statuses)}


def drill_abuse(seconds, through=None):
    with server_for(through) as server:
        result = run_with_load(server.base, seconds, [(hammer, (DOWNLOADS,), 8), (hammer, (SEARCHES,), 8)])
        result["worker_timeouts_logged"] = server.timeouts_logged()
    return result


def failed_sign_in(base, stop, statuses):
    while not stop.is_set():
        # A fresh CSRF token each time would cost a GET; the token check comes
        # before authentication, so post the form as a browser would.
        name = "".join(random.choices(string.ascii_lowercase, k=12))
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(),
            _NoRedirect,
            urllib.request.HTTPSHandler(context=_LOOPBACK_TLS),
        )
        try:
            with opener.open(base + "/admin/login/", timeout=30) as page:
                html = page.read().decode()
            token = html.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
            data = urllib.parse.urlencode(
                {
                    "csrfmiddlewaretoken": token,
                    "username": name,
                    "password": "wrong-password",
                    "next": "/admin/",
                }
            ).encode()
            request_ = urllib.request.Request(base + "/admin/login/", data=data, headers={"Referer": base})
            with opener.open(request_, timeout=30) as response:
                statuses[response.status] += 1
        except urllib.error.HTTPError as error:
            statuses[error.code] += 1
        except (OSError, IndexError):
            statuses[0] += 1


def drill_sign_ins(seconds, through=None):
    with server_for(through) as server:
        return run_with_load(server.base, seconds, [(failed_sign_in, (), 20)])


class Relay:
    """A TCP relay to PostgreSQL that can hang: accept, and never answer."""

    def __init__(self, target_port):
        self.target = ("127.0.0.1", target_port)
        self.hung = False
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(128)
        self.port = self.listener.getsockname()[1]
        self.held = []
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            client, _address = self.listener.accept()
            if self.hung:
                self.held.append(client)
                continue
            upstream = socket.create_connection(self.target)
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self.pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def pipe(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


def drill_hung_database():
    url = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
    relay = Relay(url.port or 5432)
    relayed = url._replace(netloc=f"{url.username}@127.0.0.1:{relay.port}").geturl()
    # CONN_MAX_AGE=0: each request connects, so a hang shows at the next request.
    with Gunicorn(DATABASE_URL=relayed, CONN_MAX_AGE="0") as server:
        before = request(server.base + "/healthz")
        relay.hung = True
        health = [request(server.base + "/healthz", timeout=30) for _ in range(3)]
        pages = [request(server.base + path, timeout=30) for path in (HOME, "/en/search/?q=services")]
        relay.hung = False
        recovered = [request(server.base + path, timeout=30) for path in ("/healthz", HOME)]
    return {
        "before": before[0],
        "healthz_while_hung": [(status, round(seconds, 2)) for status, seconds, _ in health],
        "pages_while_hung": [(status, round(seconds, 2)) for status, seconds, _ in pages],
        "after_recovery": [(status, round(seconds, 2)) for status, seconds, _ in recovered],
    }


def drill_redis_down():
    pages = [
        HOME,
        "/en/meetings/",
        "/fr/recherche/?q=services",
        "/api/v1/meetings/",
        "/sitemap.xml",
        "/healthz",
    ]
    with Gunicorn(REDIS_URL=f"redis://127.0.0.1:{free_port()}/0") as server:
        results = [(path, *request(server.base + path)[:2]) for path in pages]
        warnings = sum("cache is unavailable" in line for line in open(server.log.name))
    return {
        "pages": [(path, status, round(seconds * 1000, 1)) for path, status, seconds in results],
        "warnings_logged": warnings,
    }


def drill_sitemap():
    """The sitemap index and its largest section, twice each: built, then from the cache."""
    with Gunicorn() as server:
        timings = []
        for path in ("/sitemap.xml", "/sitemap-meetings.xml", "/sitemap.xml", "/sitemap-meetings.xml"):
            status, seconds, size = request(server.base + path, timeout=120)
            timings.append((path, status, round(seconds * 1000, 1), size))
    return {"requests": timings}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--login-seconds", type=int, default=15)
    parser.add_argument("--only", choices=["abuse", "hung", "redis", "sign-ins", "sitemap"], action="append")
    parser.add_argument(
        "--through",
        metavar="URL",
        help="run the abuse and sign-in drills against a server already running there "
        "(nginx in front of the topology, e.g. https://127.0.0.1:8443) instead of one gunicorn",
    )
    parser.add_argument(
        "--uncached-home",
        action="store_true",
        help="give each home page request an address of its own, past any cache in front",
    )
    arguments = parser.parse_args()
    global UNCACHED_HOME
    UNCACHED_HOME = arguments.uncached_home
    drills = {
        "abuse": lambda: drill_abuse(arguments.seconds, arguments.through),
        "hung": drill_hung_database,
        "redis": drill_redis_down,
        "sign-ins": lambda: drill_sign_ins(arguments.login_seconds, arguments.through),
        "sitemap": drill_sitemap,
    }
    for name in arguments.only or drills:
        started = time.perf_counter()
        result = drills[name]()
        result["drill_seconds"] = round(time.perf_counter() - started, 1)
        # The machine's load during the drill, for reading its latencies.
        result["load_average_1m"] = round(os.getloadavg()[0], 2)
        print(json.dumps({"drill": name, **result}), flush=True)


if __name__ == "__main__":
    main()
