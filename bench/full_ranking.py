"""
The reference the benchmark checks the search page against: every match of a
query scored by ``meetings/search/ranking.py``, with no bound on how many are
read. Its first page is what "the true best matches first" means; its total
and year counts are the exact ones. It takes seconds for a common word at a
million recommendations, which is why the page cannot simply do the same.
"""

from collections import Counter
from unittest import mock

from meetings.search import engine
from meetings.search.query import parse_query

EVERY_MATCH = 10**9


def full_ranking(query_text, language, *, only_page_language=False, sort="relevance", year=None):
    """{"ids": every match, best first, "total": how many, "years": {year: how many}}."""
    parsed = parse_query(query_text, language)
    languages = engine.searched_languages(language, only_page_language)
    if parsed.problem(languages):
        return {"ids": [], "total": 0, "years": {}}
    with mock.patch.object(engine, "CANDIDATES", EVERY_MATCH):
        search = engine.Search(parsed, language, languages, sort, year)
        search.run()
        rows = search.rows
    return {
        "ids": [row[0] for row in rows],
        "total": len(rows),
        "years": dict(Counter(row[2].year for row in rows)),
    }


def exact_counts(query_text, language, *, only_page_language=False, sort="relevance", year=None):
    """{"total": how many, "years": {year: how many}} of every match, counted in SQL, unranked.

    The same counts as ``full_ranking`` for a search that is not relaxed (one
    with many matches), in a second or two where ranking them all in Python
    would take minutes: the measure of the estimated counts of common words.
    """
    parsed = parse_query(query_text, language)
    languages = engine.searched_languages(language, only_page_language)
    if parsed.problem(languages):
        return {"total": 0, "years": {}}
    search = engine.Search(parsed, language, languages, sort, year)
    years = Counter()
    for day, count in search.counted_dates(EVERY_MATCH):
        years[int(str(day)[:4])] += count
    if year:
        years = Counter({year: years[year]} if years[year] else {})
    return {"total": sum(years.values()), "years": dict(years)}
