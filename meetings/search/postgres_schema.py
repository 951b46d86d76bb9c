"""
PostgreSQL's side of the search index, created by migration 0002.

Each recommendation has a ``search_fr`` and a ``search_en`` tsvector: its own
text (weight A), its theme's title (B) and its meeting's title (C), each in
its language's configuration. A generated column cannot read other tables,
so triggers keep the vectors current instead: on a recommendation's insert or
update, and on a change of a theme's or a meeting's titles. The database
does this itself, so no code path can forget it.
"""

CONFIGURATIONS = {"french_unaccent": "french", "english_unaccent": "english"}


def _vector(language, config):
    return (
        f"setweight(to_tsvector('{config}', coalesce(NEW.text_{language}, '')), 'A') || "
        f"setweight(to_tsvector('{config}', coalesce(t.title_{language}, '')), 'B') || "
        f"setweight(to_tsvector('{config}', coalesce(m.title_{language}, '')), 'C')"
    )


CREATE = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    *(
        statement
        for config, base in CONFIGURATIONS.items()
        for statement in (
            f"CREATE TEXT SEARCH CONFIGURATION {config} (COPY = {base})",
            f"ALTER TEXT SEARCH CONFIGURATION {config} "
            f"ALTER MAPPING FOR hword, hword_part, word WITH unaccent, {base}_stem",
        )
    ),
    "ALTER TABLE meetings_recommendation ADD COLUMN search_fr tsvector, ADD COLUMN search_en tsvector",
    f"""
    CREATE FUNCTION meetings_recommendation_search_vectors() RETURNS trigger AS $$
    BEGIN
        SELECT {_vector("fr", "french_unaccent")}, {_vector("en", "english_unaccent")}
          INTO NEW.search_fr, NEW.search_en
          FROM meetings_theme t JOIN meetings_meeting m ON m.id = t.meeting_id
         WHERE t.id = NEW.theme_id;
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER meetings_recommendation_search_vectors
    BEFORE INSERT OR UPDATE ON meetings_recommendation
    FOR EACH ROW EXECUTE FUNCTION meetings_recommendation_search_vectors()
    """,
    # A change of title reindexes the recommendations below it: setting a
    # column to itself fires the trigger above.
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
    "CREATE INDEX meetings_recommendation_search_fr ON meetings_recommendation USING gin (search_fr)",
    "CREATE INDEX meetings_recommendation_search_en ON meetings_recommendation USING gin (search_en)",
    "CREATE INDEX meetings_searchterm_trigram ON meetings_searchterm USING gin (normalized gin_trgm_ops)",
]

DROP = [
    "DROP INDEX IF EXISTS meetings_searchterm_trigram",
    "DROP TRIGGER IF EXISTS meetings_meeting_reindex ON meetings_meeting",
    "DROP FUNCTION IF EXISTS meetings_meeting_reindex()",
    "DROP TRIGGER IF EXISTS meetings_theme_reindex ON meetings_theme",
    "DROP FUNCTION IF EXISTS meetings_theme_reindex()",
    "DROP TRIGGER IF EXISTS meetings_recommendation_search_vectors ON meetings_recommendation",
    "DROP FUNCTION IF EXISTS meetings_recommendation_search_vectors()",
    "ALTER TABLE meetings_recommendation DROP COLUMN IF EXISTS search_fr, DROP COLUMN IF EXISTS search_en",
    *(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {config}" for config in CONFIGURATIONS),
]

REBUILD = "UPDATE meetings_recommendation SET theme_id = theme_id"
