"""
SQLite: the full-text table is filled again, each stop word now leaving a
gap in its place (``fold(..., gaps=True)``), so that a phrase matches only
words side by side, as on PostgreSQL. Nothing to do on PostgreSQL.
"""

from django.db import migrations


def refill(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "sqlite":
        return
    from meetings.search.backends.sqlite import FTS_TABLE, REBUILD

    if FTS_TABLE not in connection.introspection.table_names():
        return  # a new database: it is filled after migrate
    with connection.cursor() as cursor:
        for statement in REBUILD:
            cursor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("meetings", "0012_search_coarse_sample_indexes")]

    operations = [migrations.RunPython(refill, migrations.RunPython.noop)]
