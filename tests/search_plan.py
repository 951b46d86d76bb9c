"""How many queries a search spends choosing its plan, which differs by database."""

from meetings.search.backends import get_backend


def search_planning_queries(params):
    """One on PostgreSQL without a year or meeting: the coarse sample, read first to bound the candidates by date.

    See Search.date_bound; a year or a meeting bounds them already.
    """
    filtered = "year" in params or "meeting" in params
    return 1 if get_backend().walks_date_index and not filtered else 0
