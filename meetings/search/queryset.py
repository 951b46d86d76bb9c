"""
The search page's matching as a queryset, for what lists its matches at
once: downloads, the API and feeds.

``search_recommendations()`` returns one page of hits. Downloads and the API
need the same hits as a queryset that they can count, slice and stream with
``.iterator()``. This module builds it from the search engine's own
``Search``, so both give the same records in the same order, within the same
bound: the newest ``CANDIDATES`` matches, ranked as on the page; and the same
count of every match (``total``), exact or estimated as on the page.
"""

import json
from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField, IntegerField
from django.db.models.expressions import RawSQL

from meetings.models import Recommendation

from .engine import Search, orm_ordering, searched_languages
from .query import parse_query


def _id_column():
    return f"{connection.ops.quote_name(Recommendation._meta.db_table)}.{connection.ops.quote_name('id')}"


def among(ids):
    """SQL true for a recommendation whose id is in ``ids``: one parameter, where ``pk__in`` makes one per id."""
    if connection.vendor == "postgresql":
        return RawSQL(f"{_id_column()} = ANY(%s::bigint[])", [list(ids)], output_field=BooleanField())
    return RawSQL(
        f"{_id_column()} IN (SELECT value FROM json_each(%s))",
        [json.dumps(list(ids))],
        output_field=BooleanField(),
    )


def place_in(ids):
    """SQL for the place of a recommendation's id in the list ``ids``, one parameter however long the list.

    A ``Case`` of one ``When`` per id cost 40 ms to build and compile for
    the 1,000 ids of "services", and PostgreSQL 21 ms to evaluate.
    """
    column = _id_column()
    if connection.vendor == "postgresql":
        return RawSQL(f"array_position(%s::bigint[], {column})", [list(ids)], output_field=IntegerField())
    # Elsewhere, where the id stands in a list written as text: later in the text, later in the list.
    listed = "," + ",".join(str(pk) for pk in ids) + ","
    return RawSQL(f"instr(%s, ',' || {column} || ',')", [listed], output_field=IntegerField())


@dataclass
class Matches:
    """The published recommendations a search finds, in the order it gives them."""

    queryset: object
    # Why nothing was searched, as in SearchResults: "empty", "only_excluded"
    # or "stop_words"; "" when the search ran (or there was no query).
    problem: str = ""
    # True when more than the CANDIDATES listed match, as on the search page.
    more: bool = False
    # How many match, listed or not, as the search page counts them (an engine Count);
    # None without a query, when the queryset holds every match.
    total: object = None


def matching_recommendations(
    query_text, language, *, only_page_language=False, sort="relevance", year=None, meeting=None
):
    """
    The published recommendations matching ``query_text``, filtered by
    ``year`` and ``meeting``, with the theme, meeting and subjects fetched alongside.

    Without a query, every published recommendation matches, newest meeting
    first ("relevance" means nothing then).
    """
    queryset = (
        Recommendation.objects.published().select_related("theme__meeting").prefetch_related("subjects")
    )
    if year:
        queryset = queryset.filter(theme__meeting__date__year=year)
    if meeting:
        queryset = queryset.filter(theme__meeting_id=meeting)
    if not query_text:
        return Matches(queryset.order_by(*orm_ordering("oldest" if sort == "oldest" else "newest")))

    parsed = parse_query(query_text, language)
    languages = searched_languages(language, only_page_language)
    problem = parsed.problem(languages)
    if problem:
        return Matches(queryset.none(), problem)

    search = Search(parsed, language, languages, sort, year, meeting)
    search.run()
    ids = search.ranked_ids()
    queryset = queryset.filter(among(ids))
    if sort == "relevance":
        # The page's own ranking: the order is the list of ids.
        return Matches(
            queryset.annotate(search_rank=place_in(ids)).order_by("search_rank", "pk"),
            more=search.more,
            total=search.total,
        )
    return Matches(queryset.order_by(*orm_ordering(sort)), more=search.more, total=search.total)
