from django.db import migrations

# PostgreSQL misestimated how many rows a word matches (3,000 estimated
# against 82,756 for "intelligence artificielle" at a million rows) and chose
# slow plans; finer statistics on the search vectors fixed it (bench/RESULTS.md).
FINER = "ALTER TABLE meetings_recommendation ALTER COLUMN search_fr SET STATISTICS 10000, ALTER COLUMN search_en SET STATISTICS 10000"
DEFAULT = "ALTER TABLE meetings_recommendation ALTER COLUMN search_fr SET STATISTICS -1, ALTER COLUMN search_en SET STATISTICS -1"


def finer(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FINER)


def default(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DEFAULT)


class Migration(migrations.Migration):
    dependencies = [("meetings", "0005_listing_last_modified_index")]

    operations = [migrations.RunPython(finer, default)]
