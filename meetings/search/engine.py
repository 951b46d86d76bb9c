"""
Search recommendations: one interface over the two backends.

``search_recommendations()`` returns a ``SearchResults``: the page of hits
(each with its highlighted text), the total, the facets by year and by
meeting, and a "Did you mean" suggestion when little matches. Only
published meetings are ever searched.

A query matches the text of either language (every recommendation exists in
both), the titles of its theme and meeting, and the subjects it is indexed
under (see ``subjects.py``). Hits are shown in the page's language; those
found only through the other language say so.

A search ranks and lists at most ``CANDIDATES`` matches: the newest ones (the
oldest for the "oldest" sort), read in one query, ranked by ``ranking.py``.
Ranking every match costs seconds for a word found in half of a million
recommendations ("services"); the newest matches cost milliseconds, because
the database walks the meetings newest first and stops early when a word is
common, and reads the full-text index when it is rare. A search with fewer
matches than that ranks them all; past it, the page says that only the newest
are ranked (bench/search_scale.py measures how often the first page then
differs from a ranking of every match). Of the candidates, ranking.py ranks
the RESCORE_WINDOW that the database estimates best, and the others follow in
the order of that estimate.

On PostgreSQL a search without a year or meeting first reads its coarse
sample (below), which tells it how to read the candidates: every match at
once, with the count, when there are few (``Search.every_match_at_once``);
in date order when a pair of words is common (``Search.walk_length``); and
otherwise only from the date the newest candidates likely reach
(``Search.date_bound``).

Counts are of every match, not only of those ranked (``Counts``): exact up to
``COUNT_BOUND`` matches, estimated past it from fixed samples of the
recommendations (every ``COARSE_SAMPLE_EVERY``-th id, then every
``MIDDLE_SAMPLE_EVERY``-th or ``SAMPLE_EVERY``-th for the years the coarse
sample holds too few of), and then shown as estimates ("about 12,000"): a
year's estimate is the share of its sampled recommendations that match,
times how many recommendations it has (``sampled_population``). A
year that has matches is never missing from the year facet: the years the
samples hold very few matches of, or none, are counted exactly (``Search.count_years``). The meeting facet lists the
newest meetings with matches, each counted exactly. On PostgreSQL, the
samples a common word's years call for are read on a second connection
while the first reads the candidates (``Search.start_year_samples``,
beside.py).

Every query reads the recommendations table alone: each row keeps a copy of
its meeting's date, id and publication and of its theme's position (see the
Recommendation model), in the order of one index.
"""

import datetime
import math
import time
from collections import Counter
from dataclasses import dataclass, field
from operator import attrgetter, itemgetter

from django.core.cache import cache
from django.core.paginator import Paginator
from modeltranslation.settings import AVAILABLE_LANGUAGES
from modeltranslation.utils import build_localized_fieldname, get_language

from meetings.models import ArchiveRevision, Meeting, Recommendation, Subject, Theme

from . import suggestions
from .backends import get_backend, reading_connection
from .backends.base import table
from .beside import can_read_beside, read_beside
from .highlight import highlight
from .query import parse_query
from .ranking import clause_weights, evidence, make_document, score
from .subjects import recommendations_under, with_subjects

PAGE_SIZE = 20
MAX_MEETING_FACETS = 30
# The most matches a search ranks and lists (see the module's docstring).
CANDIDATES = 1000
# Counts are exact up to this many matches, and estimated past it, from the
# matches whose id is a multiple of COARSE_SAMPLE_EVERY, or of SAMPLE_EVERY for
# the years where the coarse sample holds too few (see Search.count_years):
# reading every 32nd match of "services" at a million means 28,000 rows.
COUNT_BOUND = 10_000
SAMPLE_EVERY = 32
COARSE_SAMPLE_EVERY = 256
# Between the two, for the years that the coarse sample holds a fair share of
# (a quarter of SAMPLED_ENOUGH or more): every 32nd match of a word found in
# a quarter of the recommendations is 8,000 rows to read, every 64th 4,000.
MIDDLE_SAMPLE_EVERY = 64
# A search with at most this many matches (counted exactly) ranks the
# CANDIDATES that the database estimates best among all of them, rather than
# the newest (see Search.best_candidates).
ESTIMATED_BEST_BELOW = COUNT_BOUND
# Past this share of matching recommendations (from the coarse sample), the
# first candidates are found by reading the recommendations in date order, at
# most WALK_MAX of them (see Search.walk_length).
WALK_SHARE = 0.05
WALK_MAX = 50_000
# A search bounds its candidates by date where the coarse sample holds this
# many times as many matches as it needs (see Search.date_bound): with 12
# sampled matches for 1,001 needed, a bound holding fewer than 1,001 would
# have had under one chance in a thousand to be chosen, if the sampled ids
# fall as at random; a bound that falls short costs one query more.
BOUND_MARGIN = 3
# A search that the fine sample expects more than COUNT_BOUND times this many
# matches for is not counted up to COUNT_BOUND first (see Search.count_years):
# of 10,000 matches the fine sample holds about 312, give or take 18, and
# 12,000 or more (375) about once in five thousand searches.
FINE_SAMPLED_MARGIN = 1.2
# A year is estimated from the coarse sample when it holds at least this many
# of its matches, and from the fine one otherwise: a tenth of error is one
# standard deviation there, and over the twenty years of a search at a million
# recommendations the largest error measured was 12 to 19% (bench/RESULTS.md,
# 2026-12-03 16:00).
SAMPLED_ENOUGH = 100
# Past the bound, a year the fine sample holds fewer than SAMPLED_FEW matches
# of (an estimate off by a third or more) is counted rather than estimated, up
# to COUNTED_APART matches in all, the fewest first.
SAMPLED_FEW = 10
COUNTED_APART = 2000
# A search the coarse sample expects at most this many matches for reads them
# all at once (see Search.every_match_at_once); a quarter above COUNT_BOUND,
# as the coarse sample's estimate is off by a sixth or so at that size, and
# a pass cut short at COUNT_BOUND is a pass lost.
AT_ONCE_BELOW = COUNT_BOUND * 5 // 4
# Under relevance sort, ranking.py ranks this many of the candidates, those the
# database estimates best (Backend.estimate_sql); the others follow in the
# order of that estimate. Reading and scoring a text in Python is what a search
# spends most on: the first page rarely holds a recommendation the estimate
# puts below this (bench/search_scale.py --agreement measures it). The real
# archive is smaller than this, so it is always ranked whole. On SQLite too,
# where FTS5's BM25 is the index's score: ranking every candidate there cost
# 54 ms of the 166 of "services en personne" at 100,000 recommendations, and
# its first pages agreed with a ranking of every match as often or more
# (bench/RESULTS.md, 2026-12-03).
RESCORE_WINDOW = 200
# How long the number of recommendations of each year is kept (see sampled_population):
# its key changes with the archive anyway.
POPULATION_CACHE_SECONDS = 24 * 60 * 60
# Below this many hits, look for a better-spelt query.
SUGGEST_BELOW = 3
# Below this many hits for all of a query's words, accept any of them (ranked
# by how many, and how rare, they are): a reader who types a sentence ("talk
# to a real person") should not get nothing because one word is missing.
RELAX_BELOW = 5

