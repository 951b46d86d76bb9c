"""
Statements a search sends beside its own: on a second connection to the
same database, from a thread, while the request's connection reads the
candidates and their texts.

The year counts of a common word are estimated from samples that its
candidates do not change (see ``Search.count_years``): read one after the
other, they added 5 to 20 ms to a search at a million recommendations; read
beside, the database works on them on another core meanwhile.

Only where the backend says so (PostgreSQL: ``Backend.reads_beside``), and
only where the second connection sees what the first one does: outside a
transaction. A transaction's own rows (an edit's, or a test's) are not
visible to another connection, so there the statements are read in turn on
the request's connection, as on SQLite.
"""

import os
import threading
from concurrent.futures import ThreadPoolExecutor

from django.db import connections

# One thread, and so one connection more, a process: a gunicorn sync worker
# serves one request at a time; the development server's threads take turns.
_pool = (None, None)
_lock = threading.Lock()


def can_read_beside(connection):
    """Whether another connection to this database sees what ``connection`` sees: not inside a transaction."""
    return not connection.in_atomic_block


def read_beside(alias, function, *args):
    """Call ``function(connection, *args)`` from a thread, on that thread's own connection to ``alias``.

    Returns a ``Future``: its ``result()`` waits for the value, or raises
    the function's exception where it is asked for.
    """
    return _executor().submit(_call, alias, function, args)


def close_connections():
    """Close the thread's connections, as ``connections.close_all()`` closes a request's (before a database is dropped)."""
    pid, executor = _pool
    if pid == os.getpid():
        executor.submit(connections.close_all).result()


def _call(alias, function, args):
    connection = connections[alias]
    # What Django does at the start and the end of each request, for the
    # request's own connections: one broken, or older than CONN_MAX_AGE, is
    # closed, and opened again when next used.
    connection.close_if_unusable_or_obsolete()
    try:
        return function(connection, *args)
    finally:
        connection.close_if_unusable_or_obsolete()


def _executor():
    global _pool
    # Threads do not survive a fork: a process forked from one that made
    # the pool makes its own.
    pid, executor = _pool
    if pid != os.getpid():
        with _lock:
            pid, executor = _pool
            if pid != os.getpid():
                executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="search-beside")
                _pool = (os.getpid(), executor)
    return executor
