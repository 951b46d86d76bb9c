"""
The garbage collector's pauses during search pages: each page of a mix
requested ``--runs`` times through ``django.test.Client``, in one process as a
gunicorn worker serves them, with the time each collection took.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db with a generated corpus> \\
        .venv/bin/python bench/gc_pauses.py [--root <another checkout>] [--freeze]

``--freeze`` does what the production gunicorn configuration does once a
worker has loaded Django (``post_worker_init``): ``gc.freeze()``. It prints,
for each query, the median page and the median and longest time spent
collecting during one page; then the longest full (generation 2) collection,
and how many objects the collector still tracks at the end. Not part of the
test suite.
"""

import argparse
import gc
import statistics
import time
from pathlib import Path

from figures import read_queries, setup_django

BENCH_DIR = Path(__file__).resolve().parent


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=BENCH_DIR.parent, help="the checkout whose code runs")
    parser.add_argument("--mix", default="tuning")
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--freeze", action="store_true", help="gc.freeze() once Django is loaded")
    args = parser.parse_args()
    setup_django(args.root.resolve())
    from django.test import Client
    from django.urls import reverse
    from django.utils import translation

    started, spent, full = [0.0], [0.0], []

    def timed(phase, info):
        if phase == "start":
            started[0] = time.perf_counter()
            return
        took = (time.perf_counter() - started[0]) * 1000
        spent[0] += took
        if info["generation"] == 2:
            full.append(took)

    gc.callbacks.append(timed)
    if args.freeze:
        gc.freeze()
    client = Client()
    pages = []
    for query in read_queries(BENCH_DIR / "mixes" / f"{args.mix}.tsv"):
        with translation.override(query["language"]):
            path = reverse("meetings:search")
        times, collecting = [], []
        for _run in range(args.runs):
            spent[0] = 0.0
            start = time.perf_counter()
            response = client.get(path, {"q": query["q"], **query["options"]})
            times.append((time.perf_counter() - start) * 1000)
            collecting.append(spent[0])
            if response.status_code != 200:
                raise SystemExit(f"{path} {query['q']!r} answered {response.status_code}")
        pages.append(statistics.median(times))
        print(
            f"{query['language']} {query['q']!r:32} page {statistics.median(times):6.1f} ms, collecting "
            f"{statistics.median(collecting):4.1f} ms (longest {max(collecting):5.1f})"
        )
    print(
        f"pages p50 {statistics.median(pages):.1f} ms; full collections: {len(full)}, "
        f"longest {max(full, default=0):.1f} ms; objects tracked at the end: {len(gc.get_objects()):,}"
    )


if __name__ == "__main__":
    main()