# The order of hits by date, for the SQL here and for the ORM (exports, API,
# feeds). It ends on the recommendation's id, so that pages never repeat or
# skip a row. Relevance is computed in Python over the newest candidates, ties
# kept newest first.
SORTS = {
    "newest": ("-date", "-meeting", "theme_position", "position", "id"),
    "oldest": ("date", "meeting", "theme_position", "position", "id"),
}
# The search reads one table: each recommendation keeps a copy of its
# meeting's date, id and publication and of its theme's position (see the
# Recommendation model), in the order of one index.


def _in_field_order(model, names):
    # Model.from_db() takes the values of the fields read in the model's order of fields.
    order = [field.attname for field in model._meta.concrete_fields]
    return sorted(names, key=order.index)


# What a hit shows of its recommendation, its theme and its meeting (the
# columns, and their table's alias in Search.documents), read with the texts.
SHOWN = tuple(
    (model, alias, _in_field_order(model, names))
    for model, alias, names in (
        (
            Recommendation,
            "r",
            ["id", "position", "theme_id", *(f"text_{code}" for code in AVAILABLE_LANGUAGES)],
        ),
        (Theme, "t", ["id", "position", "meeting_id", *(f"title_{code}" for code in AVAILABLE_LANGUAGES)]),
        (
            Meeting,
            "m",
            [
                "id",
                "date",
                *(f"title_{code}" for code in AVAILABLE_LANGUAGES),
                *(f"slug_{code}" for code in AVAILABLE_LANGUAGES),
            ],
        ),
    )
)
_SQL_COLUMNS = {
    "date": "meeting_date",
    "meeting": "meeting_pk",
    "theme_position": "theme_position",
    "position": "position",
    "id": "id",
}
_ORM_FIELDS = {
    "date": "theme__meeting__date",
    "meeting": "theme__meeting_id",
    "theme_position": "theme__position",
    "position": "position",
    "id": "id",
}


def sql_ordering(sort, alias="r"):
    return ", ".join(
        f"{alias}.{_SQL_COLUMNS[key.lstrip('-')]} {'DESC' if key.startswith('-') else 'ASC'}"
        for key in SORTS[sort]
    )


def orm_ordering(sort):
    """The same date order for a queryset of Recommendation."""
    return [("-" if key.startswith("-") else "") + _ORM_FIELDS[key.lstrip("-")] for key in SORTS[sort]]


@dataclass
class Hit:
    recommendation: object
    highlighted: str
    # The theme's title, highlighted too: a match there explains the hit.
    theme_highlighted: str = ""
    # False when only the other language's text matched.
    in_page_language: bool = True
    # The recommendation's subjects, by name.
    subjects: list = field(default_factory=list)


class Count(int):
    """A number of matches, which knows whether it is an estimate."""

    estimated = False

    def __new__(cls, value, estimated=False):
        count = super().__new__(cls, value)
        count.estimated = estimated
        return count

    @property
    def rounded(self):
        """An estimate to two significant figures (12,345 is "about 12,000"); an exact count as it is."""
        if not self.estimated or self < 100:
            return int(self)
        digits = len(str(int(self))) - 2
        return round(self, -digits)


@dataclass
class SearchResults:
    query_text: str
    language: str
    page: object = None
    # How many recommendations match: a Count, exact up to COUNT_BOUND.
    total: int = 0
    # True when more recommendations match than are ranked and listed (CANDIDATES).
    more: bool = False
    # [(year, Count)], newest first: every year that has matches.
    years: list = field(default_factory=list)
    # [(meeting, count)]: the newest meetings that have matches, each counted exactly.
    meetings: list = field(default_factory=list)
    suggestion: str = ""
    # How many hits of the page matched only through the other language's text.
    other_language_hits: int = 0
    # True when few recommendations hold every word, and those holding some are listed too.
    relaxed: bool = False
    # With ``more``: True when the matches listed are those estimated best among
    # all of them, False when they are the newest.
    estimated_best: bool = False
    # Why nothing was searched: "stop_words" or "only_excluded".
    problem: str = ""

    @property
    def estimated(self):
        return getattr(self.total, "estimated", False)

    @property
    def count_bound(self):
        """Past this many matches, counts are estimates."""
        return COUNT_BOUND

    @property
    def listed(self):
        """How many of the matches are ranked and listed."""
        return self.page.paginator.count if self.page else 0

    @property
    def mostly_other_language(self):
        shown = len(self.page.object_list) if self.page else 0
        return shown > 0 and self.other_language_hits * 2 > shown


class _HitList:
    """A lazy sequence of hits that the Paginator can count and slice."""

    def __init__(self, search):
        self.search = search

    def count(self):
        return len(self.search.rows)

    def __len__(self):
        return len(self.search.rows)

    def __getitem__(self, page_slice):
        return self.search.fetch(page_slice.start, page_slice.stop - page_slice.start)


