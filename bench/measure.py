"""
Measure one loaded database, inside Django: search pages end to end, the
search without HTTP, its SQL, the naive ``icontains`` baseline, and the
browsing pages with their query counts. Prints one JSON document.

The search reads at most CANDIDATES matches (meetings/search/engine.py); its
statements are timed by what they are for: "candidates" (the newest matches,
also run again for a facet when a year or meeting filter is on, and to check a
suggestion), "highlight", "suggestion" (the vocabulary) and "other" (rows of
the page, meetings of the facets).

It is run by ``bench/run.py``, once per database, with DATABASE_URL and the
other settings in the environment; it never writes to the database.
"""

import argparse
import json
import os
import statistics
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ccs_archive.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import translation  # noqa: E402
from figures import percentile, read_queries  # noqa: E402

from meetings.models import Meeting, Recommendation  # noqa: E402
from meetings.search.engine import search_recommendations  # noqa: E402
from meetings.search.query import parse_query  # noqa: E402

QUERIES_FILE = BENCH_DIR / "queries.tsv"


def summary(values):
    return {
        "n": len(values),
        "p50": percentile(values, 0.50),
        "p95": percentile(values, 0.95),
        "p99": percentile(values, 0.99),
        "max": max(values),
        "mean": statistics.fmean(values),
    }


class SqlTimer:
    """Time every statement on the connection, by what it is for."""

    def __init__(self):
        self.total = 0.0
        self.count = 0
        self.by_kind = {}

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - start
            self.total += elapsed
            self.count += 1
            kind = classify(sql)
            self.by_kind[kind] = self.by_kind.get(kind, 0.0) + elapsed


def classify(sql):
    head = sql[:400]
    if head.startswith("SELECT h.id, h.rank, m.id, m.date FROM ("):
        return "candidates"
    if "ts_headline" in head:
        return "highlight"
    if "meetings_searchterm" in head:
        return "suggestion"
    return "other"


@contextmanager
def timed_sql():
    timer = SqlTimer()
    with connection.execute_wrapper(timer):
        yield timer


def resolve(options, latest_meeting):
    resolved = dict(options)
    if resolved.get("meeting") == "latest":
        resolved["meeting"] = str(latest_meeting)
    return resolved


def search_url(query, latest_meeting):
    with translation.override(query["language"]):
        path = reverse("meetings:search")
    return f"{path}?{urlencode({'q': query['q'], **resolve(query['options'], latest_meeting)})}"


def engine_options(options):
    return {
        "only_page_language": options.get("lang") == "page",
        "sort": options.get("sort", "relevance"),
        "year": int(options["year"]) if "year" in options else None,
        "meeting": int(options["meeting"]) if "meeting" in options else None,
    }


def naive_search(query, options):
    """What a quick implementation would do: icontains on each word, no stemming, no accents folding."""
    language = query["language"]
    parsed = parse_query(query["q"], language)
    queryset = Recommendation.objects.filter(theme__meeting__is_published=True)
    for clause in parsed.clauses:
        # A clause matches when all the terms of one of its alternatives do.
        condition = None
        for alternative in clause.terms:
            every_term = None
            for term in alternative:
                contains = _contains(language, " ".join(term.words), options)
                every_term = contains if every_term is None else every_term & contains
            condition = every_term if condition is None else condition | every_term
        queryset = queryset.filter(condition)
    for term in parsed.excluded:
        queryset = queryset.exclude(**{f"text_{language}__icontains": " ".join(term.words)})
    if options.get("year"):
        queryset = queryset.filter(theme__meeting__date__year=options["year"])
    if options.get("meeting"):
        queryset = queryset.filter(theme__meeting_id=options["meeting"])
    total = queryset.count()
    page = list(queryset.select_related("theme__meeting").order_by("-theme__meeting__date", "position")[:20])
    return total, page


def _contains(language, text, options):
    from django.db.models import Q

    clause = Q(**{f"text_{language}__icontains": text})
    if not options.get("only_page_language"):
        other = "en" if language == "fr" else "fr"
        clause |= Q(**{f"text_{other}__icontains": text})
    return clause


