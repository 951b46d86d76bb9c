"""
Search recommendations: one interface over the two backends.

``search_recommendations()`` returns a ``SearchResults``: the page of hits
(each with its highlighted text), the total, the facets by year and by
meeting, and a "Did you mean" suggestion when little matches. Only
published meetings are ever searched.

A search reads at most ``CANDIDATES`` matches: the newest ones (the oldest
for the "oldest" sort), in one query. It ranks, counts and facets within
them, and says "more than CANDIDATES" past that. Ranking, counting and
faceting every match cost seconds for a word found in half of a million
recommendations ("services"); the newest matches cost milliseconds, because
the database walks the meetings newest first and stops early when a word is
common, and reads the full-text index when it is rare. A search with fewer
matches than that is exact.
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db import connection
from django.utils.html import escape
from django.utils.safestring import mark_safe

from .backends import MARK_END, MARK_START, get_backend, highlight_words
from .query import parse_query

PAGE_SIZE = 20
MAX_MEETING_FACETS = 30

# The order of hits, written once for the SQL here and for the ORM (exports,
# API, feeds). It ends on the recommendation's id, so that pages never repeat
# or skip a row.
SORTS = {
    "relevance": ("-rank", "-date", "-meeting", "theme_position", "position", "id"),
    "newest": ("-date", "-meeting", "theme_position", "position", "id"),
    "oldest": ("date", "meeting", "theme_position", "position", "id"),
}
# The most matches a search ranks, counts and facets (see the module's docstring).
CANDIDATES = 1000
_SQL_COLUMNS = {
    "rank": "h.rank",
    "date": "m.date",
    "meeting": "m.id",
    "theme_position": "t.position",
    "position": "r.position",
    "id": "r.id",
}
_ORM_FIELDS = {
    "rank": "search_rank",
    "date": "theme__meeting__date",
    "meeting": "theme__meeting_id",
    "theme_position": "theme__position",
    "position": "position",
    "id": "id",
}


def sql_ordering(sort):
    return ", ".join(
        f"{_SQL_COLUMNS[key.lstrip('-')]} {'DESC' if key.startswith('-') else 'ASC'}" for key in SORTS[sort]
    )


def orm_ordering(sort):
    """The same order for a queryset of Recommendation (relevance needs a ``search_rank``)."""
    return [("-" if key.startswith("-") else "") + _ORM_FIELDS[key.lstrip("-")] for key in SORTS[sort]]


# Below this many hits, look for a better-spelt query; respell at most this
# many words, so that a long misspelt query costs a bounded number of queries.
SUGGEST_BELOW = 3
MAX_RESPELT_WORDS = 4


def render_highlight(text):
    """Escape ``text`` whole, then turn the sentinels into <mark> elements."""
    escaped = escape(text)
    return mark_safe(escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))


@dataclass
class Hit:
    recommendation: object
    highlighted: str
    # The theme's title, highlighted too: a match there explains the hit.
    theme_highlighted: str = ""


@dataclass
class SearchResults:
    query_text: str
    language: str
    page: object = None
    total: int = 0
    # True when more than ``total`` (then CANDIDATES) recommendations match.
    more: bool = False
    years: list = field(default_factory=list)
    meetings: list = field(default_factory=list)
    suggestion: str = ""
    # Why nothing was searched: "stop_words" or "only_excluded".
    problem: str = ""


class _HitList:
    """A lazy sequence of hits that the Paginator can count and slice."""

    def __init__(self, search):
        self.search = search

    def count(self):
        return self.search.total

    def __len__(self):
        return self.search.total

    def __getitem__(self, page_slice):
        return self.search.fetch(page_slice.start, page_slice.stop - page_slice.start)


class _Search:
    def __init__(self, query, language, languages, sort, year, meeting):
        self.backend = get_backend()
        self.query = query
        self.language = language
        self.hits_sql, self.hits_params = self.backend.hits(query, languages)
        self.sort = sort
        self.year = year
        self.meeting = meeting
        self.rows, self.total, self.more = [], 0, False

    def where(self, with_year=True, with_meeting=True):
        clauses, params = ["m.is_published = %s"], [True]
        if with_year and self.year:
            clauses.append("m.date >= %s AND m.date < %s")
            params += [datetime.date(self.year, 1, 1), datetime.date(self.year + 1, 1, 1)]
        if with_meeting and self.meeting:
            clauses.append("m.id = %s")
            params.append(self.meeting)
        return " AND ".join(clauses), params

    def candidates(self, with_year=True, with_meeting=True, limit=None):
        """[(id, rank, meeting id, meeting date)] of the first ``limit`` matches, newest (or oldest) first.

        By default one more than CANDIDATES, to tell whether there are more.
        """
        limit = CANDIDATES + 1 if limit is None else limit
        where, params = self.where(with_year, with_meeting)
        order = sql_ordering("oldest" if self.sort == "oldest" else "newest")
        sql = (
            f"SELECT h.id, h.rank, m.id, m.date FROM ({self.hits_sql}) h "
            "JOIN meetings_recommendation r ON r.id = h.id "
            "JOIN meetings_theme t ON t.id = r.theme_id "
            "JOIN meetings_meeting m ON m.id = t.meeting_id "
            f"WHERE {where} ORDER BY {order} LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*self.hits_params, *params, limit])
            return cursor.fetchall()

    def run(self):
        rows = self.candidates()
        self.more = len(rows) > CANDIDATES
        rows = rows[:CANDIDATES]
        if self.sort == "relevance":
            rows.sort(key=lambda row: -row[1])  # stable: equal ranks stay newest first
        self.rows, self.total = rows, len(rows)

    def has_matches(self, more_than=0):
        return len(self.candidates(limit=more_than + 1)) > more_than

    def fetch(self, offset, limit):
        from meetings.models import Recommendation

        ids = [row[0] for row in self.rows[offset : offset + limit]]
        objects = Recommendation.objects.select_related("theme__meeting").in_bulk(ids)
        highlights = self.backend.highlight(ids, self.query, self.language)
        wanted = {folded for term in self.query.terms for folded in term.folded(self.language)}
        return [
            Hit(
                objects[pk],
                render_highlight(highlights[pk]),
                render_highlight(
                    highlight_words(
                        getattr(objects[pk].theme, f"title_{self.language}"), wanted, self.language
                    )
                ),
            )
            for pk in ids
        ]

    def year_facets(self):
        rows = self.candidates(with_year=False)[:CANDIDATES] if self.year else self.rows
        return sorted(Counter(date.year for _id, _rank, _meeting, date in rows).items(), reverse=True)

    def meeting_facets(self):
        from meetings.models import Meeting

        rows = self.candidates(with_meeting=False)[:CANDIDATES] if self.meeting else self.rows
        counts = Counter(meeting for _id, _rank, meeting, _date in rows)
        newest = sorted({(date, meeting) for _id, _rank, meeting, date in rows}, reverse=True)
        newest = [meeting for _date, meeting in newest[:MAX_MEETING_FACETS]]
        meetings = Meeting.objects.in_bulk(newest)
        return [(meetings[pk], counts[pk]) for pk in newest]


def search_recommendations(
    query_text, language, *, all_languages=False, sort="relevance", year=None, meeting=None, page=1
):
    """Search the published recommendations for ``query_text``.

    ``language`` is the page's language: the one searched by default, and
    the one hits are shown in. With ``all_languages``, both are searched.
    """
    results = SearchResults(query_text=query_text, language=language)
    query = parse_query(query_text)
    languages = ("fr", "en") if all_languages else (language,)
    results.problem = query.problem(languages)
    if results.problem:
        return results
    search = _Search(query, language, languages, sort, year, meeting)
    search.run()
    results.total, results.more = search.total, search.more
    results.page = Paginator(_HitList(search), PAGE_SIZE).get_page(page)
    if search.total:
        results.years = search.year_facets()
        results.meetings = search.meeting_facets()
    if search.total < SUGGEST_BELOW:
        results.suggestion = suggest(query, language, languages, search.total)
    return results


def suggest(query, language, languages, total):
    """A respelling of the query from the archive's own words, if it finds more.

    Each replacement must find published recommendations on its own, so that
    a word that only drafts (or deleted text) ever held is never offered.
    """
    from meetings.models import SearchTerm

    backend = get_backend()
    words = {word for term in query.terms for word in term.words}
    known = SearchTerm.objects.known(words, language)
    unknown = sorted(word for word in words if word.lower() not in known)[:MAX_RESPELT_WORDS]
    replacements = {}
    for word in unknown:
        candidate = backend.closest_word(word, language)
        if (
            candidate
            and _Search(parse_query(candidate), language, languages, "newest", None, None).has_matches()
        ):
            replacements[word] = candidate
    if not replacements:
        return ""

    def respell(term):
        respelt = [replacements.get(word, word) for word in term.words]
        return respelt[0] if len(respelt) == 1 else f'"{" ".join(respelt)}"'

    suggestion = " ".join(" OR ".join(respell(term) for term in group) for group in query.groups)
    better = _Search(parse_query(suggestion), language, languages, "newest", None, None)
    return suggestion if better.has_matches(more_than=total) else ""