class Search:
    """One search: its matches, ranked, filtered and faceted."""

    def __init__(self, parsed, language, languages, sort="relevance", year=None, meeting=None):
        self.backend = get_backend()
        self.parsed = parsed
        self.query = with_subjects(parsed, languages)
        self.language = language
        self.languages = languages
        # The matches' condition, and the same for a query that tests rows one by one (see Backend.conditions).
        (self.matches_sql, self.matches_params), (self.tested_sql, self.tested_params) = (
            self.backend.conditions(self.query, languages)
        )
        self.sort = sort
        self.year = year
        self.meeting = meeting
        self.rows, self.candidate_rows, self.total, self.more = [], [], Count(0), False
        self.years = {}
        self.relaxed = False
        # True when the matches ranked are those the database estimates best, not the newest.
        self.estimated_best = False
        self.evidence = {}
        # {id: place in date order, newest first} of the candidates, when they are in another order.
        self.newest_rank = None
        # {id: place in the estimate of relevance} of the candidates, when the query that read them gave it.
        self.estimated_rank = None
        self._coarse_sample = None
        # The year samples read beside (see start_year_samples): a Future of
        # {every: (the years read, {year: n})}.
        self._samples_beside = None
        # {meeting id: n} of every match, when they were all read at once.
        self.meeting_counts = None
        # {id: (the row that documents read, where the columns a hit shows are in it)}.
        self.shown = {}

    def where(self, with_year=True, with_meeting=True):
        published, published_params = self.backend.published_sql()
        clauses, params = [published], [*published_params]
        if with_year and self.year:
            clauses.append("r.meeting_date >= %s AND r.meeting_date < %s")
            params += [datetime.date(self.year, 1, 1), datetime.date(self.year + 1, 1, 1)]
        if with_meeting and self.meeting:
            clauses.append("r.meeting_pk = %s")
            params.append(self.meeting)
        return " AND ".join(clauses), params

    def hits_sql(
        self, with_year=True, with_meeting=True, extra="", sample_every=None, join="", few_rows=False
    ):
        """The FROM and WHERE of the matches (``r``), and their parameters (``join``'s come first).

        ``few_rows``: ``extra`` leaves few rows to test (a meeting's), each tested apart.
        """
        where, params = self.where(with_year, with_meeting)
        source = self.backend.quote(table(Recommendation))
        matches_sql, matches_params = self.matches_sql, self.matches_params
        if few_rows:
            matches_sql = self.backend.few_rows_matches_sql(self.tested_sql)
            matches_params = self.tested_params
        if sample_every:
            # On PostgreSQL, a table of the sample alone, with partial indexes of its
            # coarser samples, which the condition's own test reads best; on SQLite,
            # the sampled rows of the full-text index.
            source, sampled = self.backend.sample_sql(sample_every)
            where += f" AND {sampled}"
            matches_sql = self.backend.sampled_matches_sql(self.tested_sql, sample_every)
            matches_params = self.tested_params
        sql = f"FROM {source} r {join} WHERE ({matches_sql}) AND {where}{extra}"
        return sql, [*matches_params, *params]

    def candidates(self, with_year=True, with_meeting=True, limit=None, estimated=False):
        """[(id, meeting id, meeting date)] of the first ``limit`` matches, newest (or oldest) first.

        By default one more than CANDIDATES, to tell whether there are more.
        With ``estimated``, the same query gives each of them its place in
        the database's estimate of relevance (see ``best_estimated_first``),
        where the backend can.
        """
        limit = CANDIDATES + 1 if limit is None else limit
        order = sql_ordering("oldest" if self.sort == "oldest" else "newest")
        unfiltered = with_year and with_meeting and not (self.year or self.meeting)
        # A year's matches are walked as everyone's are, within the year: the
        # share of all the recommendations that match stands for the year's.
        walk = self.walk_length(limit) if with_year and with_meeting and not self.meeting else None
        bound = self.date_bound(limit) if unfiltered and not walk else None
        columns = "r.id, r.meeting_pk, r.meeting_date"
        estimate_columns = self.backend.estimate_columns(self.language, self.languages) if estimated else None
        if estimate_columns:
            columns += ", r.theme_position, r.position, " + ", ".join(
                f"r.{name}" for name in estimate_columns
            )

        def read(sql, params):
            return self._read_estimated(sql, params, order) if estimate_columns else self._read(sql, params)

        if bound:
            # Only the matches from that date on (up to it for the oldest sort):
            # if they are ``limit``, they are the first ``limit`` of all.
            hits, params = self.hits_sql(
                extra=f" AND r.meeting_date {'<=' if self.sort == 'oldest' else '>='} %s"
            )
            rows = read(f"SELECT {columns} {hits} ORDER BY {order} LIMIT %s", [*params, bound, limit])
            if len(rows) == limit:
                return rows
        if walk:
            # The first ``walk`` recommendations in date order, then their matches:
            # if they hold ``limit`` of them, those are the first ``limit`` of all.
            recommendations = self.backend.quote(table(Recommendation))
            where, params = self.where()
            sql = (
                f"SELECT {columns} FROM ("
                f"SELECT * FROM {recommendations} r WHERE {where} ORDER BY {order} LIMIT %s"
                f") r WHERE ({self.tested_sql}) ORDER BY {order} LIMIT %s"
            )
            rows = read(sql, [*params, walk, *self.tested_params, limit])
            if len(rows) == limit:
                return rows
        hits, params = self.hits_sql(with_year, with_meeting)
        return read(f"SELECT {columns} {hits} ORDER BY {order} LIMIT %s", [*params, limit])

    def _read(self, sql, params):
        with self.backend.connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def _read_estimated(self, sql, params, order):
        """The rows of the candidates query ``sql``, and {id: place} of each in the estimate, kept in ``estimated_rank``.

        The estimate is computed over the rows the query returns, in a query
        around it: inside it, the database would compute it for every match
        before sorting them by date. Reading the candidates again by id, as
        ``best_estimated_first`` otherwise does, costs a few milliseconds more.
        """
        join, join_params, best_first, order_params = self.backend.estimate_sql(
            self.query, self.language, self.languages
        )
        estimated = (
            f"SELECT r.id, r.meeting_pk, r.meeting_date, "
            f"ROW_NUMBER() OVER (ORDER BY {best_first}, {sql_ordering('newest')}) "
            f"FROM ({sql}) r {join} ORDER BY {order}"
        )
        rows = self._read(estimated, [*order_params, *params, *join_params])
        self.estimated_rank = {pk: place for pk, _meeting, _date, place in rows}
        return [(pk, meeting, date) for pk, meeting, date, _place in rows]

    def best_candidates(self):
        """[(id, meeting id, meeting date)] of the CANDIDATES matches that the database estimates best.

        Its estimate (the backend's ``estimate_sql``: the query's words as
        typed in the text, then the full-text index's score) is cheap enough
        for every match of a search that has at most ESTIMATED_BEST_BELOW of
        them, and close enough to ``ranking.py`` that the best matches are
        among those it chooses (bench/search_scale.py --agreement measures it).
        """
        matches, matches_params = self.hits_sql()
        join, join_params, best_first, order_params = self.backend.estimate_sql(
            self.query, self.language, self.languages, among=(f"SELECT r.id {matches}", matches_params)
        )
        hits, params = self.hits_sql(join=join)
        columns = ", ".join(f"r.{column}" for column in _SQL_COLUMNS.values())
        sql = f"SELECT {columns} {hits} ORDER BY {best_first}, {sql_ordering('newest')} LIMIT %s"
        rows = self._read(sql, [*join_params, *params, *order_params, CANDIDATES])
        # Best estimated first; ranking.py's equal scores go newest first.
        newest = _sorted_newest_first(rows)
        self.newest_rank = {row[4]: index for index, row in enumerate(newest)}
        return [(pk, meeting, date) for date, meeting, _theme, _position, pk in rows]

    def best_estimated_first(self, rows):
        """``rows`` (newest first), the best estimated first (see ``best_candidates``)."""
        self.newest_rank = {row[0]: index for index, row in enumerate(rows)}
        if self.estimated_rank is not None and all(row[0] in self.estimated_rank for row in rows):
            # Estimated by the query that read them.
            return sorted(rows, key=lambda row: self.estimated_rank[row[0]])
        by_id = {row[0]: row for row in rows}
        return [by_id[pk] for pk in self.ids_best_estimated_first(list(by_id))]

    def ids_best_estimated_first(self, ids):
        """These recommendation ids, the best estimated first (see ``best_candidates``), read by id."""
        ids_sql, ids_params = self.backend.ids_sql(ids)
        recommendations = self.backend.quote(table(Recommendation))
        join, join_params, best_first, order_params = self.backend.estimate_sql(
            self.query,
            self.language,
            self.languages,
            among=(f"SELECT r.id FROM {recommendations} r WHERE {ids_sql}", ids_params),
        )
        sql = (
            f"SELECT r.id FROM {recommendations} r {join} WHERE {ids_sql} "
            f"ORDER BY {best_first}, {sql_ordering('newest')}"
        )
        return [pk for (pk,) in self._read(sql, [*join_params, *ids_params, *order_params])]

    def coarse_sample(self):
        """{year: n} of the matches in the coarse sample (every COARSE_SAMPLE_EVERY-th id)."""
        return Counter(self._read_coarse_sample()[2])

    def coarse_dates(self):
        """[(first day of a month, n)] of the matches in the coarse sample, read once.

        By month, not by meeting date: a common word's sample falls on
        thousands of dates, which cost more to send and read than to count
        ("services" at a million recommendations: 2,592 dates, 240 months).
        """
        return self._read_coarse_sample()[0]

    def coarse_matches(self):
        """How many matches the coarse sample holds."""
        return self._read_coarse_sample()[1]

    def _read_coarse_sample(self):
        # The sample's sum and years are worked out once, not by every question asked of them.
        if self._coarse_sample is None:
            rows = self.sampled_dates(COARSE_SAMPLE_EVERY, by_month=True)
            if rows and not isinstance(rows[0][0], datetime.date):
                rows = [(_as_date(day), n) for day, n in rows]
            self._coarse_sample = rows, sum(n for _day, n in rows), _by_year(rows)
            self.start_year_samples()
        return self._coarse_sample

    def start_year_samples(self):
        """Read beside (see beside.py) the samples ``count_years`` will estimate the years from, when the coarse sample tells it will.

        Past twice COUNT_BOUND matches in the coarse sample, ``count_years``
        reads the middle and fine samples that the coarse one calls for, and
        nothing the candidates find changes which: the database reads them
        on a second connection while this one reads the candidates. They are
        read for every year; ``sampled_years`` keeps those asked for.
        """
        if not (self.backend.reads_beside and can_read_beside(self.backend.connection)):
            return
        if self.coarse_matches() * COARSE_SAMPLE_EVERY <= 2 * COUNT_BOUND:
            return
        coarse, population = self.coarse_sample(), sampled_population()
        # A word so common that the coarse sample settles every year needs no other.
        if all(coarse.get(year, 0) >= SAMPLED_ENOUGH for year in population):
            return
        self._samples_beside = read_beside(
            self.backend.connection.alias, self._read_year_samples, coarse, population
        )

    def _read_year_samples(self, connection, coarse, population):
        """{every: (years, {year: n})} of the samples ``count_years`` reads after ``coarse``, read on ``connection``."""
        read = {}

        def sampled(every, years):
            sql, params = self.sampled_dates_sql(every, years=years, by_year=True)
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                read[every] = frozenset(years), _by_year(cursor.fetchall())
            return read[every][1]

        _estimated_years(coarse, None, set(population), population, sampled)
        return read

    def sampled_years(self, every, years):
        """{year: n} of the sampled matches (every ``every``-th id) in ``years``: read beside already, or now."""
        if self._samples_beside is not None:
            read_years, counts = self._samples_beside.result().get(every, (frozenset(), None))
            if counts is not None and read_years >= set(years):
                return Counter({year: n for year, n in counts.items() if year in years})
        return _by_year(self.sampled_dates(every, years=years, by_year=True))

    def date_bound(self, limit):
        """The date that the first ``limit`` matches likely reach, or None.

        The full-text index finds every match before the database can sort
        them by date: tens of thousands of rows read for a phrase found in
        3% of the recommendations ("lived experience"). From the coarse
        sample, the date before which about BOUND_MARGIN times ``limit``
        matches lie (after which, for the oldest sort) bounds the query,
        and the date index then gives only the rows of those dates. If the
        bound falls short of ``limit`` matches, the usual query follows.
        """
        if not self.backend.walks_date_index or limit <= CANDIDATES:
            return None
        needed = math.ceil(BOUND_MARGIN * limit / COARSE_SAMPLE_EVERY)
        seen = 0
        for month, n in sorted(self.coarse_dates(), reverse=self.sort != "oldest"):
            seen += n
            if seen >= needed:
                # A word found in a large share of the recommendations is read
                # in date order anyway (by the planner, or by walk_length): a
                # bound would only make the database read its whole index entry.
                if self.coarse_share() >= WALK_SHARE:
                    return None
                # The whole month: from its first day, or, for the oldest sort, up to its last.
                return _month_end(month) if self.sort == "oldest" else month
        return None

    def walk_length(self, limit):
        """How many recommendations to read in date order to find ``limit`` matches, or None.

        When the coarse sample says that a large share of the recommendations
        match, reading them in the order of the date index and stopping at the
        ``limit``-th match is quicker than finding every match in the full-text
        index and sorting them; the database's planner cannot tell, because it
        takes the query's words to be independent ("intelligence" and
        "artificielle" are not), so only queries of several words walk. The
        length read is three times what the share predicts, so that the walk
        rarely falls short; when it does, the usual query follows.
        """
        if not self.backend.walks_date_index or limit <= 1:
            return None
        if sum(len(term.words) for term in self.query.terms) < 2 and self.backend.knows_word_shares:
            return None  # one word's share the planner knows
        share = self.coarse_share()
        if share < WALK_SHARE:
            return None
        return min(math.ceil(3 * limit / share), WALK_MAX)

    def coarse_share(self):
        """The share of the recommendations that match, estimated from the coarse sample."""
        matches = self.coarse_matches() * COARSE_SAMPLE_EVERY
        return matches / max(recommendations_estimate(), 1)

    def sampled_dates(self, every, years=None, by_year=False, by_month=False):
        """[(meeting date, n)] of the sampled matches (every ``every``-th id), whatever the year or in ``years``.

        With ``by_year``, [(first day of the year, n)]: what the year counts
        need, grouped by the database (see ``_day_sql``); with ``by_month``,
        [(first day of the month, n)].
        """
        return self._read(*self.sampled_dates_sql(every, years, by_year, by_month))

    def sampled_dates_sql(self, every, years=None, by_year=False, by_month=False):
        extra, extra_params = _in_years(years)
        hits, params = self.hits_sql(with_year=False, sample_every=every, extra=extra)
        day = self._day_sql("month" if by_month else "year" if by_year else None)
        return f"SELECT {day}, COUNT(*) {hits} GROUP BY {day}", [*params, *extra_params]

    def counted_dates(self, limit, years=None, by_year=False):
        """[(meeting date, n)] of at most ``limit`` matches, whatever the year or in ``years`` alone (``by_year``: as above)."""
        if years is not None and not years:
            return []
        extra, extra_params = _in_years(years)
        hits, params = self.hits_sql(with_year=False, extra=extra)
        sql = f"SELECT d, COUNT(*) FROM (SELECT {self._day_sql('year' if by_year else None)} AS d {hits} LIMIT %s) c GROUP BY d"
        return self._read(sql, [*params, *extra_params, limit])

    def _day_sql(self, period):
        # A common word's matches fall on thousands of meeting dates: grouped by
        # date, they are thousands of rows to send, and to read back into years
        # (or months). ``period``: "year", "month" or None (the meeting's date).
        return self.backend.period_start_sql("r.meeting_date", period) if period else "r.meeting_date"

    def count_years(self):
        """{year: Count} of every match, the year filter left out; years with no match are absent.

        Each year is estimated from the coarsest sample that holds at least
        SAMPLED_ENOUGH of its matches (see SAMPLED_ENOUGH): the coarse one,
        then the middle one over the years it likely holds enough of, then
        the fine one over the years left. Of the years left after them all,
        those with fewest matches in the fine sample, or none, are counted.
        Every match is counted first when few are likely (up to COUNT_BOUND,
        and then the count is exact).
        """
        # Counted at once when few are likely (the candidates were not too many).
        coarse = self.coarse_sample() if self.more else None
        fine = None
        if coarse is not None and COUNT_BOUND < sum(coarse.values()) * COARSE_SAMPLE_EVERY <= 2 * COUNT_BOUND:
            # The coarse sample cannot tell 9,000 matches from 12,000; the fine
            # one can (to a twentieth), for much less than counting 10,001 matches.
            fine = _by_year(self.sampled_dates(SAMPLE_EVERY, by_year=True))
            likely = sum(fine.values()) * SAMPLE_EVERY
        else:
            likely = sum(coarse.values()) * COARSE_SAMPLE_EVERY if coarse is not None else 0
        if coarse is None or likely <= FINE_SAMPLED_MARGIN * COUNT_BOUND:
            counted = _by_year(self.counted_dates(COUNT_BOUND + 1, by_year=True))
            if sum(counted.values()) <= COUNT_BOUND:
                return {year: Count(n) for year, n in counted.items()}
            if coarse is None:
                coarse = self.coarse_sample()
        population = sampled_population()
        # Every year that has published recommendations: each may have matches.
        years, left = {}, set(population)
        # The years that the newest (or oldest) candidates hold entirely are counted already.
        if not self.year and self.candidate_rows:
            candidate_years = Counter(date.year for _id, _meeting, date in self.candidate_rows)
            boundary = self.candidate_rows[-1][2].year
            years.update({year: Count(n) for year, n in candidate_years.items() if year != boundary})
            left -= set(years)
        estimated, left, sample, every = _estimated_years(coarse, fine, left, population, self.sampled_years)
        years.update(estimated)
        # A year the samples miss must not go missing, and one they hold very few
        # of (under SAMPLED_FEW) is estimated poorly: those are counted, the
        # fewest first, up to COUNTED_APART matches in all; the others keep the
        # fine sample's estimate.
        expected = {year: _scaled(population, year, sample.get(year, 0), every) for year in left}
        counting, budget = set(), 0
        for year in sorted(left, key=lambda year: (expected[year], year)):
            if expected[year] and (
                sample.get(year, 0) >= SAMPLED_FEW or budget + expected[year] > COUNTED_APART
            ):
                break
            counting.add(year)
            budget += expected[year]
        years.update({year: Count(expected[year], estimated=True) for year in left - counting})
        counted = _by_year(self.counted_dates(COUNT_BOUND + 1, years=counting, by_year=True))
        if sum(counted.values()) <= COUNT_BOUND:
            years.update({year: Count(n) for year, n in counted.items()})
        else:
            # Too many to count: the larger of the estimate and what was counted.
            for year in counting:
                estimate = max(expected[year], counted.get(year, 0))
                if estimate:
                    years[year] = Count(estimate, estimated=True)
        return years

    def documents(self, ids):
        """The texts of these recommendations, in every language, for ranking.

        Read with plain SQL: through the ORM, the same 200 rows of three tables
        cost twice as long as the database takes to find them. The same query
        reads what a hit shows of them (``SHOWN``), which ``fetch`` then needs
        no query for.
        """
        if not ids:
            return {}
        fields = [
            (language, name) for language in AVAILABLE_LANGUAGES for name in ("text", "theme", "meeting")
        ]
        ranked = {"text": ("r", "text_{}"), "theme": ("t", "title_{}"), "meeting": ("m", "title_{}")}
        columns = [(ranked[name][0], ranked[name][1].format(language)) for language, name in fields]
        columns += [(alias, name) for _model, alias, names in SHOWN for name in names]
        columns = list(dict.fromkeys(columns))
        place = {column: index for index, column in enumerate(columns)}
        subject_ids = {subject for clause in self.query.clauses for subject in clause.subjects}
        under = recommendations_under(subject_ids, ids) if subject_ids else {}
        quote = self.backend.quote
        ids_sql, ids_params = self.backend.ids_sql(ids)
        sql = (
            f"SELECT {', '.join(f'{alias}.{name}' for alias, name in columns)} "
            f"FROM {quote(table(Recommendation))} r "
            f"JOIN {quote(table(Theme))} t ON t.id = r.theme_id "
            f"JOIN {quote(table(Meeting))} m ON m.id = t.meeting_id WHERE {ids_sql}"
        )
        texts_at = [place[ranked[name][0], ranked[name][1].format(language)] for language, name in fields]
        shown_at = [(model, names, [place[alias, name] for name in names]) for model, alias, names in SHOWN]
        documents = {}
        for row in self._read(sql, ids_params):
            pk = row[place["r", "id"]]
            texts = dict(zip(fields, (row[index] for index in texts_at), strict=True))
            documents[pk] = make_document(pk, texts, under.get(pk, ()))
            self.shown[pk] = row, shown_at
        return documents

    def shown_recommendation(self, pk):
        """The recommendation ``pk``, its theme and its meeting, from the row ``documents`` read, or None.

        Made with ``from_db``, as a queryset makes them: a field not read is
        deferred, and reading it would cost a query.
        """
        if pk not in self.shown:
            return None
        alias = self.backend.connection.alias
        row, shown_at = self.shown[pk]
        recommendation, theme, meeting = (
            model.from_db(alias, names, [row[index] for index in at]) for model, names, at in shown_at
        )
        theme.meeting = meeting
        recommendation.theme = theme
        return recommendation

    def judge(self, ids):
        """{id: Evidence} of these recommendations for the query (see ranking.py)."""
        documents = self.documents(ids)
        return {
            pk: evidence(self.query, document, self.language, self.languages)
            for pk, document in documents.items()
        }

    def relax(self):
        """Accept any of the query's clauses from now on."""
        self.relaxed = True
        self._coarse_sample = self._samples_beside = self.estimated_rank = None
        self.matches_sql, self.matches_params = self.backend.condition(
            self.query, self.languages, require_all=False
        )
        self.tested_sql, self.tested_params = self.matches_sql, self.matches_params

    def run(self):
        rows = self.every_match_at_once()
        if rows is None:
            rows = self.run_candidates()
        self.rank(rows)

    def every_match_at_once(self):
        """The candidates, best estimated first, when the coarse sample says there are few matches; or None.

        Few enough (at most COUNT_BOUND) to be read at once with the
        database's estimate of their relevance: one pass gives the count,
        the years, each meeting's count, the newest candidates and the best
        estimated ones, which otherwise cost a pass each. The pass is cut at
        COUNT_BOUND matches, and then the usual way follows.
        """
        if self.sort != "relevance" or self.year or self.meeting:
            return None
        expected = self.coarse_matches() * COARSE_SAMPLE_EVERY
        if not CANDIDATES <= expected <= AT_ONCE_BELOW:
            return None
        hits, params = self.hits_sql()
        columns = ", ".join(f"r.{column}" for column in _SQL_COLUMNS.values())
        join, _join_params, best_first, order_params = self.backend.estimate_sql(
            self.query, self.language, self.languages
        )
        if join:
            everything = self._every_match_then_estimate(hits, params, columns)
        else:
            # The estimate is computed in the row (PostgreSQL): over the bounded matches alone.
            sql = (
                f"SELECT {columns} FROM (SELECT r.* {hits} LIMIT %s) r "
                f"ORDER BY {best_first}, {sql_ordering('newest')}"
            )
            everything = self._read(sql, [*params, COUNT_BOUND + 1, *order_params])
        if everything is None or len(everything) > COUNT_BOUND or len(everything) < RELAX_BELOW:
            return None
        newest = _sorted_newest_first(everything)
        self.more = len(everything) > CANDIDATES
        self.candidate_rows = [
            (pk, meeting, date) for date, meeting, _theme, _position, pk in newest[:CANDIDATES]
        ]
        self.years = _exact_years(map(itemgetter(0), everything))
        self.meeting_counts = Counter(map(itemgetter(1), everything))
        self.total = Count(len(everything))
        best = everything[:CANDIDATES]
        self.estimated_best = self.more
        # Best estimated first; ranking.py's equal scores go newest first.
        self.newest_rank = {row[4]: index for index, row in enumerate(_sorted_newest_first(best))}
        return _as_rows(best)

    def _every_match_then_estimate(self, hits, params, columns):
        """Every match (at most COUNT_BOUND + 1), then, if that is all of them, in the order of an estimate read from another table.

        SQLite's estimate is read from its full-text index: asked of more
        than COUNT_BOUND matches, it is wasted ("transparence" at 100,000
        recommendations: 13,000 matches, where the coarse sample expected
        fewer, cost 70 ms more than the usual way). The matches alone are read
        first, and the estimate is asked of them by id: joined to the bounded
        matches, SQLite compared every pair ("lived experience", 3,257
        matches: 248 ms, and 31 ms by id).
        """
        rows = self._read(f"SELECT {columns} {hits} LIMIT %s", [*params, COUNT_BOUND + 1])
        if len(rows) > COUNT_BOUND or len(rows) < RELAX_BELOW:
            return None
        by_id = {row[4]: row for row in rows}
        return [by_id[pk] for pk in self.ids_best_estimated_first(list(by_id))]

    def run_candidates(self):
        """The candidates, newest first or best estimated first, with the counts."""
        # Under relevance sort, ranking.py ranks the RESCORE_WINDOW best estimated of them.
        estimated = self.sort == "relevance"
        rows = self.candidates(estimated=estimated)
        if len(rows) < RELAX_BELOW and len(self.query.searched_clauses(self.languages)) > 1:
            self.relax()
            rows = self.candidates()
        self.more = len(rows) > CANDIDATES
        rows = rows[:CANDIDATES]
        self.candidate_rows = list(rows)
        if self.more or self.year:
            self.years = self.count_years()
        if self.more:
            if self.year:
                self.total = self.years.get(self.year, Count(len(rows)))
            else:
                counts = self.years.values()
                self.total = Count(sum(counts), estimated=any(count.estimated for count in counts))
            counted = not any(count.estimated for count in self.years.values())
            if self.sort == "relevance" and counted and self.total <= ESTIMATED_BEST_BELOW:
                # Few enough for the database to estimate the relevance of every
                # match: the best of them are ranked, not the newest.
                rows = self.best_candidates()
                self.estimated_best = True
        return rows

    def rank(self, rows):
        """Rank the candidates ``rows`` by relevance (under a date sort, keep their order)."""
        if self.relaxed:
            # Most of the words, not any one of them: "a lost card" is not about every card.
            self.evidence = self.judge([row[0] for row in rows])
            needed = math.ceil(len(self.query.searched_clauses(self.languages)) / 2)
            rows = [row for row in rows if sum(1 for v in self.evidence[row[0]].clauses if v) >= needed]
            self.evidence = {row[0]: self.evidence[row[0]] for row in rows}
        elif self.sort == "relevance":
            window = RESCORE_WINDOW
            if len(rows) > window and self.newest_rank is None:
                rows = self.best_estimated_first(rows)
            self.evidence = self.judge([row[0] for row in rows[:window]])
        if self.sort == "relevance":
            judged = [row for row in rows if row[0] in self.evidence]
            weights = clause_weights(self.evidence.values())
            scores = {pk: score(found, weights) for pk, found in self.evidence.items()}
            newest = self.newest_rank or {}
            # Equal scores go newest first (the rows are newest first when there is no rank).
            judged.sort(key=lambda row: (-scores[row[0]], newest.get(row[0], 0)))
            rows = judged + [row for row in rows if row[0] not in self.evidence]
        self.rows = rows
        if not (self.more or self.year):
            self.years = _exact_years(map(itemgetter(2), rows))
        if not self.more:
            self.total = Count(len(rows))
            if self.year:
                self.years[self.year] = self.total

    def ranked_ids(self):
        return [row[0] for row in self.rows]

    def has_matches(self, more_than=0):
        """Whether more than ``more_than`` recommendations match.

        In no order: the database stops at the first ones it finds, rather
        than finding every match to sort them (55 ms for "services" on SQLite
        at 100,000 recommendations).
        """
        hits, params = self.hits_sql()
        [(found,)] = self._read(
            f"SELECT COUNT(*) FROM (SELECT r.id {hits} LIMIT %s) found", [*params, more_than + 1]
        )
        return found > more_than

    def fetch(self, offset, limit):
        ids = [row[0] for row in self.rows[offset : offset + limit]]
        # Hits that were not ranked (past RESCORE_WINDOW, or under a date sort) are judged now.
        unjudged = [pk for pk in ids if pk not in self.evidence]
        if unjudged:
            self.evidence.update(self.judge(unjudged))
        objects = {pk: self.shown_recommendation(pk) for pk in ids}
        # One deleted since the search read it is left out.
        ids = [pk for pk in ids if objects[pk] is not None]
        subjects = self.hit_subjects(ids)
        terms = self.parsed.terms
        return [
            Hit(
                objects[pk],
                highlight(getattr(objects[pk], f"text_{self.language}"), terms, self.language),
                highlight(getattr(objects[pk].theme, f"title_{self.language}"), terms, self.language),
                self.evidence[pk].in_page_language if pk in self.evidence else True,
                subjects[pk],
            )
            for pk in ids
        ]

    def hit_subjects(self, ids):
        """{id: [Subject]} of these recommendations, each list in the order of the subjects' names.

        One query, as a prefetch would make, without a manager and a queryset
        for each hit; in plain SQL, the subjects made with ``from_db`` as the
        hits are, with what a hit shows of them: the name and the link.
        """
        subjects = {pk: [] for pk in ids}
        if not ids:
            return subjects
        quote = self.backend.quote
        names = _in_field_order(
            Subject, ["id", *(f"{name}_{code}" for name in ("name", "slug") for code in AVAILABLE_LANGUAGES)]
        )
        through = Subject.recommendations.through._meta.db_table
        among, params = self.backend.ids_sql(ids, column="h.recommendation_id")
        sql = (
            f"SELECT {', '.join(f's.{name}' for name in names)}, h.recommendation_id "
            f"FROM {quote(table(Subject))} s JOIN {quote(through)} h ON h.subject_id = s.id "
            f"WHERE {among} ORDER BY s.{build_localized_fieldname('name', get_language())}"
        )
        alias = self.backend.connection.alias
        for *values, hit in self._read(sql, params):
            subjects[hit].append(Subject.from_db(alias, names, values))
        return subjects

    def year_facets(self):
        return sorted(self.years.items(), reverse=True)

    def meeting_facets(self):
        """The newest meetings with matches, each with its exact count."""
        rows, more = self.candidate_rows, self.more
        if self.meeting:
            rows = self.candidates(with_meeting=False)
            rows, more = rows[:CANDIDATES], len(rows) > CANDIDATES
        counts = self.meeting_counts or Counter(meeting for _id, meeting, _date in rows)
        if more and self.meeting_counts is None:
            # The last meeting read may have more matches than were read: it is counted.
            _id, boundary, day = rows[-1]
            # The date too: the meeting's rows are then one range of the date index.
            hits, params = self.hits_sql(
                with_meeting=False, extra=" AND r.meeting_date = %s AND r.meeting_pk = %s", few_rows=True
            )
            [(counts[boundary],)] = self._read(f"SELECT COUNT(*) {hits}", [*params, _as_date(day), boundary])
        newest = sorted({(date, meeting) for _id, meeting, date in rows}, reverse=True)
        newest = [meeting for _date, meeting in newest[:MAX_MEETING_FACETS]]
        meetings = self.facet_meetings(newest)
        return [(meetings[pk], counts[pk]) for pk in newest if pk in meetings]

    def facet_meetings(self, ids):
        """{id: Meeting} of these meetings, with what a facet shows of them: the title and the date.

        In plain SQL, made with ``from_db`` as ``shown_recommendation`` makes
        a hit's: through modeltranslation's manager, thirty meetings cost
        more in Python than in the database.
        """
        if not ids:
            return {}
        names = _in_field_order(Meeting, ["id", "date", *(f"title_{code}" for code in AVAILABLE_LANGUAGES)])
        ids_sql, params = self.backend.ids_sql(ids, column="m.id")
        sql = (
            f"SELECT {', '.join(f'm.{name}' for name in names)} "
            f"FROM {self.backend.quote(table(Meeting))} m WHERE {ids_sql}"
        )
        alias = self.backend.connection.alias
        return {row[0]: Meeting.from_db(alias, names, row) for row in self._read(sql, params)}


