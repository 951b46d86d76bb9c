"""
The bounded search proposed for ``meetings/search/engine.py``, as a prototype
to measure against the current one. Not used by the site.

Instead of counting, ranking and faceting every match (hundreds of
thousands of rows for "services" in a million recommendations), it takes
the CAP newest matching published recommendations in one query, which
PostgreSQL answers by walking the meetings newest first and stopping early
when the term is common, or from the GIN index when it is rare. It then
counts, ranks and facets within those, and says "more than CAP" when the cap
is reached.
"""

from collections import Counter

from django.db import connection

from meetings.models import Meeting, Recommendation, SearchTerm
from meetings.search.backends import get_backend
from meetings.search.engine import MAX_MEETING_FACETS, PAGE_SIZE, SUGGEST_BELOW, render_highlight
from meetings.search.query import parse_query

CAP = 1000


def candidates(query, languages, year=None, meeting=None, limit=CAP + 1, oldest_first=False):
    """[(id, rank, meeting id, date)] of the ``limit`` newest (or oldest) matches."""
    backend = get_backend()
    hits_sql, hits_params = backend.hits(query, languages)
    where, params = ["m.is_published = %s"], [True]
    if year:
        where.append("m.date >= %s AND m.date < %s")
        params += [f"{year}-01-01", f"{year + 1}-01-01"]
    if meeting:
        where.append("m.id = %s")
        params.append(meeting)
    direction = "ASC" if oldest_first else "DESC"
    sql = (
        f"SELECT h.id, h.rank, m.id, m.date FROM ({hits_sql}) h "
        "JOIN meetings_recommendation r ON r.id = h.id "
        "JOIN meetings_theme t ON t.id = r.theme_id "
        "JOIN meetings_meeting m ON m.id = t.meeting_id "
        f"WHERE {' AND '.join(where)} "
        f"ORDER BY m.date {direction}, m.id {direction}, t.position, r.position LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*hits_params, *params, limit])
        return cursor.fetchall()


def bounded_search(query_text, language, all_languages=False, sort="relevance", year=None, meeting=None):
    """What the results page needs: (total, more_than_cap, hits, years, meetings, suggestion)."""
    query = parse_query(query_text)
    languages = ("fr", "en") if all_languages else (language,)
    if not query.groups or not any(query.has_terms(code) for code in languages):
        return 0, False, [], [], [], ""
    rows = candidates(query, languages, year, meeting, oldest_first=sort == "oldest")
    more = len(rows) > CAP
    rows = rows[:CAP]
    if sort == "relevance":
        # Python's sort is stable: equal ranks keep the newest-first order.
        rows = sorted(rows, key=lambda row: -row[1])
    page = rows[:PAGE_SIZE]
    ids = [row[0] for row in page]
    objects = Recommendation.objects.select_related("theme__meeting").in_bulk(ids)
    highlights = get_backend().highlight(ids, query, language)
    hits = [(objects[pk], render_highlight(highlights[pk])) for pk in ids]
    year_rows = candidates(query, languages, None, meeting) if year else rows
    years = sorted(Counter(row[3].year for row in year_rows).items(), reverse=True)
    meeting_rows = candidates(query, languages, year, None) if meeting else rows
    by_meeting = Counter(row[2] for row in meeting_rows)
    newest = sorted({(row[3], row[2]) for row in meeting_rows}, reverse=True)[:MAX_MEETING_FACETS]
    found = Meeting.objects.in_bulk([pk for _date, pk in newest])
    meetings = [(found[pk], by_meeting[pk]) for _date, pk in newest]
    suggestion = suggest(query, language, languages, len(rows)) if len(rows) < SUGGEST_BELOW else ""
    return len(rows), more, hits, years, meetings, suggestion


def suggest(query, language, languages, total):
    backend = get_backend()
    changed = False
    groups = []
    for group in query.groups:
        alternatives = []
        for term in group:
            respelt = []
            for word in term.words:
                replacement = None
                if not SearchTerm.objects.is_known(word, language):
                    replacement = backend.closest_word(word, language)
                changed = changed or bool(replacement)
                respelt.append(replacement or word)
            alternatives.append(respelt[0] if len(respelt) == 1 else f'"{" ".join(respelt)}"')
        groups.append(" OR ".join(alternatives))
    suggestion = " ".join(groups)
    if not changed:
        return ""
    # Better means more hits: no need to count past total + 1.
    better = len(candidates(parse_query(suggestion), languages, limit=total + 1))
    return suggestion if better > total else ""
