"""
The search backends: what differs between PostgreSQL and SQLite.

Each backend is one module that owns everything specific to its database:
how the query tree becomes SQL, the index's schema and how it is rebuilt,
the bulk loader's index work, the "Did you mean" candidates, and the hooks
run when a connection opens and around ``migrate``. ``get_backend()`` is the
one place that looks at the database vendor.
"""

from django.db import connection as default_connection


def get_backend(connection=None):
    connection = connection or default_connection
    if connection.vendor == "postgresql":
        from . import postgres

        return postgres.PostgresBackend(connection)
    if connection.vendor == "sqlite":
        from . import sqlite

        return sqlite.SqliteBackend(connection)
    raise NotImplementedError(f"No search backend for {connection.vendor}")
