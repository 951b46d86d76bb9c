"""
PostgreSQL: full-text indexes of the coarse sample (every COARSE_SAMPLE_EVERY-th
id, see meetings/search/engine.py), which estimates the counts of a word that
most recommendations hold from a few thousand rows rather than tens of
thousands.
"""

from django.db import migrations

# meetings.search.engine.COARSE_SAMPLE_EVERY, as it was when the indexes were
# made (a test checks that the engine's sample still reads them).
COARSE_SAMPLE_EVERY = 256

CREATE = [
    f"CREATE INDEX meetings_recommendation_search_{language}_coarse ON meetings_recommendation "
    f"USING gin (search_{language}) WHERE id %% {COARSE_SAMPLE_EVERY} = 0"
    for language in ("fr", "en")
]
DROP = [f"DROP INDEX IF EXISTS meetings_recommendation_search_{language}_coarse" for language in ("fr", "en")]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE:
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("meetings", "0011_search_sort_keys")]

    operations = [migrations.RunPython(create, drop)]
