"""
The samples that estimate a search's year counts, read grouped by meeting date
and grouped by year, in turn, on a loaded database (``Search.sampled_dates``).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db with a generated corpus> \\
        .venv/bin/python bench/year_samples.py

For each query and sample below, both ways are read ``--runs`` times, one
after the other, and their medians printed; the two must give the same years.
Not part of the test suite.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

from figures import setup_django

ROOT = Path(__file__).resolve().parent.parent
# (language, query, every): the common words of the tuning mix, at the samples
# their year counts read (the middle one, every 64th id, and the fine one).
READS = [
    ("en", "data", 64),
    ("fr", "services", 64),
    ("fr", "services", 32),
    ("en", "technology", 32),
    ("fr", "clients", 32),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    setup_django(ROOT)
    from meetings.search.engine import Search, _by_year, searched_languages
    from meetings.search.query import parse_query

    print("| query | every | by date (ms) | by year (ms) | sampled matches |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for language, text, every in READS:
        search = Search(parse_query(text, language), language, searched_languages(language))
        by_date, by_year = [], []
        for _ in range(args.runs):
            start = time.perf_counter()
            dated = _by_year(search.sampled_dates(every))
            by_date.append(time.perf_counter() - start)
            start = time.perf_counter()
            yearly = _by_year(search.sampled_dates(every, by_year=True))
            by_year.append(time.perf_counter() - start)
            if dated != yearly:
                sys.exit(f"{text!r}, every {every}: the two ways disagree: {dated} and {yearly}")
        print(
            f"| {text} | {every} | {statistics.median(by_date) * 1000:.1f} | "
            f"{statistics.median(by_year) * 1000:.1f} | {sum(dated.values()):,} |"
        )


if __name__ == "__main__":
    main()
