"""
Load through the production topology (deploy/topology.py) at a million
recommendations, beside one gunicorn straight on PostgreSQL, in the same run.

    .venv/bin/python bench/topology_load.py --source-database postgres://postgres@127.0.0.1:5432/ccs_bench_1000000

The source database (migrated, with its corpus) is copied into the
topology's primary, and the replica made from it. Then, for ``--seconds``
each, ``wrk`` with ``--connections`` connections cycles through meeting
pages and searches in turn (bench/cycle.lua):

1. one gunicorn (WEB_CONCURRENCY workers, the default 2 × cores + 1) straight
   on the primary: no nginx, no replica, no Redis;
2. through nginx (HTTPS) to two gunicorn instances, reading from the
   replica. During this run the drills: the replica is stopped then started
   again, then one application server likewise, and the errors counted.

Rate limits are off in both (wrk is one client address). A dated section
is appended to bench/RESULTS.md.
"""

import argparse
import datetime
import os
import platform
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from run import parse_wrk  # noqa: E402

from deploy.topology import Topology, wait_for  # noqa: E402

NO_RATE_LIMITS = {"search": "", "api": "", "exports": "", "login": ""}


def log(message):
    print(f"[{datetime.datetime.now(datetime.UTC):%H:%M:%S}] {message}", flush=True)


def meeting_paths(topology, count):
    rows = subprocess.run(
        ["psql", "-At", "-F", "\t", "-c",
         # An integer from the command line: nothing to inject.
         f"SELECT date, slug_fr, slug_en FROM meetings_meeting WHERE is_published ORDER BY random() LIMIT {int(count)}",  # noqa: S608
         topology.primary_url],
        capture_output=True, text=True, check=True,
    ).stdout.splitlines()  # fmt: skip
    paths = []
    for row in rows:
        date, slug_fr, slug_en = row.split("\t")
        paths += [f"/fr/reunions/{date}-{slug_fr}/", f"/en/meetings/{date}-{slug_en}/"]
    return paths


def search_paths():
    paths = []
    for line in (ROOT / "bench" / "queries.tsv").read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        _kind, language, query, *_filters = line.split("\t")
        page = "/fr/recherche/" if language == "fr" else "/en/search/"
        paths.append(f"{page}?{urllib.parse.urlencode({'q': query})}")
    return paths


def wrk(base, paths, seconds, connections):
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as listing:
        listing.write("\n".join(paths) + "\n")
    command = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "30s", "--latency",
               "-s", str(ROOT / "bench" / "cycle.lua"), base + "/", "--", listing.name]  # fmt: skip
    log("$ " + " ".join(command))
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    os.unlink(listing.name)
    result = parse_wrk(output)
    p95 = re.search(r"p95 latency: ([\d.]+)ms", output)
    result["latency"]["95"] = f"{p95[1]}ms" if p95 else "?"
    result["output"] = output
    return result


def drills(topology, started, events):
    """Stop and start the replica, then one application server, during the load."""

    def at(second, description, action):
        time.sleep(max(0.0, started + second - time.monotonic()))
        action()
        events.append(f"{time.monotonic() - started:5.1f} s  {description}")

    at(10, "replica stopped (pg_ctl stop -m fast)", topology.stop_replica)
    at(22, "replica started again", topology.start_replica_again)
    at(34, "gunicorn A stopped (SIGTERM)", lambda: topology.stop_app(0))
    at(46, "gunicorn A started again", lambda: topology.start_app(0))