_recommendations_estimate = (0.0, 0)


def recommendations_estimate():
    """About how many recommendations there are: the largest id, read at most once a minute.

    Only the plan of a search is chosen from it, never its results.
    """
    global _recommendations_estimate
    read_at, value = _recommendations_estimate
    if time.monotonic() - read_at > 60:
        connection = reading_connection()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT MAX(id) FROM {connection.ops.quote_name(table(Recommendation))}")
            value = cursor.fetchone()[0] or 0
        _recommendations_estimate = (time.monotonic(), value)
    return value


_population = (None, None)


def sampled_population():
    """{year: {every: n}}: how many published recommendations each year has (``every`` 1), and how many in each sample.

    For each sample (every COARSE_SAMPLE_EVERY-th, MIDDLE_SAMPLE_EVERY-th
    and SAMPLE_EVERY-th id). On PostgreSQL, the database keeps them, a row a
    year (migration 0021). Elsewhere, one pass over every recommendation's
    date and id (``counted_population``), kept in the cache that the web
    processes share, under the archive's revision, so that it is read again
    only when the archive changes; and in the process too, so that a cache
    that is down costs that pass once, not once a search.
    """
    global _population
    connection = reading_connection()
    rates = sorted({1, COARSE_SAMPLE_EVERY, MIDDLE_SAMPLE_EVERY, SAMPLE_EVERY})
    kept = get_backend(connection).kept_population(rates)
    if kept is not None:
        return kept
    revision = ArchiveRevision.current()
    key = (
        f"search-population:{connection.alias}:{revision.number}:{revision.changed_at.timestamp()}:"
        + "-".join(map(str, rates))
    )
    if _population[0] == key:
        return _population[1]
    population = cache.get(key)
    if population is None:
        population = counted_population(connection, rates)
        cache.set(key, population, POPULATION_CACHE_SECONDS)
    _population = (key, population)
    return population


