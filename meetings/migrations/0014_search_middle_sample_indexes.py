"""
PostgreSQL: full-text indexes of the middle sample (every MIDDLE_SAMPLE_EVERY-th
id, see meetings/search/engine.py), which estimates the years that the coarse
sample holds too few matches of from half the rows the fine sample would read.
"""

from django.db import migrations

# meetings.search.engine.MIDDLE_SAMPLE_EVERY, as it was when the indexes were
# made (a test checks that the engine's sample still reads them).
MIDDLE_SAMPLE_EVERY = 64

CREATE = [
    f"CREATE INDEX meetings_recommendation_search_{language}_middle ON meetings_recommendation "
    f"USING gin (search_{language}) WHERE id %% {MIDDLE_SAMPLE_EVERY} = 0"
    for language in ("fr", "en")
]
DROP = [f"DROP INDEX IF EXISTS meetings_recommendation_search_{language}_middle" for language in ("fr", "en")]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE:
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("meetings", "0013_sqlite_phrase_gaps")]

    operations = [migrations.RunPython(create, drop)]
