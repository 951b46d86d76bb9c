"""
PostgreSQL: keep each recommendation's search vectors in its row.

A row of two texts and two vectors passes 2 kB, and PostgreSQL then moves its
largest values, the vectors, to the table's TOAST relation: every match that
a search rechecks or scores read them from there, through an index of their
own, which doubled its cost (bench/RESULTS.md). With ``toast_tuple_target``
at its largest, a row is moved out only when it no longer fits in a page.

Rows written before keep their vectors out of line until rewritten: each
vector is written again, as itself (concatenated with nothing), and its row
then keeps it. The triggers do not fire, as no text changes. On a large
table this rewrites every row; run ``VACUUM FULL meetings_recommendation``
afterwards to give the old rows' space back.
"""

from django.db import migrations

SET = "ALTER TABLE meetings_recommendation SET (toast_tuple_target = 8160)"
REWRITE = (
    "UPDATE meetings_recommendation SET search_fr = search_fr || ''::tsvector, "
    "search_en = search_en || ''::tsvector"
)
RESET = "ALTER TABLE meetings_recommendation RESET (toast_tuple_target)"


def keep_inline(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SET)
        schema_editor.execute(REWRITE)


def move_out(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(RESET)


class Migration(migrations.Migration):
    dependencies = [("meetings", "0014_search_middle_sample_indexes")]

    operations = [migrations.RunPython(keep_inline, move_out)]
