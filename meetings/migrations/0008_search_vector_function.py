"""
PostgreSQL: the weighting of a recommendation's search vector, written once.

``meetings_search_vector()`` is what the trigger computes for each row, and
what a bulk load computes for many rows at once (see the PostgreSQL search
backend), so that the two can never weigh the text and titles differently.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION meetings_search_vector(config regconfig, body text, theme_title text, meeting_title text)
RETURNS tsvector AS $$
    SELECT setweight(to_tsvector(config, coalesce(body, '')), 'A')
        || setweight(to_tsvector(config, coalesce(theme_title, '')), 'B')
        || setweight(to_tsvector(config, coalesce(meeting_title, '')), 'C')
$$ LANGUAGE sql STABLE
"""

TRIGGER_FUNCTION = """
CREATE OR REPLACE FUNCTION meetings_recommendation_search_vectors() RETURNS trigger AS $$
BEGIN
    SELECT meetings_search_vector('french_unaccent', NEW.text_fr, t.title_fr, m.title_fr),
           meetings_search_vector('english_unaccent', NEW.text_en, t.title_en, m.title_en)
      INTO NEW.search_fr, NEW.search_en
      FROM (SELECT 1) AS one
      LEFT JOIN meetings_theme t ON t.id = NEW.theme_id
      LEFT JOIN meetings_meeting m ON m.id = t.meeting_id;
    RETURN NEW;
END
$$ LANGUAGE plpgsql
"""

PREVIOUS_TRIGGER_FUNCTION = """
CREATE OR REPLACE FUNCTION meetings_recommendation_search_vectors() RETURNS trigger AS $$
BEGIN
    SELECT setweight(to_tsvector('french_unaccent', coalesce(NEW.text_fr, '')), 'A')
        || setweight(to_tsvector('french_unaccent', coalesce(t.title_fr, '')), 'B')
        || setweight(to_tsvector('french_unaccent', coalesce(m.title_fr, '')), 'C'),
           setweight(to_tsvector('english_unaccent', coalesce(NEW.text_en, '')), 'A')
        || setweight(to_tsvector('english_unaccent', coalesce(t.title_en, '')), 'B')
        || setweight(to_tsvector('english_unaccent', coalesce(m.title_en, '')), 'C')
      INTO NEW.search_fr, NEW.search_en
      FROM (SELECT 1) AS one
      LEFT JOIN meetings_theme t ON t.id = NEW.theme_id
      LEFT JOIN meetings_meeting m ON m.id = t.meeting_id;
    RETURN NEW;
END
$$ LANGUAGE plpgsql
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION)
        schema_editor.execute(TRIGGER_FUNCTION)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PREVIOUS_TRIGGER_FUNCTION)
        schema_editor.execute("DROP FUNCTION IF EXISTS meetings_search_vector(regconfig, text, text, text)")


class Migration(migrations.Migration):
    dependencies = [("meetings", "0007_subjects")]

    operations = [migrations.RunPython(forwards, backwards)]
