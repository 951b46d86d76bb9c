"""How many queries a search spends choosing its plan."""

from meetings.search.backends import get_backend


def search_planning_queries(params):
    """One without a year or meeting: the coarse sample, read first to choose how to read the candidates.

    See Search.walk_length and Search.date_bound; a year or a meeting bounds them already.
    """
    filtered = "year" in params or "meeting" in params
    return 1 if get_backend().walks_date_index and not filtered else 0
