"""
The search backends: what differs between PostgreSQL and SQLite.

Each backend is one module that owns everything specific to its database:
how the query tree becomes SQL, the index's schema and how it is rebuilt,
the bulk loader's index work, the "Did you mean" candidates, and the hooks
run when a connection opens and around ``migrate``. ``get_backend()`` is the
one place that looks at the database vendor.
"""

from django.db import connections, router


def reading_connection():
    """The connection that reads the archive: a replica's in a request the router sends to one (ccs_archive/replicas.py).

    A search reads all its rows from one database: its matches found on the
    primary and its page read from a replica that has not yet replayed them
    would not be the same recommendations.
    """
    from meetings.models import Recommendation

    return connections[router.db_for_read(Recommendation)]


def get_backend(connection=None):
    connection = connection or reading_connection()
    if connection.vendor == "postgresql":
        from . import postgres

        return postgres.PostgresBackend(connection)
    if connection.vendor == "sqlite":
        from . import sqlite

        return sqlite.SqliteBackend(connection)
    raise NotImplementedError(f"No search backend for {connection.vendor}")