def counted_population(connection, rates):
    """{year: {every: n}} of the published recommendations, counted in one pass over them all."""
    backend = get_backend(connection)
    published, params = backend.published_sql()
    counts = ", ".join(f"SUM(CASE WHEN r.id %% {int(every)} = 0 THEN 1 ELSE 0 END)" for every in rates)
    year = backend.period_start_sql("r.meeting_date", "year")
    sql = (
        f"SELECT {year}, {counts} FROM {connection.ops.quote_name(table(Recommendation))} r "
        f"WHERE {published} GROUP BY {year}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {
            _as_date(day).year: dict(zip(rates, map(int, row), strict=True))
            for day, *row in cursor.fetchall()
        }


def _estimated_years(coarse, fine, left, population, sampled):
    """Each year of ``left`` estimated from the coarsest sample that holds SAMPLED_ENOUGH of its matches.

    The coarse sample first, then the middle one over the years it likely
    holds enough of, then the fine one (``fine``, if read already) over the
    years left. ``sampled(every, years)`` reads {year: n} of a sample.
    Returns {year: Count} of the years estimated, the years left, and the
    last sample with its rate (every ``every``-th id).
    """
    years, left = {}, set(left)
    sample, every = coarse, COARSE_SAMPLE_EVERY
    while True:
        for year, n in sample.items():
            if year in left and n >= SAMPLED_ENOUGH:
                years[year] = Count(_scaled(population, year, n, every), estimated=True)
                left.discard(year)
        if every == SAMPLE_EVERY or not left:
            break
        middle = MIDDLE_SAMPLE_EVERY
        enough_there = {year for year in left if sample.get(year, 0) * every >= SAMPLED_ENOUGH * middle}
        if fine is None and SAMPLE_EVERY < middle < every and enough_there:
            # The middle sample, for the years it likely holds enough of.
            sample, every = sampled(middle, enough_there), middle
            continue
        if fine is None:
            fine = sampled(SAMPLE_EVERY, left)
        sample, every = fine, SAMPLE_EVERY
    return years, left, sample, every


