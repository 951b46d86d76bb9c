"""
PostgreSQL's full-text search: the unaccent and pg_trgm extensions, the
french_unaccent and english_unaccent configurations, the search vectors of
each recommendation (its text, weight A; its theme's title, B; its meeting's
title, C) kept current by triggers, and the GIN indexes.

A generated column cannot read the theme's and meeting's titles, which live
in other tables; the triggers do the same job inside the database, so that no
code path can forget to keep the index current. SQLite's FTS5 index is made
after migrate instead: see meetings/search/sqlite_schema.py.
"""

from django.db import migrations

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE TEXT SEARCH CONFIGURATION french_unaccent (COPY = french)",
    "ALTER TEXT SEARCH CONFIGURATION french_unaccent ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem",
    "CREATE TEXT SEARCH CONFIGURATION english_unaccent (COPY = english)",
    "ALTER TEXT SEARCH CONFIGURATION english_unaccent ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem",
    "ALTER TABLE meetings_recommendation ADD COLUMN search_fr tsvector, ADD COLUMN search_en tsvector",
    """
    CREATE FUNCTION meetings_recommendation_search_vectors() RETURNS trigger AS $$
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
    """,
    """
    CREATE TRIGGER meetings_recommendation_search_vectors
    BEFORE INSERT OR UPDATE ON meetings_recommendation
    FOR EACH ROW EXECUTE FUNCTION meetings_recommendation_search_vectors()
    """,
    """
    CREATE FUNCTION meetings_theme_reindex() RETURNS trigger AS $$
    BEGIN
        UPDATE meetings_recommendation SET theme_id = theme_id WHERE theme_id = NEW.id;
        RETURN NULL;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER meetings_theme_reindex
    AFTER UPDATE ON meetings_theme FOR EACH ROW
    WHEN (OLD.title_fr IS DISTINCT FROM NEW.title_fr OR OLD.title_en IS DISTINCT FROM NEW.title_en
          OR OLD.meeting_id IS DISTINCT FROM NEW.meeting_id)
    EXECUTE FUNCTION meetings_theme_reindex()
    """,
    """
    CREATE TRIGGER meetings_theme_reindex_on_insert
    AFTER INSERT ON meetings_theme FOR EACH ROW
    EXECUTE FUNCTION meetings_theme_reindex()
    """,
    """
    CREATE FUNCTION meetings_meeting_reindex() RETURNS trigger AS $$
    BEGIN
        UPDATE meetings_recommendation r SET theme_id = r.theme_id
          FROM meetings_theme t WHERE t.id = r.theme_id AND t.meeting_id = NEW.id;
        RETURN NULL;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER meetings_meeting_reindex
    AFTER UPDATE ON meetings_meeting FOR EACH ROW
    WHEN (OLD.title_fr IS DISTINCT FROM NEW.title_fr OR OLD.title_en IS DISTINCT FROM NEW.title_en)
    EXECUTE FUNCTION meetings_meeting_reindex()
    """,
    """
    CREATE TRIGGER meetings_meeting_reindex_on_insert
    AFTER INSERT ON meetings_meeting FOR EACH ROW
    EXECUTE FUNCTION meetings_meeting_reindex()
    """,
    "CREATE INDEX meetings_recommendation_search_fr ON meetings_recommendation USING gin (search_fr)",
    "CREATE INDEX meetings_recommendation_search_en ON meetings_recommendation USING gin (search_en)",
    "CREATE INDEX meetings_searchterm_trigram ON meetings_searchterm USING gin (normalized gin_trgm_ops)",
]

DROP = [
    "DROP INDEX IF EXISTS meetings_searchterm_trigram",
    "DROP TRIGGER IF EXISTS meetings_meeting_reindex_on_insert ON meetings_meeting",
    "DROP TRIGGER IF EXISTS meetings_meeting_reindex ON meetings_meeting",
    "DROP FUNCTION IF EXISTS meetings_meeting_reindex()",
    "DROP TRIGGER IF EXISTS meetings_theme_reindex_on_insert ON meetings_theme",
    "DROP TRIGGER IF EXISTS meetings_theme_reindex ON meetings_theme",
    "DROP FUNCTION IF EXISTS meetings_theme_reindex()",
    "DROP TRIGGER IF EXISTS meetings_recommendation_search_vectors ON meetings_recommendation",
    "DROP FUNCTION IF EXISTS meetings_recommendation_search_vectors()",
    "ALTER TABLE meetings_recommendation DROP COLUMN IF EXISTS search_fr, DROP COLUMN IF EXISTS search_en",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS french_unaccent",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS english_unaccent",
]


def create_postgres_search(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE:
            schema_editor.execute(statement)


def drop_postgres_search(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("meetings", "0001_initial")]

    operations = [migrations.RunPython(create_postgres_search, drop_postgres_search)]
