"""
PostgreSQL's side of search: full-text search with its own configurations.

Migrations 0002 and 0008 make the index: the ``french_unaccent`` and
``english_unaccent`` configurations (unaccent, then Snowball), a tsvector
column per language on each recommendation, computed by
``meetings_search_vector()`` from its text (weight A), its theme's title (B)
and its meeting's title (C), kept current by triggers, with GIN indexes; and a
trigram index on the vocabulary for "Did you mean". Migration 0017 keeps the
sample that estimates counts (see the engine) in a table of its own, and
migration 0021 the number of recommendations of each year.
"""

from django.db import transaction

from meetings.models import Recommendation, SearchTerm

from ..ranking import FIELD_WEIGHTS, OTHER_LANGUAGE_WEIGHT
from ..text import fold_word
from .base import Backend, like_pattern, table

CONFIGS = {"fr": "french_unaccent", "en": "english_unaccent"}
# Migration 0017: the recommendations whose id is a multiple of SAMPLE_TABLE_EVERY,
# with the columns a search reads, kept by triggers.
SAMPLE_TABLE = "meetings_search_sample"
SAMPLE_TABLE_EVERY = 32
# Migration 0021: how many published recommendations each year has, in all
# and in the samples of every 32nd, 64th and 256th id, kept by triggers.
POPULATION_TABLE = "meetings_search_population"
POPULATION_RATES = (32, 64, 256)