def _scaled(population, year, n, every):
    """A year's estimate from ``n`` matches in its sample of every ``every``-th id.

    The share of the year's sampled recommendations that match, times how
    many the year has: the sample's own size in a year varies as much as
    the matches do, and this takes it out (for a word in nine
    recommendations in ten, an error of about 2.5% rather than 7%).
    """
    counts = population.get(year, {})
    return round(n * counts[1] / counts[every]) if counts.get(every) else n * every


def _in_years(years):
    """SQL for the matches in ``years`` (all of them when None), and its parameters.

    Consecutive years are one range of the date index: the database reads
    those years' rows alone, not every match to set the others aside.
    """
    if years is None:
        return "", []
    ranges, params = [], []
    for start, end in _runs(sorted(years)):
        ranges.append("(r.meeting_date >= %s AND r.meeting_date < %s)")
        params += [datetime.date(start, 1, 1), datetime.date(end + 1, 1, 1)]
    return f" AND ({' OR '.join(ranges) or '1 = 0'})", params


def _runs(years):
    """[(first, last)] of the runs of consecutive years in the sorted list ``years``."""
    runs = []
    for year in years:
        if runs and runs[-1][1] == year - 1:
            runs[-1][1] = year
        else:
            runs.append([year, year])
    return [tuple(run) for run in runs]


