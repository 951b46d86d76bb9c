"""
Read replicas: reads go to a PostgreSQL streaming replica, writes to the primary.

``DATABASE_REPLICA_URLS`` adds one database alias per replica
(``replica1``, ``replica2``…). The router sends a read to a replica only
inside a web request that ``ReplicaMiddleware`` allows to, so management
commands, migrations and background builds always use the primary. A
request reads from the primary when:

- it may write (any method but GET, HEAD and OPTIONS), or goes to the admin;
- it comes from someone signed in (a session cookie: only staff sign in);
- it follows a write by the same browser: after a write, a short-lived
  cookie (``READ_PRIMARY_COOKIE``, ``DATABASE_READ_YOUR_WRITES_SECONDS``)
  keeps it on the primary until the replicas have caught up;
- no replica is usable: each is checked at most every
  ``DATABASE_REPLICA_CHECK_SECONDS`` (in each process), and skipped while it
  is down or replays more than ``DATABASE_REPLICA_MAX_LAG`` seconds behind.

A replica that fails in the middle of a request is marked down and the
request is answered again from the primary (``retry_on_primary``), so
losing a replica never gives a visitor an error.
"""

import contextvars
import itertools
import logging
import time

from django.conf import settings
from django.db import DatabaseError, connections

logger = logging.getLogger("ccs_archive.replicas")

PRIMARY = "default"

# Set by ReplicaMiddleware for the requests that may read from a replica.
_replicas_allowed = contextvars.ContextVar("replicas_allowed", default=False)
# The replica this request has read from, if any.
_replica_used = contextvars.ContextVar("replica_used", default=None)

# alias -> (monotonic time of the check, usable?)
_health = {}
_turns = itertools.count()

# The replica's delay, in seconds. Nothing to replay (everything received is
# applied, and the stream is up) is no delay, however long ago the primary's
# last change was. Any other case is measured from the last replayed change.
LAG_SQL = """
SELECT CASE
    WHEN NOT pg_is_in_recovery() THEN 0
    WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()
        AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver) THEN 0
    ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 'Infinity')
END
"""


def replica_aliases():
    return settings.DATABASE_REPLICAS


def replica_lag(alias):
    """Seconds the replica ``alias`` is behind the primary (0 for a database that is no replica)."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        connection.ensure_connection()
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute(LAG_SQL)
        return float(cursor.fetchone()[0])


def is_usable(alias):
    """Whether ``alias`` answers and is close enough behind; remembered for a few seconds."""
    now = time.monotonic()
    checked = _health.get(alias)
    if checked and now - checked[0] < settings.DATABASE_REPLICA_CHECK_SECONDS:
        return checked[1]
    try:
        lag = replica_lag(alias)
    except DatabaseError:
        logger.warning("replica skipped: it cannot be reached", extra={"replica": alias})
        connections[alias].close()
        usable = False
    else:
        usable = lag <= settings.DATABASE_REPLICA_MAX_LAG
        if not usable:
            logger.warning("replica skipped: it lags", extra={"replica": alias, "lag_s": round(lag, 1)})
    _health[alias] = (now, usable)
    return usable


def mark_down(alias):
    _health[alias] = (time.monotonic(), False)
    connections[alias].close()


def forget_health():
    """Check every replica again at its next use."""
    _health.clear()


def choose_replica():
    """A usable replica, taking turns between them, or None."""
    aliases = replica_aliases()
    if not aliases:
        return None
    start = next(_turns)
    for offset in range(len(aliases)):
        alias = aliases[(start + offset) % len(aliases)]
        if is_usable(alias):
            return alias
    return None


class ReplicaRouter:
    """Writes, migrations and anything outside an allowed request on the primary; other reads on a replica."""

    def db_for_read(self, model, **hints):
        if not _replicas_allowed.get():
            return PRIMARY
        alias = _replica_used.get() or choose_replica()
        if alias is None:
            # None usable: stay on the primary for the rest of this request.
            _replicas_allowed.set(False)
            return PRIMARY
        _replica_used.set(alias)
        return alias

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # The replicas hold the primary's very rows.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY


def reads_from_primary(request):
    """Whether this request must read what the primary holds."""
    return (
        request.method not in ("GET", "HEAD", "OPTIONS")
        or request.path.startswith("/admin/")
        or settings.SESSION_COOKIE_NAME in request.COOKIES
        or settings.READ_PRIMARY_COOKIE in request.COOKIES
    )


class ReplicaMiddleware:
    """Let a request read from a replica, or keep it on the primary; remember a browser's writes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_aliases():
            return self.get_response(request)
        allowed = not reads_from_primary(request)
        allowed_token = _replicas_allowed.set(allowed)
        used_token = _replica_used.set(None)
        try:
            response = self.get_response(request)
        finally:
            _replicas_allowed.reset(allowed_token)
            _replica_used.reset(used_token)
        if request.method not in ("GET", "HEAD", "OPTIONS") and response.status_code < 500:
            # This browser may have just written: read the primary until the replicas have it.
            response.set_cookie(
                settings.READ_PRIMARY_COOKIE,
                "1",
                max_age=settings.DATABASE_READ_YOUR_WRITES_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response


def retry_on_primary(request, view_func, view_args, view_kwargs):
    """
    After a database error: if this request read from a replica, mark it
    down and answer again from the primary; None otherwise.
    """
    alias = _replica_used.get()
    if alias is None or request.method not in ("GET", "HEAD"):
        return None
    logger.warning("replica failed during a request: answering from the primary", extra={"replica": alias})
    mark_down(alias)
    _replicas_allowed.set(False)
    _replica_used.set(None)
    return view_func(request, *view_args, **view_kwargs)
