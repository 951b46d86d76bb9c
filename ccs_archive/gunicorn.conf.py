"""
gunicorn settings for production: `gunicorn -c ccs_archive/gunicorn.conf.py ccs_archive.wsgi`.

Worker class: sync. Every request is short and bound by the database (a page
is a handful of indexed queries), and gunicorn's guidance is that sync
workers suit such an application behind a buffering reverse proxy, which
absorbs slow clients. Count: gunicorn's rule of thumb, 2 × cores + 1, which
keeps both cores busy while some workers wait on PostgreSQL. Override with
WEB_CONCURRENCY.
"""

import datetime
import gc
import json
import multiprocessing
import os
import sys
import time

bind = os.environ.get("BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = 30
graceful_timeout = 30
keepalive = 5
# A worker is replaced after this many requests (with jitter), so that a slow
# leak can never grow without bound.
max_requests = 2000
max_requests_jitter = 200
# Application logs already carry path, status and duration (one JSON line
# each); gunicorn's own access log would only repeat them.
accesslog = None
errorlog = "-"
LOG_LEVELS = ("debug", "info", "warning", "error", "critical")
loglevel = os.environ.get("LOG_LEVEL", "info").strip().lower()
if loglevel not in LOG_LEVELS:
    sys.exit(f"LOG_LEVEL={os.environ['LOG_LEVEL']!r} is not a level: use one of {', '.join(LOG_LEVELS)}.")
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Trust the scheme from the proxy exactly as Django does (SECURE_PROXY_SSL_HEADER),
# and no other header: gunicorn's default also believes X-Forwarded-Ssl and
# X-Forwarded-Protocol.
if os.environ.get("SECURE_PROXY_SSL_HEADER", "").strip().lower() in {"1", "true", "yes", "on"}:
    secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}
else:
    secure_scheme_headers = {}
# gunicorn's control socket lives at one path per user by default, which two
# instances on one machine would share. Off, unless given a path of its own.
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
else:
    control_socket_disable = True


def _log_json(level, message, **fields):
    """One line of JSON on stdout, like the application's log (ccs_archive/logging.py)."""
    record = {
        "time": datetime.datetime.now().astimezone().strftime("%Y-%m-%dT%H:%M:%S%z"),
        "level": level,
        "logger": "gunicorn.worker",
        "message": message,
        **fields,
    }
    print(json.dumps(record, ensure_ascii=False), file=sys.stdout, flush=True)


def post_worker_init(worker):
    # What the worker made to load Django (modules, models, settings) lives as
    # long as it does: moved out of the garbage collector's reach, so that a
    # full collection during a request walks only what requests made. Over the
    # tuning queries at a million recommendations, with ranking's texts kept
    # as tuples too, the longest full collection fell from 94-95 ms to 12-16 ms
    # (bench/gc_pauses.py, bench/RESULTS.md).
    gc.freeze()


def pre_request(worker, req):
    # Remembered so that a timeout can say which request it cut off.
    worker.current_request = (req.method, req.path, time.monotonic())


def post_request(worker, req, environ, resp):
    worker.current_request = None


def worker_abort(worker):
    """A worker killed for taking longer than ``timeout``: log it as one JSON line."""
    method, path, started = getattr(worker, "current_request", None) or ("", "", None)
    _log_json(
        "ERROR",
        "worker timeout",
        pid=worker.pid,
        method=method,
        path=path,
        duration_ms=round((time.monotonic() - started) * 1000, 1) if started else None,
        timeout_s=worker.cfg.timeout,
    )