def _by_year(dated_counts):
    years = Counter()
    for date, count in dated_counts:
        years[_as_date(date).year] += count
    return years


def _month_end(first_day):
    """The last day of the month that begins on ``first_day``."""
    following = (first_day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


def _as_date(value):
    # SQLite returns a grouped date as text.
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value)[:10])


def _sorted_newest_first(rows):
    """Rows (meeting date, meeting id, theme position, position, id) in the date order, newest first.

    Sorted backwards on the date as it is, rather than on a key made of each
    date: a few thousand rows are sorted so for each search read at once.
    """
    return sorted(rows, key=lambda row: (row[0], row[1], -row[2], -row[3], -row[4]), reverse=True)


def _as_rows(rows):
    """[(id, meeting id, meeting date)] of rows in the date order's columns (see ``_sorted_newest_first``)."""
    return [(pk, meeting, date) for date, meeting, _theme, _position, pk in rows]


def _exact_years(dates):
    """{year: Count} of these dates.

    Counted by ``map`` and ``Counter`` alone, without a Python loop: a
    search read at once counts thousands of them (3,168 dates of
    "promotionnel" at a million recommendations: 0.3 ms, against 3 ms for a
    generator of tuples).
    """
    return {year: Count(n) for year, n in Counter(map(attrgetter("year"), dates)).items()}


