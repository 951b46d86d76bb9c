"""
The CPU time of ranking.py alone: the evidence of every document that the
searches of both mixes judge, computed again and again from texts already
read, on a loaded database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db with a generated corpus> \\
        .venv/bin/python bench/ranking_evidence.py [--root <another checkout>]

``--root`` runs another checkout's code on the same documents (their texts
are read by that code, once, then left out of the timing): run it for both and
compare. Each prints the median of ``--runs`` passes and a digest of the
evidence, which must be the same for both when the ranking is meant to be.
Not part of the test suite.
"""

import argparse
import hashlib
import statistics
import time
from pathlib import Path

from figures import read_queries, setup_django

BENCH_DIR = Path(__file__).resolve().parent
MIXES = [BENCH_DIR / "mixes" / "tuning.tsv", BENCH_DIR / "mixes" / "check.tsv"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=BENCH_DIR.parent, help="the checkout whose code runs")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    setup_django(args.root.resolve())
    from meetings.search import engine
    from meetings.search.ranking import evidence

    judged = []
    read_documents = engine.Search.documents

    def documents(search, ids):
        found = read_documents(search, ids)
        judged.append((search, found))
        return found

    engine.Search.documents = documents
    for mix in MIXES:
        for row in read_queries(mix):
            options = row["options"]
            engine.search_recommendations(
                row["q"],
                row["language"],
                only_page_language=options.get("lang") == "page",
                sort=options.get("sort", "relevance"),
                year=int(options["year"]) if "year" in options else None,
            )

    def every_evidence():
        return [
            evidence(search.query, document, search.language, search.languages)
            for search, found in judged
            for document in found.values()
        ]

    found = every_evidence()
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        every_evidence()
        times.append(time.perf_counter() - start)
    digest = hashlib.sha256(
        repr([(e.clauses, e.adjacent_pairs, e.in_page_language) for e in found]).encode()
    ).hexdigest()[:16]
    print(
        f"{args.root}: {len(found):,} documents of {len(judged)} searches, "
        f"median of {args.runs} passes {statistics.median(times) * 1000:.1f} ms, evidence digest {digest}"
    )


if __name__ == "__main__":
    main()
