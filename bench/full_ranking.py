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