def cache_statuses(access_log, skip_lines):
    lines = access_log.read_text().splitlines()[skip_lines:]
    return Counter(re.search(r"cache=(\S+)", line)[1] for line in lines if "cache=" in line)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--source-database", required=True)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=200)
    parser.add_argument("--base-port", type=int, default=18070)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers per topology instance")
    parser.add_argument("--meetings", type=int, default=100, help="meetings sampled (each in both languages)")
    options = parser.parse_args()
    random.seed(1)
    baseline_port = options.base_port + 9
    log("starting the topology (copying the source database into the primary, then the replica)")
    started = time.monotonic()
    with Topology(
        base_port=options.base_port,
        rate_limits=NO_RATE_LIMITS,
        source_database=options.source_database,
        workers=options.workers,
        log_level="ERROR",
    ) as topology:
        log(f"topology up in {time.monotonic() - started:.0f} s")
        meetings, searches = meeting_paths(topology, options.meetings), search_paths()
        paths = [
            path
            for pair in zip(meetings, searches * (len(meetings) // len(searches) + 1), strict=False)
            for path in pair
        ]
        results = {}

        # 1. One gunicorn straight on the primary.
        env = topology.environment(
            BIND=f"127.0.0.1:{baseline_port}",
            DATABASE_REPLICA_URLS="",
            REDIS_URL="",
            SECURE_SSL_REDIRECT="0",
            SECURE_PROXY_SSL_HEADER="0",
            WEB_CONCURRENCY=str(os.cpu_count() * 2 + 1),
        )
        baseline = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "ccs_archive/gunicorn.conf.py", "ccs_archive.wsgi"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            base = f"http://127.0.0.1:{baseline_port}"
            wait_for(
                "baseline gunicorn",
                lambda: urllib.request.urlopen(f"{base}/healthz", timeout=2).status == 200,
            )
            for path in paths[:20]:
                urllib.request.urlopen(base + path, timeout=60).read()
            load = os.getloadavg()
            results["one gunicorn on PostgreSQL"] = {**wrk(base, paths, options.seconds, options.connections),
                                                      "load": (load, os.getloadavg())}  # fmt: skip
        finally:
            baseline.terminate()
            baseline.wait(timeout=30)

        # 2. Through nginx, with the drills.
        access_log = topology.root / "nginx" / "access.log"
        skip = len(access_log.read_text().splitlines())
        events = []
        load = os.getloadavg()
        drill = threading.Thread(target=drills, args=(topology, time.monotonic(), events))
        drill.start()
        result = wrk(topology.base_url, paths, options.seconds, options.connections)
        drill.join()
        result["load"] = (load, os.getloadavg())
        statuses = cache_statuses(access_log, skip)
        result["cache"] = statuses
        result["events"] = events
        errors = [
            line for line in access_log.read_text().splitlines()[skip:] if re.search(r'" (5\d\d|429) ', line)
        ]
        result["errors_logged"] = len(errors)
        results["nginx, two gunicorn, replica, Redis"] = result
        # The logs outlive the topology's folder, for a look afterwards.
        kept = Path(tempfile.gettempdir()) / "ccs_topology_load_logs"
        shutil.rmtree(kept, ignore_errors=True)
        kept.mkdir()
        for name in (
            "nginx/access.log",
            "nginx/error.log",
            "gunicorn-0.log",
            "gunicorn-1.log",
            "postgres/replica.log",
        ):
            if (topology.root / name).exists():
                shutil.copy(topology.root / name, kept / name.replace("/", "-"))
        log(f"logs kept in {kept}")
    report(options, results)


def report(options, results):
    machine = f"{platform.node()}, {os.cpu_count()} cores, {platform.platform()}"
    lines = [
        "",
        f"## {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} — the production topology under load (bench/topology_load.py)",
        "",
        f"`.venv/bin/python bench/topology_load.py --source-database {options.source_database} "
        f"--seconds {options.seconds} --connections {options.connections} --workers {options.workers}`",
        "",
        f"Machine: {machine}. wrk, 2 threads, {options.connections} connections, {options.seconds} s each, "
        f"meeting pages ({options.meetings} meetings, both languages) and the searches of `queries.tsv` in turn. "
        "Rate limits off. The topology's instances have "
        f"{options.workers} workers each; the single gunicorn has 2 × cores + 1.",
        "",
        "| setup | requests | req/s | p50 | p95 | p99 | non-2xx/3xx | socket errors | load average before → after |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, result in results.items():
        latency = result["latency"]
        before, after = result["load"]
        lines.append(
            f"| {name} | {result['requests']:,} | {result['requests_per_s']:,.0f} | {latency.get('50', '?')} | "
            f"{latency.get('95', '?')} | {latency.get('99', '?')} | {result['non_2xx_3xx']} | {result['socket_errors']} | "
            f"{before[0]:.2f} → {after[0]:.2f} |"
        )
    topology = results["nginx, two gunicorn, replica, Redis"]
    cache = topology["cache"]
    total = sum(cache.values()) or 1
    lines += [
        "",
        "nginx cache, over the topology's run: "
        + ", ".join(f"{status} {count:,} ({count / total:.0%})" for status, count in cache.most_common())
        + f". Hit ratio (HIT, STALE, UPDATING): {(cache['HIT'] + cache['STALE'] + cache['UPDATING']) / total:.0%}.",
        "",
        "Drills during that run (seconds from its start):",
        "",
        *[f"- {event}" for event in topology["events"]],
        "",
        f"Answers 5xx or 429 in nginx's log over the run: {topology['errors_logged']}; "
        f"wrk counted {topology['non_2xx_3xx']} non-2xx/3xx and {topology['socket_errors']} socket errors.",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    with (ROOT / "bench" / "RESULTS.md").open("a", encoding="utf-8") as results_file:
        results_file.write(text)


if __name__ == "__main__":
    main()