def measure_search(client, queries, latest_meeting, passes, engine_passes, warm_up):
    rows = []
    if not warm_up:
        # Still, one pass of the heaviest queries reads the tables into memory.
        for query in queries[:3]:
            client.get(search_url(query, latest_meeting))
    for query in queries:
        url = search_url(query, latest_meeting)
        first_ms = None
        if warm_up:
            # Untimed for the percentiles, but kept: the first request of a query, its pages perhaps not cached.
            start = time.perf_counter()
            response = client.get(url)
            first_ms = (time.perf_counter() - start) * 1000
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
        row = {
            **query,
            "url": url,
            "page_ms": [],
            "sql_ms": [],
            "queries": 0,
            "sql_by_kind": {},
            "engine_ms": [],
            "first_ms": first_ms,
        }
        for index in range(passes):
            with timed_sql() as timer:
                start = time.perf_counter()
                response = client.get(url)
                row["page_ms"].append((time.perf_counter() - start) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
            row["sql_ms"].append(timer.total * 1000)
            row["queries"] = timer.count
            for kind, seconds in timer.by_kind.items():
                row["sql_by_kind"][kind] = row["sql_by_kind"].get(kind, 0) + seconds * 1000 / passes
            if index >= engine_passes:
                continue
            options = engine_options(resolve(query["options"], latest_meeting))
            with translation.override(query["language"]):
                start = time.perf_counter()
                results = search_recommendations(query["q"], query["language"], **options)
                if results.page is not None:
                    list(results.page.object_list)
                row["engine_ms"].append((time.perf_counter() - start) * 1000)
                row["total"] = results.total
                row["more"] = results.more
                row["suggestion"] = results.suggestion
        rows.append(row)
    return rows


def measure_naive(queries, latest_meeting):
    rows = []
    naive_search(queries[0], {})  # one full scan first, so the table is in memory
    for query in queries:
        options = engine_options(resolve(query["options"], latest_meeting))
        start = time.perf_counter()
        total, _page = naive_search(query, options)
        rows.append(
            {"q": query["q"], "language": query["language"], "naive_ms": (time.perf_counter() - start) * 1000}
        )
        rows[-1]["naive_total"] = total
    return rows


def measure_pages(client, passes, sample):
    published = Meeting.objects.published()
    latest = published.order_by("-date", "-pk").first()
    year = latest.date.year - 5
    meetings = list(published.order_by("?")[:sample]) if sample else []
    meetings = [latest, *meetings]
    pages = {}
    for language in ("fr", "en"):
        with translation.override(language):
            pages.setdefault("listing", []).append(reverse("meetings:index"))
            pages.setdefault("year", []).append(reverse("meetings:year", kwargs={"year": year}))
            pages.setdefault("meeting", []).extend(m.get_absolute_url(language) for m in meetings)
    results = {}
    for name, urls in pages.items():
        times, counts = [], set()
        for url in urls:
            if client.get(url).status_code != 200:  # warm-up
                raise SystemExit(f"{url} did not answer 200")
            for _pass in range(passes):
                with CaptureQueriesContext(connection) as captured:
                    start = time.perf_counter()
                    client.get(url)
                    times.append((time.perf_counter() - start) * 1000)
                counts.add(len(captured))
        results[name] = {**summary(times), "queries": sorted(counts), "example": urls[0], "urls": urls}
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--passes", type=int, default=3, help="timed passes over the query set")
    parser.add_argument("--page-passes", type=int, default=10)
    parser.add_argument("--meetings", type=int, default=20, help="random meeting pages measured")
    parser.add_argument(
        "--engine-passes", type=int, default=1, help="passes timing search_recommendations() alone"
    )
    parser.add_argument("--no-warm-up", action="store_true", help="no untimed request before each query")
    parser.add_argument("--no-naive", action="store_true")
    arguments = parser.parse_args()

    queries = read_queries(QUERIES_FILE)
    latest_meeting = Meeting.objects.published().order_by("-date", "-pk").values_list("pk", flat=True).first()
    client = Client()
    search_rows = measure_search(
        client, queries, latest_meeting, arguments.passes, arguments.engine_passes, not arguments.no_warm_up
    )
    naive_rows = [] if arguments.no_naive else measure_naive(queries, latest_meeting)
    for row, naive in zip(search_rows, naive_rows, strict=False):
        row.update(naive)
    pages = measure_pages(client, arguments.page_passes, arguments.meetings)
    counts = {
        "recommendations": Recommendation.objects.count(),
        "meetings": Meeting.objects.count(),
    }
    json.dump({"counts": counts, "search": search_rows, "pages": pages}, sys.stdout)


if __name__ == "__main__":
    main()
