"""
SQLite's side of search: an FTS5 table and the triggers that keep it, and
each recommendation's copies of its meeting's sort keys, in step with the
recommendations, their themes and their meetings.

FTS5 has no French stemmer and no unaccent, so the table holds *folded*
text: ``ccs_fold(language, text)``, a Python function registered on every
SQLite connection, unaccents, drops stop words and stems exactly as
PostgreSQL's configurations do (see ``text.py``), so that both databases
find the same recommendations.

Beside it, ``meetings_recommendation_plain`` holds each recommendation's texts in lower case and
without accents (``ccs_plain``), as PostgreSQL's ``plain_fr`` and
``plain_en`` columns do (migration 0016): the first estimate of relevance
asks whether a text holds the query's words as typed, and a LIKE on the
copy costs a fraction of a Python call on the text for each match.

The triggers are dropped before every ``migrate`` and made again after it,
rather than in a migration: SQLite's ALTER TABLE is done by copying the
table, which drops its triggers (a later migration of these models would
silently stop the index from following the data), and a trigger that names
a table being rebuilt or removed makes the migration fail.
"""

import json
import re

from meetings.models import Meeting, Recommendation, SearchTerm, Theme

from ..ranking import FIELD_WEIGHTS, OTHER_LANGUAGE_WEIGHT
from ..text import GAP, SIMILARITY_THRESHOLD, fold, fold_word, similarity, unaccent
from .base import Backend, like_pattern, table

R, T, M = table(Recommendation), table(Theme), table(Meeting)
FTS_TABLE = f"{R}_fts"

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
    f"FROM {R} r LEFT JOIN {T} t ON t.id = r.theme_id "
    f"LEFT JOIN {M} m ON m.id = t.meeting_id"
)

CREATE = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5({_COLUMNS}, tokenize = 'unicode61')",
    f"""
    CREATE TRIGGER IF NOT EXISTS {R}_fts_insert
    AFTER INSERT ON {R} BEGIN
        {_INSERT_ROWS} WHERE r.id = NEW.id;
    END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS {R}_fts_update
    AFTER UPDATE OF text_fr, text_en, theme_id ON {R} BEGIN
        DELETE FROM {FTS_TABLE} WHERE rowid = OLD.id;
        {_INSERT_ROWS} WHERE r.id = NEW.id;
    END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS {R}_fts_delete
    AFTER DELETE ON {R} BEGIN
        DELETE FROM {FTS_TABLE} WHERE rowid = OLD.id;
    END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS {T}_fts_insert
    AFTER INSERT ON {T} BEGIN
        DELETE FROM {FTS_TABLE}
         WHERE rowid IN (SELECT id FROM {R} WHERE theme_id = NEW.id);
        {_INSERT_ROWS} WHERE r.theme_id = NEW.id;
    END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS {M}_fts_insert
    AFTER INSERT ON {M} BEGIN
        DELETE FROM {FTS_TABLE} WHERE rowid IN (
            SELECT r.id FROM {R} r JOIN {T} t ON t.id = r.theme_id
             WHERE t.meeting_id = NEW.id);
        {_INSERT_ROWS} WHERE t.meeting_id = NEW.id;
    END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS {T}_fts_update
    AFTER UPDATE OF title_fr, title_en, meeting_id ON {T} BEGIN
        DELETE FROM {FTS_TABLE}
         WHERE rowid IN (SELECT id FROM {R} WHERE theme_id = NEW.id);
        {_INSERT_ROWS} WHERE r.theme_id = NEW.id;
    END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS {M}_fts_update
    AFTER UPDATE OF title_fr, title_en ON {M} BEGIN
        DELETE FROM {FTS_TABLE} WHERE rowid IN (
            SELECT r.id FROM {R} r JOIN {T} t ON t.id = r.theme_id
             WHERE t.meeting_id = NEW.id);
        {_INSERT_ROWS} WHERE t.meeting_id = NEW.id;
    END
    """,
]

# Each recommendation's copies of its meeting's date, id and publication and
# of its theme's position (see the Recommendation model), set from its theme.
_SET_SORT_KEYS = (
    f"UPDATE {R} SET "
    f"meeting_date = (SELECT m.date FROM {T} t JOIN {M} m ON m.id = t.meeting_id WHERE t.id = {R}.theme_id), "
    f"meeting_pk = (SELECT t.meeting_id FROM {T} t WHERE t.id = {R}.theme_id), "
    f"theme_position = (SELECT t.position FROM {T} t WHERE t.id = {R}.theme_id), "
    f"is_published = coalesce((SELECT m.is_published FROM {T} t JOIN {M} m ON m.id = t.meeting_id "
    f"WHERE t.id = {R}.theme_id), 0)"
)

