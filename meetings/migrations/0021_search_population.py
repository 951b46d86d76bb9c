"""
PostgreSQL: how many published recommendations each year has, in all and in
each sample, kept in a table of its own.

The engine scales a year's sampled matches by the year's size (see
``sampled_population`` in meetings/search/engine.py). It counted them in one
pass over every recommendation: 0.2 s at a million with the index in memory,
3.6 s with it on disk, so that the first search of a process (or the first
after any edit, which changes the archive's revision) could outlast the web
statements' time limit and answer 503. ``meetings_search_population`` keeps
the counts, a row a year, moved by statement-level triggers on the
recommendations table: each statement adds and takes away the rows it
inserted, updated or deleted, grouped by year, in one write a year. A search
reads a few rows.
"""

from django.db import migrations

# The engine's samples, as they were when the table was made: every 32nd,
# 64th and 256th id (a search whose samples differ counts them itself).
RATES = (32, 64, 256)

COUNTS = ", ".join(f"every_{every}" for every in RATES)


def _change(rows, sign):
    """The published rows of a transition table, each with its year and ``sign``."""
    return (
        f"SELECT CAST(EXTRACT(YEAR FROM meeting_date) AS integer) AS year, id, {sign} AS n "
        f"FROM {rows} WHERE is_published"
    )


def _write_function(name, changes):
    sums = ", ".join(
        ["SUM(n)", *(f"COALESCE(SUM(n) FILTER (WHERE id % {every} = 0), 0)" for every in RATES)]
    )
    moved = " OR ".join(
        ["SUM(n) <> 0", *(f"COALESCE(SUM(n) FILTER (WHERE id % {every} = 0), 0) <> 0" for every in RATES)]
    )
    added = ", ".join(
        f"{column} = p.{column} + EXCLUDED.{column}" for column in ("recommendations", *COUNTS.split(", "))
    )
    # The years in order: two statements that move the same years lock their
    # rows in the same order, and so never wait for each other in a circle.
    return f"""
    CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$
    BEGIN
        INSERT INTO meetings_search_population AS p (year, recommendations, {COUNTS})
        SELECT year, {sums} FROM ({changes}) AS changes
        GROUP BY year HAVING {moved} ORDER BY year
        ON CONFLICT (year) DO UPDATE SET {added};
        RETURN NULL;
    END
    $$ LANGUAGE plpgsql
    """


FUNCTIONS = [
    _write_function("meetings_search_population_insert", _change("new_rows", 1)),
    _write_function("meetings_search_population_delete", _change("old_rows", -1)),
    _write_function(
        "meetings_search_population_update", f"{_change('new_rows', 1)} UNION ALL {_change('old_rows', -1)}"
    ),
    """
    CREATE OR REPLACE FUNCTION meetings_search_population_truncate() RETURNS trigger AS $$
    BEGIN
        TRUNCATE meetings_search_population;
        RETURN NULL;
    END
    $$ LANGUAGE plpgsql
    """,
]

TRIGGERS = [
    "CREATE TRIGGER meetings_search_population_insert AFTER INSERT ON meetings_recommendation "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION meetings_search_population_insert()",
    "CREATE TRIGGER meetings_search_population_update AFTER UPDATE ON meetings_recommendation "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION meetings_search_population_update()",
    "CREATE TRIGGER meetings_search_population_delete AFTER DELETE ON meetings_recommendation "
    "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION meetings_search_population_delete()",
    "CREATE TRIGGER meetings_search_population_truncate AFTER TRUNCATE ON meetings_recommendation "
    "FOR EACH STATEMENT EXECUTE FUNCTION meetings_search_population_truncate()",
]

FORWARD = [
    "CREATE TABLE meetings_search_population (year integer PRIMARY KEY, recommendations bigint NOT NULL, "
    + ", ".join(f"every_{every} bigint NOT NULL" for every in RATES)
    + ")",
    *FUNCTIONS,
    # Counted before the triggers exist: the migration's transaction holds the
    # table's lock from here on, so no write falls between.
    "LOCK TABLE meetings_recommendation IN SHARE MODE",
    f"INSERT INTO meetings_search_population (year, recommendations, {COUNTS}) "
    f"SELECT year, COUNT(*), "
    + ", ".join(f"COUNT(*) FILTER (WHERE id % {every} = 0)" for every in RATES)
    + f" FROM ({_change('meetings_recommendation', 1)}) AS rows GROUP BY year",
    *TRIGGERS,
]

BACKWARD = [
    *(
        f"DROP TRIGGER IF EXISTS meetings_search_population_{operation} ON meetings_recommendation"
        for operation in ("insert", "update", "delete", "truncate")
    ),
    *(
        f"DROP FUNCTION IF EXISTS meetings_search_population_{operation}()"
        for operation in ("insert", "update", "delete", "truncate")
    ),
    "DROP TABLE IF EXISTS meetings_search_population",
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
    dependencies = [("meetings", "0020_search_sample_in_reading_order")]

    operations = [migrations.RunPython(forward, backward)]
