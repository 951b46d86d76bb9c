"""
PostgreSQL: the sample table's rows in the order its reads want them.

The coarse sample (every 256th recommendation) is read by every search, the
middle one (every 64th) by many: written together at the start of the
table, they fill a few hundred pages rather than one page per row (see
``PostgresBackend.write_sample_in_reading_order``).
"""

from django.db import migrations

from meetings.search.backends import get_backend


def write_in_reading_order(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        get_backend(schema_editor.connection).write_sample_in_reading_order()


class Migration(migrations.Migration):
    dependencies = [("meetings", "0019_search_indexes_without_pending_list")]

    operations = [migrations.RunPython(write_in_reading_order, migrations.RunPython.noop)]
