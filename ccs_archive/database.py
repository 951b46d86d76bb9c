"""
Time limits on the database, so that no web request can hold a worker for long.

Connecting gives up after ``DATABASE_CONNECT_TIMEOUT`` seconds everywhere
(settings.py). A statement, on the primary and on the replicas, gives up after ``DATABASE_STATEMENT_TIMEOUT``
milliseconds only in the web server's processes: ``wsgi.py`` calls
``limit_web_statements()``, which management commands never import, so
migrations, imports and export rebuilds keep PostgreSQL's own limits.
"""

from django.conf import settings


def limit_web_statements():
    """Make every PostgreSQL connection this process opens from now on end slow statements."""
    milliseconds = settings.DATABASE_STATEMENT_TIMEOUT
    for database in settings.DATABASES.values():
        if database["ENGINE"] != "django.db.backends.postgresql" or not milliseconds:
            continue
        options = database.setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c statement_timeout={int(milliseconds)}".strip()
