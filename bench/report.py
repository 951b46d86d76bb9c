"""
The benchmark's report: the Markdown section that bench/run.py appends to
bench/RESULTS.md, written from the measurements (or from an earlier run's raw
JSON, with ``run.py --from-raw``).
"""

import datetime
import statistics
from pathlib import Path

# What the archive must meet, and the pages whose query count must stay constant.
TARGETS = {
    "search p50 (PostgreSQL, 1M)": ("postgres", 1_000_000, "search", "p50", 50),
    "search p95 (PostgreSQL, 1M)": ("postgres", 1_000_000, "search", "p95", 200),
    "meeting page p95 (PostgreSQL, 1M)": ("postgres", 1_000_000, "meeting", "p95", 30),
    "listing p95 (PostgreSQL, 1M)": ("postgres", 1_000_000, "listing", "p95", 30),
    "search p95 (SQLite, 100k)": ("sqlite", 100_000, "search", "p95", 150),
}
# Pages whose number of queries must not depend on the page nor on the size of the archive.
CONSTANT_QUERIES = {
    "meeting page (PostgreSQL, 1M)": ("postgres", 1_000_000, "meeting"),
    "listing (PostgreSQL, 1M)": ("postgres", 1_000_000, "listing"),
}


def ms(value):
    return "–" if value is None else f"{value:,.0f}" if value >= 100 else f"{value:,.1f}"


def hits(row):
    """The search's total as the page gives it: "> 1,000" past the engine's CANDIDATES."""
    if "total" not in row:
        return "–"
    return f"> {row['total']:,}" if row.get("more") else f"{row['total']:,}"


