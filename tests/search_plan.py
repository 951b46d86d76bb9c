"""How many queries a search spends choosing its plan."""

from meetings.search.backends import get_backend


def search_planning_queries(params):
    """One, the coarse sample, read first to choose how to read the candidates; none for a meeting.

    See Search.walk_length and Search.date_bound. With a year, only the walk
    is chosen, which a backend that knows one word's share skips for one word.
    """
    backend = get_backend()
    if not backend.walks_date_index or "meeting" in params:
        return 0
    if "year" in params and backend.knows_word_shares and len(params["q"].split()) < 2:
        return 0
    return 1