class PostgresBackend(Backend):
    # Its planner misjudges a common pair of words, taking them to be independent.
    walks_date_index = True
    knows_word_shares = True
    reads_beside = True

    def term_sql(self, term, languages):
        parts, params = [], []
        for language in languages:
            if term.folded(language):
                # Always quoted: websearch_to_tsquery reads a bare "or" as its operator,
                # and a phrase keeps the gaps its stop words leave, as the index does.
                parts.append(f"r.search_{language} @@ websearch_to_tsquery('{CONFIGS[language]}', %s)")
                params.append(f'"{" ".join(term.words)}"')
        return " OR ".join(parts) or "1 = 0", params

    def words_sql(self, clauses, languages):
        # Migration 0018 indexes both vectors as one: a query of all the words
        # there is one scan of one index, which skips through a common word's
        # entries to the rows that hold the others (each vector apart, "indigenous"
        # and "communities" were two full scans of 76,000 and 170,000 entries
        # at a million recommendations, then intersected). It holds every
        # match: each word as the index holds it, in either language (a
        # phrase as its words, in any order); a clause's subjects apart.
        # One word (or phrase) alone gains nothing from it.
        if len(clauses) < 2 and all(
            len(alternative) < 2 for clause, _subjects in clauses for alternative in clause.terms
        ):
            return None
        words, params, subjects = [], [], []
        for clause, clause_subjects in clauses:
            alternatives, alternative_params = [], []
            for alternative in clause.terms:
                terms = []
                for term in alternative:
                    either = []
                    for language in languages:
                        if term.folded(language):
                            either.append(f"plainto_tsquery('{CONFIGS[language]}', %s)")
                            alternative_params.append(" ".join(term.words))
                    if either:
                        terms.append(f"({' || '.join(either)})")
                if terms:
                    alternatives.append(f"({' && '.join(terms)})")
            if not alternatives:
                return None
            query = " || ".join(alternatives)
            if clause_subjects:
                sql, subject_params = clause_subjects
                subjects.append(
                    (
                        f"((r.search_fr || r.search_en) @@ ({query}) OR {sql})",
                        [*alternative_params, *subject_params],
                    )
                )
            else:
                words.append(f"({query})")
                params += alternative_params
        tests = [(f"(r.search_fr || r.search_en) @@ ({' && '.join(words)})", params)] if words else []
        tests += subjects
        return " AND ".join(sql for sql, _params in tests), [
            param for _sql, test_params in tests for param in test_params
        ]

    def period_start_sql(self, day, period):
        return f"CAST(date_trunc('{period}', {day}) AS date)"

    def index_score_sql(self, query, language, languages, among=None):
        # The score is computed in the row itself: ``among`` changes nothing.
        scores, params = [], []
        for searched in languages:
            # Each word apart, a phrase's too: ts_rank gives every match of a
            # phrase about the same score, and how often its words occur is what
            # tells the matches apart.
            phrases = [
                f'"{word}"'
                for term in query.terms
                if term.folded(searched)
                for word in term.words
                if fold_word(word, searched)
            ]
            if not phrases:
                continue
            any_term = " || ".join(f"websearch_to_tsquery('{CONFIGS[searched]}', %s)" for _phrase in phrases)
            weight = 1.0 if searched == language else OTHER_LANGUAGE_WEIGHT
            # Weights of D, C, B, A: the meeting's title, the theme's, the text
            # (FIELD_WEIGHTS); 1 divides by the logarithm of the length.
            scores.append(
                f"{weight} * ts_rank('{{0, {FIELD_WEIGHTS['meeting']}, {FIELD_WEIGHTS['theme']}, "
                f"{FIELD_WEIGHTS['text']}}}', r.search_{searched}, {any_term}, 1)"
            )
            params += phrases
        # The best language, as ranking.py takes the best of a term's evidence.
        score = f"GREATEST({', '.join(scores)})" if scores else "0"
        return "", [], f"{score} DESC", params

    def estimate_columns(self, language, languages):
        # The plain copy of the page's language (typed_sql) and the vectors (index_score_sql).
        return [f"plain_{language}", *(f"search_{searched}" for searched in languages)]

    def plain_sql(self, column):
        # Migration 0016: what the trigger keeps in plain_fr and plain_en.
        return f"meetings_plain_text({column})"

    def contains_sql(self, language, words):
        # The plain copy the trigger keeps: a LIKE there costs a fifth of a
        # regular expression of every way to write the words in the text itself.
        return f"r.plain_{language} LIKE %s ESCAPE '\\'", [like_pattern(words)]

    def ids_sql(self, ids, column="r.id"):
        return f"{column} = ANY(%s)", [list(ids)]

    def sample_sql(self, every):
        # Migration 0017: a table of every SAMPLE_TABLE_EVERY-th recommendation, small
        # enough to stay in the database's cache, and partial indexes of its
        # multiples of 64 and 256. Any other sample reads the recommendations.
        if every % SAMPLE_TABLE_EVERY:
            return super().sample_sql(every)
        condition = f"r.id %% {int(every)} = 0" if every != SAMPLE_TABLE_EVERY else "TRUE"
        return self.quote(SAMPLE_TABLE), condition

    def kept_population(self, rates):
        # Migration 0021: a row a year, kept by triggers, for every id and the samples of POPULATION_RATES.
        if not set(rates) <= {1, *POPULATION_RATES}:
            return None
        columns = ", ".join("recommendations" if every == 1 else f"every_{int(every)}" for every in rates)
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"SELECT year, {columns} FROM {self.quote(POPULATION_TABLE)} WHERE recommendations > 0"
            )
            return {year: dict(zip(rates, counts, strict=True)) for year, *counts in cursor.fetchall()}

    def similar_words(self, normalized, limit):
        """[(word, normalized, language, frequency)] of the vocabulary like ``normalized``, by trigrams."""
        sql = (
            f"SELECT word, normalized, language, frequency FROM {self.quote(table(SearchTerm))} "
            "WHERE normalized %% %s ORDER BY similarity(normalized, %s) DESC, frequency DESC, word LIMIT %s"
        )
        with self.connection.cursor() as cursor:
            cursor.execute(sql, [normalized, normalized, limit])
            return cursor.fetchall()

    def rebuild(self):
        # Setting a column to itself fires the trigger, which recomputes both vectors.
        with self.connection.cursor() as cursor:
            cursor.execute(f"UPDATE {self.quote(table(Recommendation))} SET theme_id = theme_id")
        self.write_sample_in_reading_order()

    def write_sample_in_reading_order(self):
        """Write the sample table again: the coarse sample's rows together, then the middle one's, then the rest.

        Reading the coarse sample of a common word then visits one page of
        the table for about every nine rows, rather than one page for each
        (3,300 pages for "services" at a million recommendations). Rows that
        edits add later go at the end. Its GIN indexes are built again after
        the rows, which is quicker than adding the rows to them one by one.
        Searches wait for the rewrite: about two seconds at a million
        recommendations (migration 0020 on this machine).
        """
        from ..engine import COARSE_SAMPLE_EVERY, MIDDLE_SAMPLE_EVERY

        sample = self.quote(SAMPLE_TABLE)
        with transaction.atomic(using=self.connection.alias), self.connection.cursor() as cursor:
            # Edits wait from here on: one written meanwhile would be missing from the copy.
            cursor.execute(f"LOCK TABLE {sample} IN EXCLUSIVE MODE")
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                "AND tablename = %s AND indexdef LIKE %s",
                [SAMPLE_TABLE, "% USING gin %"],
            )
            indexes = cursor.fetchall()
            for name, _definition in indexes:
                cursor.execute(f"DROP INDEX {self.quote(name)}")
            cursor.execute(f"CREATE TEMPORARY TABLE sample_rows AS SELECT * FROM {sample}")
            cursor.execute(f"TRUNCATE {sample}")
            cursor.execute(
                f"INSERT INTO {sample} SELECT * FROM sample_rows "
                f"ORDER BY id % {COARSE_SAMPLE_EVERY} <> 0, id % {MIDDLE_SAMPLE_EVERY} <> 0, id"
            )
            cursor.execute("DROP TABLE sample_rows")
            for _name, definition in indexes:
                cursor.execute(definition)
            cursor.execute(f"ANALYZE {sample}")

    # -- the bulk loader (the corpus generator) ----------------------------

    def vectors_sql(self, text, theme_title, meeting_title, language):
        """SQL for a recommendation's vector in ``language``: the same function the trigger calls."""
        return f"meetings_search_vector('{CONFIGS[language]}', {text}, {theme_title}, {meeting_title})"
