"""
Search at scale, against one loaded database: the tuning mix and the held-out
check mix (``bench/mixes/``), each query measured

- end to end over HTTP: gunicorn with the production configuration
  (``ccs_archive/gunicorn.conf.py``, DEBUG off) on 127.0.0.1, one request at a
  time, the full results page;
- in the process: ``search_recommendations()`` alone (the engine);
- with ``--tantivy``: the tantivy peer (``bench/tantivy_peer.py``) on the same
  published recommendations, read from the same database: exact count, exact
  year facets and BM25 over every match;

and checked, with ``--agreement``, against an exhaustive ranking: every match
scored by ``ranking.py`` (no bound on the candidates), its first page, its
exact total and its exact year counts, against what the page shows.

Each query is requested once (warm-up), then ``--runs`` times; a query's
figure is the median of its runs, and a mix's p50/p95/max are over its queries.
It prints a JSON document, writes it to /tmp, and with ``--append`` adds a
section to ``bench/RESULTS.md``. Not part of the test suite. See bench/README.md.
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from contextlib import ExitStack, contextmanager
from pathlib import Path

from figures import percentile, read_queries

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
VENV_BIN = Path(sys.executable).parent
MIXES = {"tuning": BENCH_DIR / "mixes" / "tuning.tsv", "check": BENCH_DIR / "mixes" / "check.tsv"}
RESULTS = BENCH_DIR / "RESULTS.md"
PAGE_SIZE = 20


def production_env(database_url, port):
    """DEBUG off, the production gunicorn configuration, no HTTPS (nothing terminates TLS here), no rate limits."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DEBUG="0",
        SECRET_KEY="benchmark-only-key-never-used-elsewhere",
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        SECURE_SSL_REDIRECT="0",
        SECURE_COOKIES="0",
        SECURE_HSTS_SECONDS="0",
        LOG_LEVEL="WARNING",
        RATE_LIMIT_SEARCH="",
        RATE_LIMIT_API="",
        BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="2",
    )
    env.pop("REDIS_URL", None)
    return env


def summary(values):
    if not values:
        return None
    return {"p50": percentile(values, 0.5), "p95": percentile(values, 0.95), "max": max(values)}


def timed(function, runs):
    """The median milliseconds of ``runs`` calls, after one untimed call; and the last result."""
    result = function()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


@contextmanager
def gunicorn(env, log_path, root=ROOT):
    command = [
        str(VENV_BIN / "gunicorn"),
        "-c",
        str(root / "ccs_archive" / "gunicorn.conf.py"),
        "ccs_archive.wsgi",
    ]
    with open(log_path, "w") as output:
        server = subprocess.Popen(command, cwd=root, env=env, stdout=output, stderr=output)
    try:
        base = f"http://{env['BIND']}"
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/fr/", timeout=10).read()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError(f"gunicorn did not start; see {log_path}") from None
                time.sleep(0.3)
        time.sleep(2)  # every worker booted
        yield base
    finally:
        server.terminate()
        server.wait(timeout=60)


