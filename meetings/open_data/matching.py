"""
The search page's matching as a queryset, for what lists every match at
once: downloads, the API and feeds.

``search_recommendations()`` returns one page of hits. Downloads and the API
need the same hits as a queryset that they can count, slice and stream with
``.iterator()``. This module builds it from the search engine's own pieces:
``parse_query()``, the backend's ``hits`` subquery and the engine's
``orm_ordering()``, so both give the same records in the same order.
"""

from dataclasses import dataclass

from django.db import connection
from django.db.models.expressions import RawSQL

from meetings.models import Recommendation
from meetings.search.backends import get_backend
from meetings.search.engine import CANDIDATES, orm_ordering
from meetings.search.query import parse_query


@dataclass
class Matches:
    """The published recommendations a search finds, in the order it gives them."""

    queryset: object
    # Why nothing was searched, as in SearchResults: "empty", "only_excluded"
    # or "stop_words"; "" when the search ran (or there was no query).
    problem: str = ""
    # True when more than the CANDIDATES listed match, as on the search page.
    more: bool = False


def matching_recommendations(
    query_text, language, *, all_languages=False, sort="relevance", year=None, meeting=None
):
    """
    The published recommendations matching ``query_text``, filtered by
    ``year`` and ``meeting``, with the theme and meeting fetched alongside.

    Without a query, every published recommendation matches, newest meeting
    first ("relevance" means nothing then). With one, only the newest
    CANDIDATES matches (the oldest with "oldest"), as on the search page:
    ranking every match of a common word takes seconds.
    """
    queryset = Recommendation.objects.published().select_related("theme__meeting")
    if year:
        queryset = queryset.filter(theme__meeting__date__year=year)
    if meeting:
        queryset = queryset.filter(theme__meeting_id=meeting)
    if not query_text:
        return Matches(queryset.order_by(*orm_ordering("oldest" if sort == "oldest" else "newest")))

    query = parse_query(query_text)
    languages = ("fr", "en") if all_languages else (language,)
    problem = query.problem(languages)
    if problem:
        return Matches(queryset.none(), problem)

    hits_sql, hits_params = get_backend().hits(query, languages)
    matching = queryset.filter(pk__in=RawSQL(f"SELECT h.id FROM ({hits_sql}) h", hits_params))
    newest = matching.order_by(*orm_ordering("oldest" if sort == "oldest" else "newest"))
    candidates = list(newest.values_list("pk", flat=True)[: CANDIDATES + 1])
    queryset = queryset.filter(pk__in=candidates[:CANDIDATES])
    if sort == "relevance":
        # The rank of each row, read from the same subquery the search page
        # orders by. Only the rows being listed are ranked.
        table = connection.ops.quote_name(Recommendation._meta.db_table)
        rank = RawSQL(f"SELECT h.rank FROM ({hits_sql}) h WHERE h.id = {table}.id", hits_params)
        queryset = queryset.annotate(search_rank=rank)
    return Matches(queryset.order_by(*orm_ordering(sort)), more=len(candidates) > CANDIDATES)
