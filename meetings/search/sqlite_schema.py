"""
SQLite's side of the search index: an FTS5 table and the triggers that keep
it in step with the recommendations, their themes and their meetings.

FTS5 has no French stemmer and no unaccent, so the table holds *folded*
text: ``ccs_fold(language, text)``, a Python function registered on every
SQLite connection (see ``register_functions``), unaccents, drops stop words
and stems exactly as PostgreSQL's configurations do.

The triggers are dropped before every ``migrate`` and made again after it,
rather than in a migration: SQLite's ALTER TABLE is done by copying the
table, which drops its triggers (a later migration of these models would
silently stop the index from following the data), and a trigger that names
a table being rebuilt or removed makes the migration fail.
"""

import re

from .text import fold

FTS_TABLE = "meetings_recommendation_fts"

_COLUMNS = "text_fr, theme_fr, meeting_fr, text_en, theme_en, meeting_en"

_ROW = (
    "ccs_fold('fr', r.text_fr), ccs_fold('fr', t.title_fr), ccs_fold('fr', m.title_fr), "
    "ccs_fold('en', r.text_en), ccs_fold('en', t.title_en), ccs_fold('en', m.title_en)"
)

# LEFT JOINs: foreign keys are checked at commit, so a restore may insert a
# recommendation before its theme; its own text is indexed at once, and the
# titles when the theme and meeting arrive (the insert triggers below).
_INSERT_ROWS = (
    f"INSERT INTO {FTS_TABLE} (rowid, {_COLUMNS}) SELECT r.id, {_ROW} "
    "FROM meetings_recommendation r LEFT JOIN meetings_theme t ON t.id = r.theme_id "
    "LEFT JOIN meetings_meeting m ON m.id = t.meeting_id"
)

CREATE = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5({_COLUMNS}, tokenize = 'unicode61')",
    f"""
    CREATE TRIGGER IF NOT EXISTS meetings_recommendation_fts_insert
    AFTER INSERT ON meetings_recommendation BEGIN
        {_INSERT_ROWS} WHERE r.id = NEW.id;
    END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS meetings_recommendation_fts_update
    AFTER UPDATE ON meetings_recommendation BEGIN
        DELETE FROM {FTS_TABLE} WHERE rowid = OLD.id;
        {_INSERT_ROWS} WHERE r.id = NEW.id;
    END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS meetings_recommendation_fts_delete
    AFTER DELETE ON meetings_recommendation BEGIN
        DELETE FROM {FTS_TABLE} WHERE rowid = OLD.id;
    END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS meetings_theme_fts_insert
    AFTER INSERT ON meetings_theme BEGIN
        DELETE FROM {FTS_TABLE}
         WHERE rowid IN (SELECT id FROM meetings_recommendation WHERE theme_id = NEW.id);
        {_INSERT_ROWS} WHERE r.theme_id = NEW.id;
    END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS meetings_meeting_fts_insert
    AFTER INSERT ON meetings_meeting BEGIN
        DELETE FROM {FTS_TABLE} WHERE rowid IN (
            SELECT r.id FROM meetings_recommendation r JOIN meetings_theme t ON t.id = r.theme_id
             WHERE t.meeting_id = NEW.id);
        {_INSERT_ROWS} WHERE t.meeting_id = NEW.id;
    END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS meetings_theme_fts_update
    AFTER UPDATE OF title_fr, title_en, meeting_id ON meetings_theme BEGIN
        DELETE FROM {FTS_TABLE}
         WHERE rowid IN (SELECT id FROM meetings_recommendation WHERE theme_id = NEW.id);
        {_INSERT_ROWS} WHERE r.theme_id = NEW.id;
    END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS meetings_meeting_fts_update
    AFTER UPDATE OF title_fr, title_en ON meetings_meeting BEGIN
        DELETE FROM {FTS_TABLE} WHERE rowid IN (
            SELECT r.id FROM meetings_recommendation r JOIN meetings_theme t ON t.id = r.theme_id
             WHERE t.meeting_id = NEW.id);
        {_INSERT_ROWS} WHERE t.meeting_id = NEW.id;
    END
    """,
]

REBUILD = [f"DELETE FROM {FTS_TABLE}", _INSERT_ROWS]

TRIGGERS = [re.search(r"CREATE TRIGGER IF NOT EXISTS (\w+)", statement)[1] for statement in CREATE[1:]]


def _fold(language, text):
    return fold(text, language) if text else ""


def register_functions(connection):
    """Make ``ccs_fold`` available to the triggers on this connection."""
    connection.create_function("ccs_fold", 2, _fold, deterministic=True)


def drop_triggers(connection):
    with connection.cursor() as cursor:
        for name in TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def create_index(connection):
    """Create the FTS table and triggers if missing, and fill the table if it is out of step."""
    if "meetings_recommendation" not in connection.introspection.table_names():
        return  # the app's tables are not there (migrated to zero)
    with connection.cursor() as cursor:
        for statement in CREATE:
            cursor.execute(statement)
        cursor.execute(f"SELECT COUNT(*) FROM {FTS_TABLE}")
        indexed = cursor.fetchone()[0]
        cursor.execute("SELECT COUNT(*) FROM meetings_recommendation")
        if cursor.fetchone()[0] != indexed:
            for statement in REBUILD:
                cursor.execute(statement)