CREATE += [
    f"""
    CREATE TRIGGER IF NOT EXISTS {R}_sort_keys_insert
    AFTER INSERT ON {R} BEGIN
        {_SET_SORT_KEYS} WHERE id = NEW.id;
    END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS {R}_sort_keys_update
    AFTER UPDATE OF theme_id ON {R} BEGIN
        {_SET_SORT_KEYS} WHERE id = NEW.id;
    END
    """,
    # A theme inserted after its recommendations (a restore), moved, or renumbered.
    f"""
    CREATE TRIGGER IF NOT EXISTS {T}_sort_keys_insert
    AFTER INSERT ON {T} BEGIN
        {_SET_SORT_KEYS} WHERE theme_id = NEW.id;
    END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS {T}_sort_keys_update
    AFTER UPDATE OF position, meeting_id ON {T} BEGIN
        {_SET_SORT_KEYS} WHERE theme_id = NEW.id;
    END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS {M}_sort_keys_insert
    AFTER INSERT ON {M} BEGIN
        {_SET_SORT_KEYS} WHERE theme_id IN (SELECT id FROM {T} WHERE meeting_id = NEW.id);
    END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS {M}_sort_keys_update
    AFTER UPDATE OF date, is_published ON {M} BEGIN
        {_SET_SORT_KEYS} WHERE theme_id IN (SELECT id FROM {T} WHERE meeting_id = NEW.id);
    END
    """,
]

PLAIN_TABLE = f"{R}_plain"
_SET_PLAIN = (
    f"INSERT OR REPLACE INTO {PLAIN_TABLE} (id, plain_fr, plain_en) "
    f"SELECT r.id, ccs_plain(r.text_fr), ccs_plain(r.text_en) FROM {R} r"
)

CREATE += [
    f"CREATE TABLE IF NOT EXISTS {PLAIN_TABLE} (id INTEGER PRIMARY KEY, plain_fr TEXT NOT NULL, plain_en TEXT NOT NULL)",
    f"""
    CREATE TRIGGER IF NOT EXISTS {R}_plain_insert
    AFTER INSERT ON {R} BEGIN
        {_SET_PLAIN} WHERE r.id = NEW.id;
    END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS {R}_plain_update
    AFTER UPDATE OF text_fr, text_en ON {R} BEGIN
        {_SET_PLAIN} WHERE r.id = NEW.id;
    END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS {R}_plain_delete
    AFTER DELETE ON {R} BEGIN
        DELETE FROM {PLAIN_TABLE} WHERE id = OLD.id;
    END
    """,
]

# Migration 0013 runs REBUILD as it stood then (the full-text table and the sort
# keys); the plain copies are rebuilt beside it.
REBUILD = [f"DELETE FROM {FTS_TABLE}", _INSERT_ROWS, _SET_SORT_KEYS]
REBUILD_PLAIN = [f"DELETE FROM {PLAIN_TABLE}", _SET_PLAIN]

TRIGGERS = [
    found[1] for statement in CREATE if (found := re.search(r"CREATE TRIGGER IF NOT EXISTS (\w+)", statement))
]


# The start of a term's condition (term_sql); its expression follows, as a parameter.
_MATCHING = f"r.id IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH"


def _expressions(term, languages, apart=False):
    """FTS5 expressions for ``term`` in each of ``languages`` where it holds searchable words.

    One for the term, or with ``apart`` one for each of its words.
    """
    expressions = []
    for language in languages:
        folded = term.folded(language)
        if not folded or GAP in folded:
            continue  # GAP is no word a reader means
        columns = f"text_{language} theme_{language} meeting_{language}"
        for words in [(word,) for word in folded] if apart else [_phrase(term, language)]:
            expressions.append(f'({{{columns}}} : "{" ".join(words)}")')
    return expressions


def _phrase(term, language):
    """A term's words as the index holds them: a stop word inside it keeps its place (GAP)."""
    words = [fold_word(word, language) or GAP for word in term.words]
    while words and words[0] == GAP:
        words.pop(0)
    while words and words[-1] == GAP:
        words.pop()
    return tuple(words)


def _fold(language, text):
    return fold(text, language, gaps=True) if text else ""


