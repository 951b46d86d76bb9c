from django.db import migrations


def create_postgres_search(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite's FTS5 index is made after migrate: see search/sqlite_schema.py.
    from meetings.search.postgres_schema import CREATE

    for statement in CREATE:
        schema_editor.execute(statement)


def drop_postgres_search(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from meetings.search.postgres_schema import DROP

    for statement in DROP:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("meetings", "0001_initial")]

    operations = [migrations.RunPython(create_postgres_search, drop_postgres_search)]
