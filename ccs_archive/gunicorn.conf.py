"""
gunicorn settings for production: `gunicorn -c ccs_archive/gunicorn.conf.py ccs_archive.wsgi`.

Worker class: sync. Every request is short and bound by the database (a page
is a handful of indexed queries), and gunicorn's guidance is that sync
workers suit such an application behind a buffering reverse proxy, which
absorbs slow clients. Count: gunicorn's rule of thumb, 2 × cores + 1, which
keeps both cores busy while some workers wait on PostgreSQL. Override with
WEB_CONCURRENCY.
"""

import multiprocessing
import os

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
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
