"""What both backends share: the shape of the matching SQL, built from the query tree."""

from meetings.models import Recommendation, Subject

from ..text import unaccent


def table(model):
    return model._meta.db_table


class Backend:
    # Whether the first candidates of a common word or pair of words are found
    # faster by reading the date index (see Search.walk_length and date_bound)
    # than by the planner's choice.
    walks_date_index = False
    # Whether the planner knows how many rows one word matches, and so walks
    # the date index itself for a common one (see Search.walk_length).
    knows_word_shares = False
    # Whether a second connection may read a search's year samples while the
    # first reads its candidates (see beside.py). Not on SQLite: an in-memory
    # database (the tests') is not shared between connections, and the
    # embedded database serves archives small enough to need no samples.
    reads_beside = False

    def __init__(self, connection):
        self.connection = connection

    def quote(self, name):
        return self.connection.ops.quote_name(name)

    # -- matching ---------------------------------------------------------

    def kept_population(self, rates):
        """{year: {every: n}} of the published recommendations, as the database keeps them; or None.

        None where nothing keeps them (the engine then counts them: see
        ``sampled_population``), or not for each of ``rates``.
        """
        return None

    def published_sql(self):
        """SQL true for a published recommendation ``r``, and its parameters."""
        return "r.is_published = %s", [True]

    def term_sql(self, term, languages):
        """SQL true for a recommendation row ``r`` whose text or titles hold ``term``."""
        raise NotImplementedError

    def subjects_sql(self, subject_ids):
        """SQL true for a recommendation row ``r`` indexed under one of these subjects."""
        # The ids are read first (one small query), so that the condition is one the
        # database answers from the primary key, beside its full-text index: a
        # subquery there would make PostgreSQL read every row.
        through = Subject.recommendations.through
        ids = sorted(
            set(
                through.objects.filter(subject_id__in=subject_ids).values_list("recommendation_id", flat=True)
            )
        )
        return self.ids_sql(ids)

    def ids_sql(self, ids, column="r.id"):
        """SQL true for a row whose ``column`` (by default the id of ``r``) is in ``ids``."""
        raise NotImplementedError

    def sample_sql(self, every):
        """The table that holds the recommendations whose id is a multiple of ``every`` (as ``r``), and a condition on it.

        The recommendations table itself by default, with the condition; its
        rows hold every column the matching SQL reads.
        """
        return self.quote(table(Recommendation)), f"r.id %% {int(every)} = 0"

    def sampled_matches_sql(self, matches_sql, every):
        """``matches_sql`` (from ``condition``) for a read of the sample of ``every`` alone (see ``sample_sql``).

        The same by default: the sample's condition beside it is enough.
        """
        return matches_sql

    def few_rows_matches_sql(self, matches_sql):
        """``matches_sql`` (from ``condition``) for a query whose other conditions leave few rows to test.

        The same by default.
        """
        return matches_sql

    def clause_sql(self, clause, languages, subjects=None):
        """SQL true for a row ``r`` matching ``clause``; ``subjects``, ``subjects_sql`` of its subjects if read already."""
        parts, params = [], []
        for alternative in clause.terms:
            sqls = []
            for term in alternative:
                if any(term.folded(language) for language in languages):
                    sql, term_params = self.term_sql(term, languages)
                    sqls.append(f"({sql})")
                    params += term_params
            if sqls:
                parts.append(" AND ".join(sqls))
        if clause.subjects:
            sql, subject_params = subjects or self.subjects_sql(clause.subjects)
            parts.append(sql)
            params += subject_params
        return "(" + " OR ".join(f"({part})" for part in parts) + ")", params

    def matches(self, query, languages, require_all=True):
        """A subquery of the ids of the recommendations matching ``query`` in ``languages``.

        Every clause must match, or with ``require_all=False`` any of them.
        """
        where, params = self.condition(query, languages, require_all)
        return f"SELECT r.id AS id FROM {self.quote(table(Recommendation))} r WHERE {where}", params

    def condition(self, query, languages, require_all=True):
        """SQL true for a recommendation row ``r`` matching ``query`` (see ``matches``), and its parameters."""
        return self.conditions(query, languages, require_all)[0]

    def conditions(self, query, languages, require_all=True):
        """``condition`` twice: for a query that the indexes answer, and for one that tests rows one by one.

        The first may add a test that an index answers quicker than the
        condition's own (``words_sql``); it only costs more to a query that
        reads rows in another order and tests each (Search.walk_length).
        Each is ``(sql, params)``.
        """
        clauses, params, read = [], [], []
        for clause in query.searched_clauses(languages):
            subjects = self.subjects_sql(clause.subjects) if clause.subjects else None
            sql, clause_params = self.clause_sql(clause, languages, subjects)
            clauses.append(sql)
            params += clause_params
            read.append((clause, subjects))
        where = clauses if require_all else [f"({' OR '.join(clauses)})"] if clauses else []
        for term in query.excluded:
            if any(term.folded(language) for language in languages):
                sql, term_params = self.term_sql(term, languages)
                where.append(f"NOT ({sql})")
                params += term_params
        if not where:
            where = ["1 = 0"]
        exact = " AND ".join(where), params
        words = self.words_sql(read, languages) if require_all and where != ["1 = 0"] else None
        if not words:
            return exact, exact
        return (f"{words[0]} AND {exact[0]}", [*words[1], *params]), exact

    def words_sql(self, clauses, languages):
        """A test that an index answers for every row that the clauses all match (and some others), or None.

        ``clauses`` is [(clause, its subjects_sql or None)].
        """
        return None

    def period_start_sql(self, day, period):
        """SQL for the first day of the ``period`` ("year" or "month") of the date ``day``; the engine names it, never a reader."""
        raise NotImplementedError

    def estimate_sql(self, query, language, languages, among=None):
        """A first estimate of relevance, computed by the database for a row ``r``.

        ``(join, join_params, order, order_params)``: SQL to join after
        ``FROM ... r`` and its parameters, and the ORDER BY terms that put the
        better matches first, and theirs: first how many of the query's terms
        the page language's text holds as typed (``ranking.py`` weighs a word
        found only through its stem at a third), then the index's score, which
        weighs the fields and languages as ``ranking.py`` does. The engine uses
        it to choose which matches ``ranking.py`` then ranks.

        ``among``, ``(sql, params)`` of a query of ids, holds every row the
        estimate will be asked of, for a backend whose join reads more.
        """
        join, join_params, score, score_params = self.index_score_sql(query, language, languages, among)
        typed, typed_params = self.typed_sql(language, [" ".join(term.words) for term in query.terms])
        return join, join_params, f"{typed} DESC, {score}", [*typed_params, *score_params]

    def estimate_columns(self, language, languages):
        """The columns of ``r`` that ``estimate_sql`` reads, when it reads no other table; or None.

        With them, the query that reads the candidates estimates them too
        (see Search.candidates).
        """
        return None

    def typed_sql(self, language, phrases):
        """SQL for how many of ``phrases`` the text of ``r`` in ``language`` holds as written (see ``contains_sql``)."""
        typed, params = [], []
        for words in phrases:
            sql, contains_params = self.contains_sql(language, words)
            typed.append(f"(CASE WHEN {sql} THEN 1 ELSE 0 END)")
            params += contains_params
        return " + ".join(typed) or "0", params

    def contains_sql(self, language, words):
        """SQL true when the text of ``r`` in ``language`` holds ``words`` as written, case and accents aside."""
        return f"{self.plain_sql(f'r.text_{language}')} LIKE %s ESCAPE '\\'", [like_pattern(words)]

    def index_score_sql(self, query, language, languages, among=None):
        """``(join, join_params, order, order_params)`` of the full-text index's score alone (see ``estimate_sql``)."""
        raise NotImplementedError

    def plain_sql(self, column):
        """SQL for ``column`` in lower case and unaccented, as ``like_pattern`` writes words."""
        raise NotImplementedError

    # -- hooks: nothing to do unless a backend says so ---------------------

    def connection_created(self):
        pass

    def before_migrate(self):
        pass

    def after_migrate(self):
        pass


def like_pattern(words):
    """A LIKE pattern (escaped by a backslash) of ``words`` anywhere, in lower case and unaccented."""
    plain = unaccent(words).lower()
    escaped = plain.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
