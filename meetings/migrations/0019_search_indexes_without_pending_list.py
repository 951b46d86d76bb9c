"""
PostgreSQL: the search's GIN indexes take each new entry at once.

By default a GIN index queues new entries in a "pending list" that every
scan of the index reads in full, until a VACUUM or a list of 4 MB moves
them into the index proper. The sample table (migration 0017) is filled
row by row by triggers, so its indexes held every one of their entries in
that list: at a million recommendations, the coarse sample of "services"
read 629 pages of pending entries for 5,800 rows, on every search, and the
"Did you mean" vocabulary's trigram index read its 3,800 words the same
way. The archive is written rarely and read constantly: without the list
(``fastupdate = off``) an edit costs a little more and a search never pays
for one. The entries already queued are moved now.
"""

from django.db import migrations

GIN_INDEXES = """
SELECT i.indexrelid::regclass::text
  FROM pg_index i
  JOIN pg_class c ON c.oid = i.indexrelid
  JOIN pg_am a ON a.oid = c.relam
 WHERE a.amname = 'gin'
   AND c.relnamespace = current_schema()::regnamespace
   AND i.indrelid::regclass::text LIKE 'meetings\\_%%'
"""


def set_fastupdate(value):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(GIN_INDEXES)
            for (index,) in cursor.fetchall():
                cursor.execute(f"ALTER INDEX {index} SET (fastupdate = {value})")
                if value == "off":
                    cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])

    return operation


class Migration(migrations.Migration):
    dependencies = [("meetings", "0018_search_words_index")]

    operations = [migrations.RunPython(set_fastupdate("off"), set_fastupdate("on"))]
