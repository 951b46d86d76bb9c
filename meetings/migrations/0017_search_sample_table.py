"""
PostgreSQL: the sample that estimates counts in a table of its own.

Counts past the bound are estimated from every 32nd recommendation (see
meetings/search/engine.py). Read from the recommendations table, the partial
indexes of migrations 0009, 0012 and 0014 give the sampled matches at once,
but each match is then a page of that table to read: for a common word, a
few thousand pages of a table of 2 GB at a million recommendations, which
the database's cache does not keep. ``meetings_search_sample`` holds those
recommendations alone, with only the columns a search reads (30 MB at a
million), kept by triggers on the recommendations table; so it stays in the
database's cache, and its rows lie close together.

The sample of every 64th and every 256th id are partial indexes of it; the
partial indexes of the recommendations table that served them are dropped.
"""

from django.db import migrations

# meetings.search.engine.SAMPLE_EVERY, as it was when the table was made (a
# test checks that the engine's samples still read it).
SAMPLE_EVERY = 32
MIDDLE_SAMPLE_EVERY = 64
COARSE_SAMPLE_EVERY = 256

COLUMNS = "id, meeting_date, meeting_pk, is_published, search_fr, search_en"

WRITE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION meetings_search_sample_write() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND (TG_OP = 'DELETE' OR OLD.id <> NEW.id) THEN
        DELETE FROM meetings_search_sample WHERE id = OLD.id;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.id % {SAMPLE_EVERY} = 0 THEN
        INSERT INTO meetings_search_sample ({COLUMNS})
        VALUES (NEW.id, NEW.meeting_date, NEW.meeting_pk, NEW.is_published, NEW.search_fr, NEW.search_en)
        ON CONFLICT (id) DO UPDATE SET meeting_date = EXCLUDED.meeting_date,
            meeting_pk = EXCLUDED.meeting_pk, is_published = EXCLUDED.is_published,
            search_fr = EXCLUDED.search_fr, search_en = EXCLUDED.search_en;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql
"""

TRUNCATE_FUNCTION = """
CREATE OR REPLACE FUNCTION meetings_search_sample_truncate() RETURNS trigger AS $$
BEGIN
    TRUNCATE meetings_search_sample;
    RETURN NULL;
END
$$ LANGUAGE plpgsql
"""

# The other 31 rows of 32 never call the function: a WHEN costs next to nothing.
TRIGGERS = [
    f"""
    CREATE TRIGGER meetings_search_sample_insert AFTER INSERT ON meetings_recommendation
    FOR EACH ROW WHEN (NEW.id % {SAMPLE_EVERY} = 0) EXECUTE FUNCTION meetings_search_sample_write()
    """,
    f"""
    CREATE TRIGGER meetings_search_sample_update AFTER UPDATE ON meetings_recommendation
    FOR EACH ROW WHEN (OLD.id % {SAMPLE_EVERY} = 0 OR NEW.id % {SAMPLE_EVERY} = 0)
    EXECUTE FUNCTION meetings_search_sample_write()
    """,
    f"""
    CREATE TRIGGER meetings_search_sample_delete AFTER DELETE ON meetings_recommendation
    FOR EACH ROW WHEN (OLD.id % {SAMPLE_EVERY} = 0) EXECUTE FUNCTION meetings_search_sample_write()
    """,
    """
    CREATE TRIGGER meetings_search_sample_truncate AFTER TRUNCATE ON meetings_recommendation
    FOR EACH STATEMENT EXECUTE FUNCTION meetings_search_sample_truncate()
    """,
]

# The indexes the recommendations table had for its samples (migrations 0009, 0012, 0014).
FORMER_INDEXES = {
    "sample": SAMPLE_EVERY,
    "middle": MIDDLE_SAMPLE_EVERY,
    "coarse": COARSE_SAMPLE_EVERY,
}

FORWARD = [
    # Vectors kept in the row, as in the recommendations table (migration 0015).
    "CREATE TABLE meetings_search_sample (id bigint PRIMARY KEY, meeting_date date, meeting_pk bigint, "
    "is_published boolean NOT NULL, search_fr tsvector, search_en tsvector) WITH (toast_tuple_target = 8160)",
    f"INSERT INTO meetings_search_sample ({COLUMNS}) SELECT {COLUMNS} FROM meetings_recommendation "
    f"WHERE id % {SAMPLE_EVERY} = 0",
    WRITE_FUNCTION,
    TRUNCATE_FUNCTION,
    *TRIGGERS,
    *(
        f"CREATE INDEX meetings_search_sample_{language} ON meetings_search_sample USING gin (search_{language})"
        for language in ("fr", "en")
    ),
    *(
        f"CREATE INDEX meetings_search_sample_{language}_{name} ON meetings_search_sample "
        f"USING gin (search_{language}) WHERE id % {every} = 0"
        for language in ("fr", "en")
        for name, every in (("middle", MIDDLE_SAMPLE_EVERY), ("coarse", COARSE_SAMPLE_EVERY))
    ),
    *(
        f"DROP INDEX IF EXISTS meetings_recommendation_search_{language}_{name}"
        for language in ("fr", "en")
        for name in FORMER_INDEXES
    ),
    "ANALYZE meetings_search_sample",
]

BACKWARD = [
    *(
        f"CREATE INDEX meetings_recommendation_search_{language}_{name} ON meetings_recommendation "
        f"USING gin (search_{language}) WHERE id % {every} = 0"
        for language in ("fr", "en")
        for name, every in FORMER_INDEXES.items()
    ),
    *(
        f"DROP TRIGGER IF EXISTS meetings_search_sample_{operation} ON meetings_recommendation"
        for operation in ("insert", "update", "delete", "truncate")
    ),
    "DROP FUNCTION IF EXISTS meetings_search_sample_write()",
    "DROP FUNCTION IF EXISTS meetings_search_sample_truncate()",
    "DROP TABLE IF EXISTS meetings_search_sample",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            for statement in FORWARD:
                cursor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            for statement in BACKWARD:
                cursor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("meetings", "0016_search_plain_texts")]

    operations = [migrations.RunPython(forward, backward)]
