"""
Search recommendations: one interface over the two backends.

``search_recommendations()`` returns a ``SearchResults``: the page of hits
(each with its highlighted text), the total, the facets by year and by
meeting, and a "Did you mean" suggestion when little matches. Only
published meetings are ever searched.
"""

import datetime
from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db import connection
from django.utils.html import escape
from django.utils.safestring import mark_safe

from .backends import MARK_END, MARK_START, get_backend
from .query import parse_query

PAGE_SIZE = 20
MAX_MEETING_FACETS = 30
SORTS = {
    "relevance": "h.rank DESC, m.date DESC, t.position, r.position",
    "newest": "m.date DESC, t.position, r.position",
    "oldest": "m.date ASC, t.position, r.position",
}
# Below this many hits, look for a better-spelt query.
SUGGEST_BELOW = 3


def render_highlight(text):
    """Escape ``text`` whole, then turn the sentinels into <mark> elements."""
    escaped = escape(text)
    return mark_safe(escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))


@dataclass
class Hit:
    recommendation: object
    highlighted: str


@dataclass
class SearchResults:
    query_text: str
    language: str
    page: object = None
    total: int = 0
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
        self.sort = SORTS[sort]
        self.year = year
        self.meeting = meeting

    def where(self, with_year=True, with_meeting=True):
        clauses, params = ["m.is_published = %s"], [True]
        if with_year and self.year:
            clauses.append("m.date >= %s AND m.date < %s")
            params += [datetime.date(self.year, 1, 1), datetime.date(self.year + 1, 1, 1)]
        if with_meeting and self.meeting:
            clauses.append("m.id = %s")
            params.append(self.meeting)
        return " AND ".join(clauses), params

    def run(self, select, where, where_params, tail="", tail_params=()):
        sql = (
            f"SELECT {select} FROM ({self.hits_sql}) h "
            "JOIN meetings_recommendation r ON r.id = h.id "
            "JOIN meetings_theme t ON t.id = r.theme_id "
            "JOIN meetings_meeting m ON m.id = t.meeting_id "
            f"WHERE {where} {tail}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*self.hits_params, *where_params, *tail_params])
            return cursor.fetchall()

    def count(self):
        where, params = self.where()
        return self.run("COUNT(*)", where, params)[0][0]

    def fetch(self, offset, limit):
        from meetings.models import Recommendation

        where, params = self.where()
        rows = self.run("r.id", where, params, f"ORDER BY {self.sort} LIMIT %s OFFSET %s", (limit, offset))
        ids = [row[0] for row in rows]
        objects = Recommendation.objects.select_related("theme__meeting").in_bulk(ids)
        highlights = self.backend.highlight(ids, self.query, self.language)
        return [Hit(objects[pk], render_highlight(highlights[pk])) for pk in ids]

    def year_facets(self):
        where, params = self.where(with_year=False)
        year = self.backend.year_sql
        return self.run(f"{year}, COUNT(*)", where, params, f"GROUP BY {year} ORDER BY 1 DESC")

    def meeting_facets(self):
        from meetings.models import Meeting

        where, params = self.where(with_meeting=False)
        rows = self.run(
            "m.id, COUNT(*)",
            where,
            params,
            "GROUP BY m.id, m.date ORDER BY m.date DESC LIMIT %s",
            (MAX_MEETING_FACETS,),
        )
        meetings = Meeting.objects.in_bulk([pk for pk, _count in rows])
        return [(meetings[pk], count) for pk, count in rows]


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
    if not query.groups:
        results.problem = "only_excluded" if query.excluded else "empty"
        return results
    if not any(query.has_terms(code) for code in languages):
        results.problem = "stop_words"
        return results
    search = _Search(query, language, languages, sort, year, meeting)
    search.total = search.count()
    results.total = search.total
    results.page = Paginator(_HitList(search), PAGE_SIZE).get_page(page)
    if search.total:
        results.years = search.year_facets()
        results.meetings = search.meeting_facets()
    if search.total < SUGGEST_BELOW:
        results.suggestion = suggest(query, language, languages, search.total)
    return results


def suggest(query, language, languages, total):
    """A respelling of the query from the archive's own words, if it finds more."""
    from meetings.models import SearchTerm

    backend = get_backend()
    changed = False

    def respell(term):
        nonlocal changed
        new_words = []
        for word in term.words:
            replacement = None
            if not SearchTerm.objects.is_known(word, language):
                replacement = backend.closest_word(word, language)
            changed = changed or bool(replacement)
            new_words.append(replacement or word)
        return " ".join(new_words) if len(new_words) == 1 else f'"{" ".join(new_words)}"'

    suggestion = " ".join(" OR ".join(respell(term) for term in group) for group in query.groups)
    if not changed:
        return ""
    better = _Search(parse_query(suggestion), language, languages, "relevance", None, None).count()
    return suggestion if better > total else ""
