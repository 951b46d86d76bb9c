"""
PostgreSQL's plans for the statements of search pages: requests each page
once through ``django.test.Client``, keeps every statement it ran with its
parameters, then prints ``EXPLAIN (ANALYZE, BUFFERS)`` of those that took at
least ``--min-ms`` (the slowest of each page at least).

``bench/run.py`` runs it on the slowest queries of the largest PostgreSQL
database it measures; by hand, with the settings of bench/run.py's
``django_env()`` and DATABASE_URL in the environment:

    .venv/bin/python bench/explain.py 'fr	services -numériques' 'en	"service delivery"	sort=newest'

Each argument is a line of bench/queries.tsv without its kind: language, query, options.
It never writes to the database.
"""

import argparse
import os
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH_DIR.parent), str(BENCH_DIR)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ccs_archive.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from figures import read_queries  # noqa: E402
from measure import QUERIES_FILE, classify, search_url  # noqa: E402

from meetings.models import Meeting  # noqa: E402


class Recorder:
    def __init__(self):
        self.statements = []

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.statements.append((sql, params, (time.perf_counter() - start) * 1000))


def explain(query, latest_meeting, client, min_ms):
    url = search_url(query, latest_meeting)
    client.get(url)  # as measured: warm
    recorder = Recorder()
    with connection.execute_wrapper(recorder):
        start = time.perf_counter()
        client.get(url)
        page_ms = (time.perf_counter() - start) * 1000
    print(f"\n{'=' * 100}\n{url}\npage {page_ms:.1f} ms, {len(recorder.statements)} statements")
    slowest = max(recorder.statements, key=lambda statement: statement[2])
    for sql, params, elapsed in recorder.statements:
        if elapsed < min_ms and (sql, params, elapsed) != slowest:
            continue
        print(f"\n--- {classify(sql)}: {elapsed:.1f} ms\n{sql}\n{params}\n")
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            print("\n".join(row[0] for row in cursor.fetchall()))


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("queries", nargs="+", help="language<TAB>query[<TAB>options]")
    parser.add_argument("--min-ms", type=float, default=10.0)
    arguments = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("EXPLAIN ANALYZE of PostgreSQL only")
    known = {(q["language"], q["q"]): q for q in read_queries(QUERIES_FILE)}
    latest_meeting = Meeting.objects.published().order_by("-date", "-pk").values_list("pk", flat=True).first()
    client = Client()
    for line in arguments.queries:
        language, q, *rest = line.split("\t")
        options = dict(item.split("=", 1) for item in (rest[0].split() if rest else []))
        query = {"kind": known.get((language, q), {}).get("kind", "?"), "language": language, "q": q}
        explain({**query, "options": options}, latest_meeting, client, arguments.min_ms)


if __name__ == "__main__":
    main()