def engine_options(options):
    return {
        "only_page_language": options.get("lang") == "page",
        "sort": options.get("sort", "relevance"),
        "year": int(options["year"]) if "year" in options else None,
    }


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--label", required=True, help='e.g. "PostgreSQL 1,000,000"')
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--port", type=int, default=18101)
    parser.add_argument("--mixes", default="tuning,check")
    parser.add_argument("--no-http", action="store_true", help="skip the HTTP measurement")
    parser.add_argument(
        "--baseline-root",
        type=Path,
        help="another checkout of the project (e.g. a git worktree of the main branch) served beside "
        "this one on --port + 1, its requests interleaved with this one's, for a side-by-side figure",
    )
    parser.add_argument(
        "--baseline-database-url",
        help="with --baseline-root: the database the baseline serves (by default --database-url), "
        "for a change that is in the database as well as in the code",
    )
    parser.add_argument("--tantivy", action="store_true", help="measure the tantivy peer too")
    parser.add_argument("--agreement", action="store_true", help="check against the exhaustive ranking")
    parser.add_argument(
        "--reference",
        type=Path,
        help="with --agreement: take the exhaustive ranking from this earlier raw JSON of the same database",
    )
    parser.add_argument(
        "--agreement-max",
        type=int,
        default=0,
        help="with --agreement: only count (in SQL), not rank, the queries with more matches than this (0: rank all)",
    )
    parser.add_argument("--append", action="store_true", help=f"append a section to {RESULTS.name}")
    parser.add_argument(
        "--note", default="", help="a line for the RESULTS.md section (e.g. the commit measured)"
    )
    args = parser.parse_args()

    env = production_env(args.database_url, args.port)
    os.environ.update({key: value for key, value in env.items() if key not in ("BIND", "WEB_CONCURRENCY")})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ccs_archive.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.urls import reverse
    from django.utils import translation

    from meetings.search.engine import search_recommendations

    mixes = {name: read_queries(MIXES[name]) for name in args.mixes.split(",")}
    report = {
        "label": args.label,
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "runs": args.runs,
        "load_before": os.getloadavg(),
        "note": args.note,
        "mixes": {},
    }
    rows = {name: [{**query} for query in queries] for name, queries in mixes.items()}

    # 1. End to end over HTTP.
    if not args.no_http:
        roots = {"http_ms": ROOT}
        if args.baseline_root:
            roots["baseline_http_ms"] = args.baseline_root.resolve()
            described = subprocess.run(
                ["git", "log", "-1", "--format=%h %s"],
                cwd=roots["baseline_http_ms"],
                capture_output=True,
                text=True,
            ).stdout.strip()
            report["baseline"] = f"`{roots['baseline_http_ms']}` at {described}"
            if args.baseline_database_url:
                report["baseline"] += ", on a database of its own"
        with ExitStack() as stack:
            bases = {}
            for index, (key, root) in enumerate(roots.items()):
                subprocess.run(
                    [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
                    cwd=root,
                    env=env,
                    check=True,
                )
                server_env = dict(env, BIND=f"127.0.0.1:{args.port + index}")
                if key == "baseline_http_ms" and args.baseline_database_url:
                    server_env["DATABASE_URL"] = args.baseline_database_url
                log_path = Path(tempfile.gettempdir()) / f"wt18_search_scale_{args.port + index}.log"
                bases[key] = stack.enter_context(gunicorn(server_env, log_path, root))
            for queries in rows.values():
                for row in queries:
                    with translation.override(row["language"]):
                        path = reverse("meetings:search")
                    query = f"{path}?{urllib.parse.urlencode({'q': row['q'], **row['options']})}"
                    times = {key: [] for key in bases}
                    for run in range(args.runs + 1):
                        # In turn, so that both servers see the same load; the first run warms up.
                        for key, base in bases.items():
                            start = time.perf_counter()
                            with urllib.request.urlopen(base + query, timeout=120) as response:
                                response.read()
                                if response.status != 200:
                                    raise SystemExit(f"{base + query} answered {response.status}")
                            if run:
                                times[key].append((time.perf_counter() - start) * 1000)
                    for key, values in times.items():
                        row[key] = statistics.median(values)
        report["load_after_http"] = os.getloadavg()

    # 2. The engine alone, in this process.
    for queries in rows.values():
        for row in queries:
            options = engine_options(row["options"])
            row["engine_ms"], results = timed(
                lambda row=row, options=options: search_recommendations(row["q"], row["language"], **options),
                args.runs,
            )
            row["page_ids"] = [hit.recommendation.pk for hit in results.page] if results.page else []
            row["total"], row["more"] = results.total, results.more
            row["estimated"] = getattr(results, "estimated", False)
            row["years"] = {str(year): count for year, count in results.years}

    # 3. The exhaustive ranking: every match scored, no bound.
    if args.agreement:
        from full_ranking import exact_counts, full_ranking

        reference = {}
        if args.reference:
            earlier = json.loads(args.reference.read_text())
            reference = {
                (name, row["language"], row["q"], json.dumps(row["options"], sort_keys=True)): row
                for name, mix in earlier["mixes"].items()
                for row in mix["queries"]
            }
            report["reference"] = str(args.reference)
        for name, queries in rows.items():
            for row in queries:
                known = reference.get(
                    (name, row["language"], row["q"], json.dumps(row["options"], sort_keys=True))
                )
                if not known and args.agreement_max and row["total"] > args.agreement_max:
                    # Too many matches to rank them all in Python here: counted only.
                    start = time.perf_counter()
                    full = exact_counts(row["q"], row["language"], **engine_options(row["options"]))
                    row["full_ms"] = (time.perf_counter() - start) * 1000
                    row["full_total"] = full["total"]
                    row["full_years"] = {str(year): count for year, count in full["years"].items()}
                elif known:
                    row["full_total"], row["full_years"] = known["full_total"], known["full_years"]
                    if "full_ids" in known:
                        row["full_ids"] = known["full_ids"]
                else:
                    start = time.perf_counter()
                    full = full_ranking(row["q"], row["language"], **engine_options(row["options"]))
                    row["full_ms"] = (time.perf_counter() - start) * 1000
                    row["full_ids"] = full["ids"][:PAGE_SIZE]
                    row["full_total"] = full["total"]
                    row["full_years"] = {str(year): count for year, count in full["years"].items()}
                if "full_ids" in row:
                    row["same_page"] = row["full_ids"] == row["page_ids"]
                    row["overlap"] = (
                        len(set(row["full_ids"]) & set(row["page_ids"])) / len(row["full_ids"])
                        if row["full_ids"]
                        else 1.0
                    )
                row["missing_years"] = sorted(set(row["full_years"]) - set(row["years"]))
                row["total_error"] = (
                    abs(row["total"] - row["full_total"]) / row["full_total"] if row["full_total"] else 0
                )
                row["year_error"] = max(
                    (
                        abs(row["years"].get(year, 0) - count) / count
                        for year, count in row["full_years"].items()
                    ),
                    default=0.0,
                )

    # 4. The tantivy peer, on the same published recommendations.
    if args.tantivy:
        from django.db.models import F
        from tantivy_peer import TantivyPeer

        from meetings.models import Recommendation
        from meetings.search.engine import searched_languages
        from meetings.search.query import parse_query

        source = (
            Recommendation.objects.published()
            .annotate(date=F("theme__meeting__date"), meeting=F("theme__meeting_id"))
            .values_list(
                "id",
                "date",
                "meeting",
                "text_fr",
                "theme__title_fr",
                "theme__meeting__title_fr",
                "text_en",
                "theme__title_en",
                "theme__meeting__title_en",
            )
            .order_by()
        )
        with tempfile.TemporaryDirectory(prefix="wt18_tantivy_") as directory:
            peer = TantivyPeer(directory)
            start = time.perf_counter()
            indexed = peer.build(
                (pk, date.year, meeting, f"{tf} {hf} {mf}", f"{te} {he} {me}")
                for pk, date, meeting, tf, hf, mf, te, he, me in source.iterator(chunk_size=5000)
            )
            report["tantivy_index_s"] = time.perf_counter() - start
            report["tantivy_documents"] = indexed
            for queries in rows.values():
                for row in queries:
                    options = engine_options(row["options"])
                    languages = searched_languages(row["language"], options["only_page_language"])

                    def peer_search(row=row, languages=languages, options=options):
                        parsed = parse_query(row["q"], row["language"])
                        return peer.search(parsed, languages, options["year"])

                    row["tantivy_ms"], (count, _ids, years) = timed(peer_search, args.runs)
                    row["tantivy_total"] = count
                    row["tantivy_years"] = len(years)
    report["load_after"] = os.getloadavg()

    for name, queries in rows.items():
        mix = {"queries": queries}
        for key in ("http_ms", "baseline_http_ms", "engine_ms", "tantivy_ms"):
            mix[key] = summary([row[key] for row in queries if key in row])
        checked = [row for row in queries if "same_page" in row]
        counted = [row for row in queries if "full_total" in row]
        if args.agreement and counted:
            mix["checked"] = len(checked)
            mix["same_page"] = sum(row["same_page"] for row in checked)
            mix["overlap_mean"] = statistics.fmean(row["overlap"] for row in checked) if checked else None
            mix["overlap_min"] = min((row["overlap"] for row in checked), default=None)
            mix["counted"] = len(counted)
            mix["missing_years"] = sum(len(row["missing_years"]) for row in counted)
            mix["total_error_max"] = max(row["total_error"] for row in counted)
            mix["year_error_max"] = max(row["year_error"] for row in counted)
            # The largest error of a year's count among the years of at least 1,000 matches.
            mix["large_year_error_max"] = max(
                (
                    abs(row["years"].get(year, 0) - count) / count
                    for row in counted
                    for year, count in row["full_years"].items()
                    if count >= 1000
                ),
                default=0.0,
            )
        report["mixes"][name] = mix

    raw = (
        Path(tempfile.gettempdir())
        / f"ccs_search_scale_{datetime.datetime.now(datetime.UTC):%Y%m%d_%H%M%S}.json"
    )
    raw.write_text(json.dumps(report, indent=1, default=str))
    print(markdown(report, args))
    print(f"raw: {raw}", file=sys.stderr)
    if args.append:
        with RESULTS.open("a", encoding="utf-8") as output:
            output.write("\n" + markdown(report, args))


def _ms(value):
    return "—" if value is None else f"{value:,.1f}"


def markdown(report, args):
    load = " / ".join(f"{value:.2f}" for value in report["load_before"])
    load_after = " / ".join(f"{value:.2f}" for value in report["load_after"])
    lines = [
        f"## Search at scale: {report['label']}, {report['date']}",
        "",
        f"Machine: {report['machine']}. Load average (1, 5, 15 min) before: {load}; after: {load_after}.",
        f"Each query: one warm-up, then the median of {report['runs']} runs; p50/p95/max over the mix's queries.",
        "HTTP: gunicorn with `ccs_archive/gunicorn.conf.py`, DEBUG off, 127.0.0.1, one request at a time. "
        "Engine: `search_recommendations()` in the benchmark's process. tantivy: the peer in the same process "
        "(count, year facets and the first 20 by BM25).",
    ]
    if report["note"]:
        lines.append(report["note"])
    if report.get("baseline"):
        lines.append(f"Baseline: {report['baseline']}, served beside it and requested in turn with it.")
    lines += [
        "",
        "```sh",
        "DATABASE_URL=… "
        + " ".join(["bench/search_scale.py", *sys.argv[1:]])
        .replace(args.database_url, "…")
        .replace(args.baseline_database_url or args.database_url, "…"),
        "```",
        "",
        "| mix | baseline HTTP p50 | p95 | max | HTTP p50 | HTTP p95 | HTTP max | engine p50 | engine p95 "
        "| engine max | tantivy p50 | tantivy p95 | tantivy max | HTTP ÷ tantivy (p50) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, mix in report["mixes"].items():
        http, engine, peer = mix["http_ms"] or {}, mix["engine_ms"] or {}, mix["tantivy_ms"] or {}
        baseline = mix.get("baseline_http_ms") or {}
        ratio = f"{http['p50'] / peer['p50']:.1f}" if http and peer else "—"
        lines.append(
            f"| {name} | {_ms(baseline.get('p50'))} | {_ms(baseline.get('p95'))} | {_ms(baseline.get('max'))} "
            f"| {_ms(http.get('p50'))} | {_ms(http.get('p95'))} | {_ms(http.get('max'))} "
            f"| {_ms(engine.get('p50'))} | {_ms(engine.get('p95'))} | {_ms(engine.get('max'))} "
            f"| {_ms(peer.get('p50'))} | {_ms(peer.get('p95'))} | {_ms(peer.get('max'))} | {ratio} |"
        )
    if "tantivy_index_s" in report:
        lines += [
            "",
            f"tantivy indexed {report['tantivy_documents']:,} recommendations in {report['tantivy_index_s']:.1f} s.",
        ]
    if args.agreement:
        lines += [
            "",
            "Against the exhaustive ranking (every match scored by `ranking.py`"
            + (
                f"; taken from the earlier run `{report['reference']}` of the same database"
                if "reference" in report
                else ""
            )
            + "):",
            "",
            "| mix | first page identical | overlap@20 mean (min) | queries counted | years missing from "
            "the facets | total: largest error | a year's count: largest error | of a year of 1,000 or more |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        if args.agreement_max:
            lines.insert(
                -3,
                f"Queries with more than {args.agreement_max:,} matches are counted exactly in SQL "
                "(total and years), not ranked.",
            )
        for name, mix in report["mixes"].items():
            if "counted" not in mix:
                continue
            overlap = (
                f"{mix['overlap_mean']:.3f} ({mix['overlap_min']:.2f})"
                if mix["overlap_mean"] is not None
                else "—"
            )
            lines.append(
                f"| {name} | {mix['same_page']}/{mix['checked']} | {overlap} | {mix['counted']} "
                f"| {mix['missing_years']} | {mix['total_error_max']:.1%} | {mix['year_error_max']:.1%} "
                f"| {mix['large_year_error_max']:.1%} |"
            )
    lines += [
        "",
        "<details><summary>Each query (ms: baseline HTTP, HTTP, engine, tantivy; hits shown, exact, "
        "tantivy's; whether the first page is the exhaustive ranking's)</summary>",
        "",
        "| mix | query | baseline | HTTP | engine | tantivy | shown | exact | tantivy | same first page |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for name, mix in report["mixes"].items():
        for row in mix["queries"]:
            shown = f"{'about ' if row.get('estimated') else ''}{row['total']:,}"
            options = " ".join(f"{k}={v}" for k, v in row["options"].items())
            same = {True: "yes", False: f"no ({row.get('overlap', 0):.2f})"}.get(row.get("same_page"), "—")
            lines.append(
                f"| {name} | {row['language']} `{row['q']}` {options} | {_ms(row.get('baseline_http_ms'))} "
                f"| {_ms(row.get('http_ms'))} | {_ms(row.get('engine_ms'))} | {_ms(row.get('tantivy_ms'))} "
                f"| {shown} | {row.get('full_total', '—')} | {row.get('tantivy_total', '—')} | {same} |"
            )
    lines += ["", "</details>", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
