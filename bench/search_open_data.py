"""
The search's other outputs on a loaded database: the API's first page, the CSV
export and the Atom feed of each query of the benchmark's mixes
(``bench/mixes/``), in the process (``django.test.Client``), with DEBUG off and
no rate limits.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db with a generated corpus> \\
        .venv/bin/python bench/search_open_data.py --baseline-root /path/to/other/checkout

Each checkout is measured in a process of its own, in turn, ``--rounds`` times,
so that both see the same machine; a query's figure is the median of its runs
(after one warm-up), and a round's p50 and max are over the mix's queries. It
prints a Markdown table of the medians of the rounds. Not part of the test suite.
"""

import argparse
import json
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

from figures import setup_django

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
OUTPUTS = ("api", "csv", "feed")


def measure(root, mix, runs):
    """{output: [median ms of each query]}, in this process, with the code of ``root``."""
    setup_django(root)
    from django.test import Client
    from django.urls import reverse
    from django.utils import translation

    client = Client()
    figures = {output: [] for output in OUTPUTS}
    for line in (BENCH_DIR / "mixes" / f"{mix}.tsv").read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        _kind, language, query, *rest = line.split("\t")
        params = {"q": query, **dict(item.split("=") for item in (rest[0].split() if rest else []))}
        with translation.override(language):
            paths = {
                "api": reverse("api:recommendations"),
                "csv": reverse("meetings:export_csv"),
                "feed": reverse("meetings:search_feed"),
            }
        for output, path in paths.items():
            times = []
            for run in range(runs + 1):
                start = time.perf_counter()
                response = client.get(f"{path}?{urllib.parse.urlencode(params)}")
                b"".join(response.streaming_content) if response.streaming else response.content
                if response.status_code != 200:
                    raise SystemExit(f"{path} {params} answered {response.status_code}")
                if run:
                    times.append((time.perf_counter() - start) * 1000)
            figures[output].append(statistics.median(times))
    return figures


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--baseline-root", type=Path, help="another checkout, measured in turn with this one")
    parser.add_argument("--mixes", default="tuning,check")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--child", nargs=2, metavar=("ROOT", "MIX"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(Path(args.child[0]), args.child[1], args.runs)))
        return
    roots = {"this checkout": ROOT}
    if args.baseline_root:
        roots = {"baseline": args.baseline_root.resolve(), **roots}
    rounds = {(name, mix): [] for name in roots for mix in args.mixes.split(",")}
    for _round in range(args.rounds):
        for mix in args.mixes.split(","):
            for name, root in roots.items():
                child = [sys.executable, __file__, "--runs", str(args.runs), "--child", str(root), mix]
                output = subprocess.run(child, check=True, capture_output=True, text=True).stdout
                rounds[name, mix].append(json.loads(output.strip().splitlines()[-1]))
    print(f"Command: `{' '.join(['bench/search_open_data.py', *sys.argv[1:]])}`")
    print()
    print("| checkout | mix | " + " | ".join(f"{output} p50 | {output} max" for output in OUTPUTS) + " |")
    print("| --- | --- | " + " | ".join("---: | ---:" for _output in OUTPUTS) + " |")
    for (name, mix), measured in rounds.items():
        cells = []
        for output in OUTPUTS:
            p50 = statistics.median(statistics.median(figures[output]) for figures in measured)
            worst = statistics.median(max(figures[output]) for figures in measured)
            cells += [f"{p50:.1f}", f"{worst:.1f}"]
        print(f"| {name} | {mix} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