class SqliteBackend(Backend):
    # SQLite's planner knows nothing of how many rows a full-text match holds:
    # it finds every match, then sorts them. For "services" at 100,000
    # recommendations (95% of them), the first 1,001 took 70 ms that way, and
    # 24 ms by reading the date index until that many matched.
    walks_date_index = True

    def published_sql(self):
        # SQLite reads a partial index (the date index, of the published
        # recommendations) only for a query that states its condition as written.
        return "r.is_published", []

    def term_sql(self, term, languages):
        expressions = _expressions(term, languages)
        if not expressions:
            return "1 = 0", []
        return f"{_MATCHING} %s)", [" OR ".join(expressions)]

    def sampled_matches_sql(self, matches_sql, every):
        # SQLite makes each full-text subquery's rows an index to look the rows
        # up in: for a sample, only the sampled rows of the index, not every
        # match (95,000 for "services" at 100,000 recommendations; the coarse
        # sample's read took 59 ms, and 12 ms so).
        return matches_sql.replace(f"{_MATCHING} %s)", f"{_MATCHING} %s AND rowid %% {int(every)} = 0)")

    def few_rows_matches_sql(self, matches_sql):
        # Each row looked up in the full-text index by its id, rather than every
        # match found first: the matches of one meeting of "services" at
        # 100,000 recommendations were counted in 17.7 ms that way, and 0.7 ms
        # so. Past some 700 rows, finding every match first is the quicker.
        return matches_sql.replace(f"{_MATCHING} %s)", f"{_MATCHING} %s AND rowid = r.id)")

    def index_score_sql(self, query, language, languages, among=None):
        # Each word apart, a phrase's too (see the PostgreSQL backend).
        expressions = [
            expression for term in query.terms for expression in _expressions(term, languages, apart=True)
        ]
        if not expressions:
            return "", [], "0", []
        # FTS5 computes BM25 for every row holding any of the words (95,000 for
        # "services en personne" at 100,000 recommendations, of which 5,500
        # match): only ``among``'s rows are scored ("+" keeps FTS5 from looking
        # each of them up apart, which costs seconds).
        restriction, restriction_params = (
            (f" AND +rowid IN ({among[0]})", list(among[1])) if among else ("", [])
        )
        # FTS5's BM25, its columns weighed as ranking.py weighs the fields and
        # languages; lower is better. A match through a subject alone has none.
        weights = []
        for column in _COLUMNS.split(", "):
            name, column_language = column.rsplit("_", 1)
            language_weight = 1.0 if column_language == language else OTHER_LANGUAGE_WEIGHT
            weights.append(str(language_weight * FIELD_WEIGHTS[name]))
        join = (
            f"LEFT JOIN (SELECT rowid AS id, bm25({FTS_TABLE}, {', '.join(weights)}) AS bm25 "
            f"FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s{restriction}) estimate ON estimate.id = r.id"
        )
        return join, [" OR ".join(expressions), *restriction_params], "coalesce(estimate.bm25, 0) ASC", []

    def plain_sql(self, column):
        return f"ccs_plain({column})"

    def typed_sql(self, language, phrases):
        # The plain copy, by the row's id: a call of Python for each row cost
        # 21 µs, 170 of the 278 ms of the estimate of "intelligence
        # artificielle" (7,893 matches at 100,000 recommendations).
        if not phrases:
            return "0", []
        cases = " + ".join(
            f"(CASE WHEN p.plain_{language} LIKE %s ESCAPE '\\' THEN 1 ELSE 0 END)" for _words in phrases
        )
        return (
            f"coalesce((SELECT {cases} FROM {PLAIN_TABLE} p WHERE p.id = r.id), 0)",
            [like_pattern(words) for words in phrases],
        )

    def period_start_sql(self, day, period):
        return f"date({day}, 'start of {period}')"

    def ids_sql(self, ids, column="r.id"):
        # One parameter, however many ids: SQLite limits how many a statement takes.
        return f"{column} IN (SELECT value FROM json_each(%s))", [json.dumps(list(ids))]

    def similar_words(self, normalized, limit):
        """What PostgreSQL's trigram search gives (see ``postgres.py``), computed here."""
        scored = []
        for word, candidate, language, frequency in SearchTerm.objects.values_list(
            "word", "normalized", "language", "frequency"
        ):
            score = similarity(normalized, candidate)
            if score >= SIMILARITY_THRESHOLD:
                scored.append((-score, -frequency, word, candidate, language, frequency))
        scored.sort()
        return [
            (word, candidate, language, frequency)
            for _s, _f, word, candidate, language, frequency in scored[:limit]
        ]

    def rebuild(self):
        with self.connection.cursor() as cursor:
            for statement in [*REBUILD, *REBUILD_PLAIN]:
                cursor.execute(statement)

    # -- hooks --------------------------------------------------------------

    def connection_created(self):
        """Make ``ccs_fold`` available to the triggers on this connection."""
        register_functions(self.connection.connection)

    def before_migrate(self):
        with self.connection.cursor() as cursor:
            for name in TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")

    def after_migrate(self):
        """Create the FTS table and triggers if missing, and fill the table if it is out of step."""
        if R not in self.connection.introspection.table_names():
            return  # the app's tables are not there (migrated to zero)
        with self.connection.cursor() as cursor:
            for statement in CREATE:
                cursor.execute(statement)
            cursor.execute(
                f"SELECT (SELECT COUNT(*) FROM {FTS_TABLE}), (SELECT COUNT(*) FROM {PLAIN_TABLE}), "
                f"(SELECT COUNT(*) FROM {R})"
            )
            indexed, plain, recommendations = cursor.fetchone()
            if indexed != recommendations or plain != recommendations:
                self.rebuild()


def _plain(text):
    return unaccent(text).lower() if text else ""


def register_functions(dbapi_connection, fold_function=_fold):
    dbapi_connection.create_function("ccs_fold", 2, fold_function, deterministic=True)
    # A text in lower case and unaccented, as typed words are compared (the plain copies).
    dbapi_connection.create_function("ccs_plain", 1, _plain, deterministic=True)
