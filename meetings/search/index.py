"""Rebuild the whole search index, after a bulk load that bypassed the triggers."""

from django.db import connection, transaction

from . import postgres_schema, sqlite_schema
from .vocabulary import rebuild_search_terms


@transaction.atomic
def rebuild_search_index():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(postgres_schema.REBUILD)
        else:
            for statement in sqlite_schema.REBUILD:
                cursor.execute(statement)
    rebuild_search_terms()
