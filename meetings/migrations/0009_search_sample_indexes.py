"""
PostgreSQL: full-text indexes of the fixed sample that estimates counts past
the engine's COUNT_BOUND (the recommendations whose id is a multiple of
SAMPLE_EVERY, see meetings/search/engine.py). Counting the sample's matches
then reads 1/32 of the index instead of every match and its row.
"""

from django.db import migrations

# meetings.search.engine.SAMPLE_EVERY, as it was when the indexes were made
# (a test checks that the engine's sample still reads them).
SAMPLE_EVERY = 32

CREATE = [
    f"CREATE INDEX meetings_recommendation_search_{language}_sample ON meetings_recommendation "
    f"USING gin (search_{language}) WHERE id %% {SAMPLE_EVERY} = 0"
    for language in ("fr", "en")
]
DROP = [f"DROP INDEX IF EXISTS meetings_recommendation_search_{language}_sample" for language in ("fr", "en")]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE:
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("meetings", "0008_search_vector_function")]

    operations = [migrations.RunPython(create, drop)]