def searched_languages(language, only_page_language=False):
    """The page's language alone, or every language with the page's first."""
    if only_page_language:
        return (language,)
    return (language, *(code for code in AVAILABLE_LANGUAGES if code != language))


def search_recommendations(
    query_text, language, *, only_page_language=False, sort="relevance", year=None, meeting=None, page=1
):
    """Search the published recommendations for ``query_text``.

    ``language`` is the page's language: hits are shown in it, and ranked
    first when they match in it. Every language is searched unless
    ``only_page_language``.
    """
    results = SearchResults(query_text=query_text, language=language)
    parsed = parse_query(query_text, language)
    languages = searched_languages(language, only_page_language)
    results.problem = parsed.problem(languages)
    if results.problem:
        return results
    search = Search(parsed, language, languages, sort, year, meeting)
    search.run()
    results.total, results.more, results.relaxed = search.total, search.more, search.relaxed
    results.estimated_best = search.estimated_best
    results.page = Paginator(_HitList(search), PAGE_SIZE).get_page(page)
    results.other_language_hits = sum(1 for hit in results.page.object_list if not hit.in_page_language)
    if search.total or search.rows:
        results.years = search.year_facets()
        results.meetings = search.meeting_facets()
    if len(search.rows) < SUGGEST_BELOW:
        found = {}

        def finds_more_than(text, total=search.total):
            # A respelling is asked whether it finds anything, then, as the
            # suggestion, whether it finds more than the query: the same question
            # when the query found nothing.
            if (text, total) not in found:
                respelt = parse_query(text, language)
                found[text, total] = Search(respelt, language, languages, "newest").has_matches(
                    more_than=total
                )
            return found[text, total]

        results.suggestion = suggestions.suggest(
            parsed, language, finds_more_than, lambda text: finds_more_than(text, 0)
        )
    return results
