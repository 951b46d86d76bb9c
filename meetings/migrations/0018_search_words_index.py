"""
PostgreSQL: one index of both search vectors together, for queries of several words.

Each vector has its own GIN index (migration 0002), and a word may match in
either language, so a query of two words is, for each word, two scans (one
per vector), and then the intersection of what they found: every entry of
a common word is read ("communities", 170,000 at a million
recommendations), whatever the other word. An index of the two vectors as
one (``search_fr || search_en``) answers all the words in one scan, which
skips through the entries of the common words to the rows that hold the
rare ones. The engine asks it for rows holding every word in either
language, then tests the exact condition on those rows
(``PostgresBackend.words_sql``). The sample table (migration 0017) is read
through its partial indexes, as before: it has no such index.
"""

from django.db import migrations

FORWARD = [
    "CREATE INDEX meetings_recommendation_search_words ON meetings_recommendation "
    "USING gin ((search_fr || search_en)) WHERE is_published",
    # The planner keeps statistics of an index's expression: they are read on ANALYZE.
    "ANALYZE meetings_recommendation",
]

BACKWARD = [
    "DROP INDEX IF EXISTS meetings_recommendation_search_words",
]


def run(statements):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            with schema_editor.connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)

    return operation


class Migration(migrations.Migration):
    dependencies = [("meetings", "0017_search_sample_table")]

    operations = [migrations.RunPython(run(FORWARD), run(BACKWARD))]
