"""
Each recommendation keeps a copy of its meeting's date, id and publication
and of its theme's position: search sorts and filters a million matches on
one table, in the order of one index, with no join.

On PostgreSQL, triggers keep the copies in step with the themes and meetings
(below). The search vector's trigger now fires only when what it reads
changes, so that setting the copies does not recompute every vector. SQLite's
triggers are made after every ``migrate`` with its full-text ones (see
``meetings/search/backends/sqlite.py``); here its rows are filled once.
"""

from django.db import migrations, models

KEYS_FUNCTION = """
CREATE OR REPLACE FUNCTION meetings_recommendation_sort_keys() RETURNS trigger AS $$
BEGIN
    -- No row when a restore inserts a recommendation before its theme: the
    -- theme's and the meeting's insert triggers set the copies when they arrive.
    SELECT m.date, m.id, t.position, m.is_published
      INTO NEW.meeting_date, NEW.meeting_pk, NEW.theme_position, NEW.is_published
      FROM meetings_theme t JOIN meetings_meeting m ON m.id = t.meeting_id
     WHERE t.id = NEW.theme_id;
    NEW.is_published := coalesce(NEW.is_published, false);
    RETURN NEW;
END
$$ LANGUAGE plpgsql
"""

THEME_FUNCTION = """
CREATE OR REPLACE FUNCTION meetings_theme_sort_keys() RETURNS trigger AS $$
BEGIN
    UPDATE meetings_recommendation SET theme_id = theme_id WHERE theme_id = NEW.id;
    RETURN NULL;
END
$$ LANGUAGE plpgsql
"""

MEETING_FUNCTION = """
CREATE OR REPLACE FUNCTION meetings_meeting_sort_keys() RETURNS trigger AS $$
BEGIN
    UPDATE meetings_recommendation r
       SET meeting_date = NEW.date, is_published = NEW.is_published
      FROM meetings_theme t
     WHERE t.id = r.theme_id AND t.meeting_id = NEW.id;
    RETURN NULL;
END
$$ LANGUAGE plpgsql
"""

CREATE = [
    KEYS_FUNCTION,
    THEME_FUNCTION,
    MEETING_FUNCTION,
    # Inserting a row, or moving it to another theme (and every reindex, which
    # sets theme_id to itself).
    """
    CREATE TRIGGER meetings_recommendation_sort_keys
    BEFORE INSERT OR UPDATE OF theme_id ON meetings_recommendation
    FOR EACH ROW EXECUTE FUNCTION meetings_recommendation_sort_keys()
    """,
    """
    CREATE TRIGGER meetings_theme_sort_keys
    AFTER UPDATE ON meetings_theme FOR EACH ROW
    WHEN (OLD.position IS DISTINCT FROM NEW.position OR OLD.meeting_id IS DISTINCT FROM NEW.meeting_id)
    EXECUTE FUNCTION meetings_theme_sort_keys()
    """,
    """
    CREATE TRIGGER meetings_meeting_sort_keys
    AFTER UPDATE ON meetings_meeting FOR EACH ROW
    WHEN (OLD.date IS DISTINCT FROM NEW.date OR OLD.is_published IS DISTINCT FROM NEW.is_published)
    EXECUTE FUNCTION meetings_meeting_sort_keys()
    """,
    # The vector reads the texts and, through theme_id, the titles: nothing else.
    "DROP TRIGGER meetings_recommendation_search_vectors ON meetings_recommendation",
    """
    CREATE TRIGGER meetings_recommendation_search_vectors
    BEFORE INSERT OR UPDATE OF text_fr, text_en, theme_id ON meetings_recommendation
    FOR EACH ROW EXECUTE FUNCTION meetings_recommendation_search_vectors()
    """,
]

DROP = [
    "DROP TRIGGER meetings_recommendation_search_vectors ON meetings_recommendation",
    """
    CREATE TRIGGER meetings_recommendation_search_vectors
    BEFORE INSERT OR UPDATE ON meetings_recommendation
    FOR EACH ROW EXECUTE FUNCTION meetings_recommendation_search_vectors()
    """,
    "DROP TRIGGER IF EXISTS meetings_meeting_sort_keys ON meetings_meeting",
    "DROP TRIGGER IF EXISTS meetings_theme_sort_keys ON meetings_theme",
    "DROP TRIGGER IF EXISTS meetings_recommendation_sort_keys ON meetings_recommendation",
    "DROP FUNCTION IF EXISTS meetings_meeting_sort_keys()",
    "DROP FUNCTION IF EXISTS meetings_theme_sort_keys()",
    "DROP FUNCTION IF EXISTS meetings_recommendation_sort_keys()",
]

# The same on both databases, in a form both accept.
FILL = """
UPDATE meetings_recommendation
   SET meeting_date = (SELECT m.date FROM meetings_theme t JOIN meetings_meeting m ON m.id = t.meeting_id
                        WHERE t.id = meetings_recommendation.theme_id),
       meeting_pk = (SELECT t.meeting_id FROM meetings_theme t WHERE t.id = meetings_recommendation.theme_id),
       theme_position = (SELECT t.position FROM meetings_theme t WHERE t.id = meetings_recommendation.theme_id),
       is_published = coalesce((SELECT m.is_published FROM meetings_theme t
                                  JOIN meetings_meeting m ON m.id = t.meeting_id
                                 WHERE t.id = meetings_recommendation.theme_id), false)
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE:
            schema_editor.execute(statement)
    schema_editor.execute(FILL)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0010_archive_revision"),
    ]

    operations = [
        migrations.AddField(
            model_name="recommendation",
            name="is_published",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.AddField(
            model_name="recommendation",
            name="meeting_date",
            field=models.DateField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="recommendation",
            name="meeting_pk",
            field=models.BigIntegerField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="recommendation",
            name="theme_position",
            field=models.PositiveIntegerField(editable=False, null=True),
        ),
        migrations.RunPython(create, drop),
        migrations.AddIndex(
            model_name="recommendation",
            index=models.Index(
                condition=models.Q(("is_published", True)),
                fields=["-meeting_date", "-meeting_pk", "theme_position", "position", "id"],
                name="recommendation_newest",
            ),
        ),
    ]