def report(results, machine_info, command, options):
    lines = [
        "",
        f"## {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M} — {', '.join(r['label'] for r in results)}",
        "",
        f"Machine: {machine_info['cores']} cores ({machine_info['cpu']}), {machine_info['memory']}; "
        f"Python {machine_info['python']}, Django {machine_info['django']}, PostgreSQL {machine_info['postgresql']} "
        f"(default configuration), SQLite {machine_info['sqlite']}, gunicorn {machine_info['gunicorn']}, "
        f"{machine_info['wrk']}.",
        "",
        f"Command: `{command}`, at commit {machine_info.get('commit', 'unknown')}.",
        "",
        f"Settings: DEBUG off, LOG_LEVEL=WARNING, seed {options.seed}; query set `bench/queries.tsv` "
        f"({results[0]['queries']} queries); warm cache (each search requested once, untimed, before it is timed, "
        "except where noted); times in milliseconds.",
        "",
        "### Loading",
        "",
        "| database | recommendations | meetings | generate_corpus | VACUUM ANALYZE | size on disk "
        "| load average before / after measuring |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in results:
        loading = r["loading"]
        vacuum = f"{loading['vacuum_s']:.1f} s" if "vacuum_s" in loading else "–"
        lines.append(
            f"| {r['label']} | {r['counts']['recommendations']:,} | {r['counts']['meetings']:,} "
            f"| {loading['generate_corpus_s']:.1f} s | {vacuum} | {loading['size_bytes'] / 2**20:,.0f} MiB "
            f"| {' / '.join(f'{value:.1f}' for value in r.get('load_average', ()))} |"
        )
    lines += [
        "",
        "### Search: the full results page over HTTP (django.test.Client), its SQL, the naive baseline",
        "",
        "*page*: the whole request (count, facets, highlights, suggestion, template). *SQL*: the time of the "
        "page's own statements. *engine*: `search_recommendations()` without HTTP. *naive*: the same queries as "
        "`icontains` filters (count + first 20), speed-up = naive ÷ search SQL per query (median). "
        "*first*: the first request of each query (its untimed warm-up), the pages it reads perhaps not yet in "
        "PostgreSQL's buffers; not in the percentiles of *page*.",
        "",
        "| database | samples | page p50 | page p95 | page p99 | page max | SQL p50 | page ÷ SQL | engine p50 "
        "| naive p50 | naive p95 | speed-up | first p50 / p95 / p99 |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in results:
        s = r["search_summary"]
        speed = f"{s['speed_up_median']:.1f}×" if s["speed_up_median"] else "–"
        lines.append(
            f"| {r['label']}{'' if r['warm_up'] else ' (no per-query warm-up)'} | {s['samples']} "
            f"| {ms(s['page_p50'])} | {ms(s['page_p95'])} "
            f"| {ms(s['page_p99'])} | {ms(s['page_max'])} | {ms(s['sql_p50'])} | {s['page_sql_ratio']:.2f} "
            f"| {ms(s['engine_p50'])} | {ms(s['naive_p50'])} | {ms(s['naive_p95'])} | {speed} "
            f"| {ms(s['first_p50'])} / {ms(s['first_p95'])} / {ms(s['first_p99'])} |"
        )
    kinds = list(dict.fromkeys(row["kind"] for r in results for row in r["search"]))
    lines += [
        "",
        "Search page by kind of query, p50 / p95:",
        "",
        "| kind | " + " | ".join(r["label"] for r in results) + " |",
        "| --- |" + " ---: |" * len(results),
    ]
    for kind in kinds:
        cells = [" / ".join(ms(v) for v in r["by_kind"][kind]) for r in results]
        lines.append(f"| {kind} | " + " | ".join(cells) + " |")
    largest = max(results, key=lambda r: (r["engine"] == "postgres", r["size"]))
    slowest = sorted(largest["search"], key=lambda row: -statistics.median(row["page_ms"]))[:10]
    lines += [
        "",
        f"Slowest queries at {largest['label']} (median page; SQL time by statement):",
        "",
        "| query | language | hits | page | first request | SQL | statements | SQL by statement |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for row in slowest:
        parts = ", ".join(
            f"{kind} {ms(t)}" for kind, t in sorted(row["sql_by_kind"].items(), key=lambda kv: -kv[1])
        )
        filters = " ".join(f"{k}={v}" for k, v in row["options"].items())
        first = row["first_ms"] if row.get("first_ms") is not None else row["page_ms"][0]
        lines.append(
            f"| `{row['q']}` {filters} | {row['language']} | {hits(row)} "
            f"| {ms(statistics.median(row['page_ms']))} | {ms(first)} | {ms(statistics.median(row['sql_ms']))} "
            f"| {row['queries']} | {parts} |"
        )
    lines += [
        "",
        "### Pages (django.test.Client), p50 / p95, and queries per page",
        "",
        "| database | listing | year | meeting |",
        "| --- | --- | --- | --- |",
    ]
    for r in results:
        cells = [
            f"{ms(p['p50'])} / {ms(p['p95'])} ({', '.join(map(str, p['queries']))} queries)"
            for p in (r["pages"][name] for name in ("listing", "year", "meeting"))
        ]
        lines.append(f"| {r['label']} | " + " | ".join(cells) + " |")
    with_load = [r for r in results if r.get("throughput")]
    if with_load:
        lines += [
            "",
            f"### Throughput: gunicorn (ccs_archive/gunicorn.conf.py) on 127.0.0.1, wrk, {options.load_seconds} s "
            f"per page, {options.connections} connections",
            "",
            "| database | workers | page | req/s | requests | errors (non-2xx, socket) | latency p50 / p99 "
            "| worker RSS before → after | worker timeouts | load average before / after |",
            "| --- | ---: | --- | ---: | ---: | ---: | --- | --- | ---: | --- |",
        ]
        for r in with_load:
            t = r["throughput"]
            averages = t.get("load_average", [])
            for index, (kind, page) in enumerate(t["pages"].items()):
                errors = page["non_2xx_3xx"] + page["socket_errors"]
                latency = f"{page['latency'].get('50', '–')} / {page['latency'].get('99', '–')}"
                around = averages[index : index + 2]
                lines.append(
                    f"| {r['label']} | {t['workers']} | {kind} | {page['requests_per_s']:,.1f} | {page['requests']:,} "
                    f"| {errors} ({page['non_2xx_3xx']}, {page['socket_errors']}) | {latency} "
                    f"| {t['rss_before'] / 2**20:,.0f} → {t['rss_after'] / 2**20:,.0f} MiB | {t['worker_timeouts']} "
                    f"| {' / '.join(f'{value:.1f}' for value in around) or '–'} |"
                )
    mixed = [r for r in results if r.get("mixed_load")]
    for r in mixed:
        m = r["mixed_load"]
        w = m["wrk"]
        by_kind = w["socket_errors_by_kind"]
        sockets = (
            ", ".join(f"{kind} {count}" for kind, count in by_kind.items()) if by_kind else "none reported"
        )
        latency = " / ".join(w["latency"].get(key, "–") for key in ("50", "90", "99", "max"))
        per_worker = lambda sizes: ", ".join(f"{size / 2**20:,.0f}" for size in sizes.values())  # noqa: E731
        lines += [
            "",
            f"### Mixed load: {r['label']}, gunicorn on 127.0.0.1, wrk {m['seconds']} s, {m['connections']} "
            "connections",
            "",
            f"wrk (2 threads, `bench/cycle.lua`, client timeout {m['timeout']}) requests a meeting page and a search "
            f"in turn: {m['meeting_paths']} meeting pages (the newest and twenty at random, in French and English) "
            f"and the {m['search_paths']} searches of the query set, a list of {m['paths']} paths cycled over.",
            "",
            "| requests | req/s | latency p50 / p90 / p99 / max | errors: non-2xx/3xx | errors: socket "
            "| worker timeouts (gunicorn log) | errors logged |",
            "| ---: | ---: | --- | ---: | --- | ---: | ---: |",
            f"| {w['requests']:,} | {w['requests_per_s']:,.1f} | {latency} | {w['non_2xx_3xx']} "
            f"| {w['socket_errors']} ({sockets}) | {m['worker_timeouts']} | {m['server_errors_logged']} |",
            "",
            "| worker memory (RSS) | workers | sum | per worker (MiB) |",
            "| --- | ---: | ---: | --- |",
            f"| start (after each worker's first requests) | {len(m['rss_start'])} "
            f"| {sum(m['rss_start'].values()) / 2**20:,.0f} MiB | {per_worker(m['rss_start'])} |",
            f"| end | {len(m['rss_end'])} | {sum(m['rss_end'].values()) / 2**20:,.0f} MiB "
            f"| {per_worker(m['rss_end'])} |",
            f"| highest sum (every second, start and end included) | | {m['rss_peak_sum'] / 2**20:,.0f} MiB | |",
            "",
            f"Workers replaced during the run (gunicorn's max_requests): {m['workers_replaced']}. "
            f"Load average (1, 5, 15 min) before: {', '.join(f'{v:.1f}' for v in m['load_average_before'])}; "
            f"after: {', '.join(f'{v:.1f}' for v in m['load_average_after'])}.",
        ]
    lines += ["", "### Targets", "", "| target | limit | measured | met |", "| --- | ---: | ---: | --- |"]
    for name, (engine, size, page, stat, limit) in TARGETS.items():
        measured = None
        for r in results:
            if r["engine"] == engine and r["size"] == size:
                if page == "search":
                    measured = r["search_summary"][f"page_{stat}"]
                else:
                    measured = r["pages"][page][stat]
        verdict = "–" if measured is None else ("yes" if measured <= limit else "**no**")
        lines.append(f"| {name} | {limit} ms | {ms(measured)} | {verdict} |")
    for name, (engine, size, page) in CONSTANT_QUERIES.items():
        counts = [r["pages"][page]["queries"] for r in results if r["engine"] == engine]
        at_size = [
            r["pages"][page]["queries"] for r in results if r["engine"] == engine and r["size"] == size
        ]
        if not at_size:
            lines.append(f"| constant query count, {name} | one count | – | – |")
            continue
        every = sorted({count for sizes in counts for count in sizes})
        constant = len(every) == 1
        lines.append(
            f"| constant query count, {name} | one count, every page and size | "
            f"{', '.join(map(str, at_size[0]))} (all {engine} sizes: {', '.join(map(str, every))}) "
            f"| {'yes' if constant else '**no**'} |"
        )
    errors = sum(
        page["non_2xx_3xx"] + page["socket_errors"]
        for r in with_load
        for page in r["throughput"]["pages"].values()
    )
    errors += sum(
        r["mixed_load"]["wrk"]["non_2xx_3xx"] + r["mixed_load"]["wrk"]["socket_errors"] for r in mixed
    )
    loaded = bool(with_load or mixed)
    lines.append(
        f"| zero errors under load (throughput and mixed load) | 0 | {errors if loaded else '–'} | "
        f"{'–' if not loaded else 'yes' if errors == 0 else '**no**'} |"
    )
    return "\n".join(lines) + "\n"


def write_report(results, machine_info, command, options):
    """Append the run's section to the results file (never rewriting earlier ones); return its path."""
    section = report(results, machine_info, command, options)
    path = Path(options.results)
    if not path.exists():
        path.write_text(
            "# Benchmark results\n\nEach run of `bench/run.py` appends a section; none is ever rewritten.\n"
        )
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(section)
    print(section)
    return path
