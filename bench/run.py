"""
The archive's performance benchmark. Not part of the test suite.

For each database and size it creates a database (PostgreSQL: ccs_bench_<size>
on 127.0.0.1; SQLite: a file in /tmp), migrates it, loads the real archive,
adds a synthetic corpus with ``generate_corpus`` (timed), then measures:

- search pages end to end, their SQL, the search without HTTP and the naive
  icontains baseline (bench/measure.py);
- the listing, year and meeting pages, with their query counts;
- throughput: gunicorn serving ccs_archive.wsgi on 127.0.0.1, driven by wrk
  (bench/cycle.lua) for a bounded time, with the workers' memory before and
  after;
- at the largest PostgreSQL size, a mixed load: meeting pages and searches in
  turn, from many connections at once, with the workers' memory at the start,
  at the end and at its highest; and EXPLAIN ANALYZE of the statements of the
  slowest searches (bench/explain.py), written to a file in /tmp.

It appends a dated section to bench/RESULTS.md and drops what it created
(unless --keep). See bench/README.md for the command.
"""

import argparse
import datetime
import json
import os
import platform
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from figures import percentile
from report import write_report

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
VENV_BIN = Path(sys.executable).parent
RESULTS = BENCH_DIR / "RESULTS.md"
POSTGRES = {"host": "127.0.0.1", "port": "5432", "user": "postgres"}
LUA_SCRIPT = BENCH_DIR / "cycle.lua"


def log(message):
    print(f"[{datetime.datetime.now().astimezone():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def run(command, env=None, capture=False):
    log("$ " + " ".join(str(part) for part in command))
    result = subprocess.run(
        [str(part) for part in command], cwd=ROOT, env=env, check=True, text=True, capture_output=capture
    )
    return result.stdout if capture else None


def django_env(database_url):
    """Production-like settings: DEBUG off, no HTTPS redirect (nothing terminates TLS here), quiet logs."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DEBUG="0",
        SECRET_KEY="benchmark-only-key-never-used-elsewhere",
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        SECURE_SSL_REDIRECT="0",
        SECURE_COOKIES="0",
        # generate_corpus lives in the development-only perf app.
        PERF_TOOLS="1",
        SECURE_HSTS_SECONDS="0",
        LOG_LEVEL="WARNING",
    )
    env.pop("REDIS_URL", None)
    return env


class Target:
    """One database of one size."""

    def __init__(self, engine, size):
        self.engine = engine
        self.size = size
        if engine == "postgres":
            self.name = f"ccs_bench_{size}"
            self.url = f"postgres://{POSTGRES['user']}@{POSTGRES['host']}:{POSTGRES['port']}/{self.name}"
        else:
            self.path = Path(tempfile.gettempdir()) / f"ccs_bench_{size}.sqlite3"
            self.url = f"sqlite:///{self.path}"
        self.env = django_env(self.url)

    @property
    def label(self):
        return f"{'PostgreSQL' if self.engine == 'postgres' else 'SQLite'} {self.size:,}"

    def psql(self, sql, database=None):
        return run(
            [
                "psql",
                "-h",
                POSTGRES["host"],
                "-p",
                POSTGRES["port"],
                "-U",
                POSTGRES["user"],
                "-d",
                database or self.name,
                "-Atc",
                sql,
            ],
            capture=True,
        ).strip()

    def create(self):
        self.drop()
        if self.engine == "postgres":
            run(
                [
                    "createdb",
                    "-h",
                    POSTGRES["host"],
                    "-p",
                    POSTGRES["port"],
                    "-U",
                    POSTGRES["user"],
                    self.name,
                ]
            )

    def drop(self):
        if self.engine == "postgres":
            run(
                [
                    "dropdb",
                    "--if-exists",
                    "-h",
                    POSTGRES["host"],
                    "-p",
                    POSTGRES["port"],
                    "-U",
                    POSTGRES["user"],
                    self.name,
                ]
            )
        else:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def manage(self, *arguments, capture=False):
        return run([VENV_BIN / "python", "manage.py", *arguments], env=self.env, capture=capture)

    def load(self, seed, batch_size):
        self.create()
        self.manage("migrate", "--noinput", "--verbosity", "0")
        self.manage("load_archive")
        command = ["generate_corpus", "--recommendations", str(self.size), "--seed", str(seed)]
        command += ["--batch-size", str(batch_size)]
        start = time.perf_counter()
        summary = self.manage(*command, capture=True)
        loading = {"generate_corpus_s": time.perf_counter() - start, "summary": summary.strip()}
        if self.engine == "postgres":
            # What autovacuum does soon after a bulk load: the visibility map, fresh statistics.
            start = time.perf_counter()
            self.psql("VACUUM (ANALYZE)")
            loading["vacuum_s"] = time.perf_counter() - start
            loading["size_bytes"] = int(self.psql("SELECT pg_database_size(current_database())"))
        else:
            loading["size_bytes"] = self.path.stat().st_size
        return loading

    def measure(self, passes, engine_passes, warm_up):
        command = [VENV_BIN / "python", BENCH_DIR / "measure.py", "--passes", passes]
        command += ["--engine-passes", engine_passes]
        if not warm_up:
            command.append("--no-warm-up")
        return json.loads(run(command, env=self.env, capture=True))


# Throughput: gunicorn and wrk, on the loopback address only.


def worker_rss(master_pid):
    """{pid: resident memory in bytes} of gunicorn's workers."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    sizes = {}
    for pid in children:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except FileNotFoundError:
            continue
        sizes[int(pid)] = int(re.search(r"VmRSS:\s+(\d+) kB", status)[1]) * 1024
    return sizes


def wait_until_serving(url, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"gunicorn did not answer {url}")


def parse_wrk(output):
    def number(pattern, default=0.0):
        match = re.search(pattern, output)
        return float(match[1]) if match else default

    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    latency = dict(re.findall(r"^\s+(50|75|90|99)%\s+([\d.]+\w+)", output, re.MULTILINE))
    thread_latency = re.search(r"^\s+Latency\s+([\d.]+\w+)\s+([\d.]+\w+)\s+([\d.]+\w+)", output, re.MULTILINE)
    if thread_latency:
        latency["max"] = thread_latency[3]
    return {
        "requests": int(number(r"(\d+) requests in")),
        "requests_per_s": number(r"Requests/sec:\s+([\d.]+)"),
        "non_2xx_3xx": int(number(r"Non-2xx or 3xx responses: (\d+)")),
        "socket_errors": sum(int(n) for n in socket_errors.groups()) if socket_errors else 0,
        "socket_errors_by_kind": dict(
            zip(("connect", "read", "write", "timeout"), map(int, socket_errors.groups()), strict=True)
        )
        if socket_errors
        else {},
        "latency": latency,
    }


class Gunicorn:
    """gunicorn serving the site on 127.0.0.1 with the production configuration, for a ``with`` block."""

    def __init__(self, target, port, name):
        self.target = target
        self.base = f"http://127.0.0.1:{port}"
        self.env = dict(target.env, BIND=f"127.0.0.1:{port}")
        self.log_file = (
            Path(tempfile.gettempdir()) / f"ccs_bench_gunicorn_{name}_{target.engine}_{target.size}.log"
        )
        self.server = None

    def __enter__(self):
        command = [VENV_BIN / "gunicorn", "-c", ROOT / "ccs_archive" / "gunicorn.conf.py", "ccs_archive.wsgi"]
        log("$ " + " ".join(map(str, command)) + f"  (BIND={self.env['BIND']})")
        with open(self.log_file, "w") as output:
            self.server = subprocess.Popen(
                [str(part) for part in command], cwd=ROOT, env=self.env, stdout=output, stderr=output
            )
        return self

    def warm(self, paths):
        """Wait for the workers, then request ``paths`` (each worker's first requests)."""
        wait_until_serving(self.base + paths[0])
        time.sleep(2)  # every worker booted
        for path in paths:
            urllib.request.urlopen(self.base + path, timeout=120).read()

    def rss(self):
        return worker_rss(self.server.pid)

    def wrk(self, paths, seconds, connections, timeout):
        """wrk on ``paths`` in turn (bench/cycle.lua): its parsed report."""
        handle, listing = tempfile.mkstemp(prefix="ccs_bench_paths_", suffix=".txt")
        try:
            with os.fdopen(handle, "w") as output:
                output.write("\n".join(paths) + "\n")
            command = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--timeout", timeout]
            command += ["--latency", "-s", LUA_SCRIPT, self.base + paths[0], "--", listing]
            return parse_wrk(run(command, capture=True))
        finally:
            os.unlink(listing)

    def __exit__(self, *exc_info):
        self.server.terminate()
        try:
            self.server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.server.kill()
            self.server.wait()
        text = self.log_file.read_text(errors="replace")
        self.worker_timeouts = text.count("WORKER TIMEOUT")
        self.server_errors_logged = len(re.findall(r"Internal Server Error|Traceback", text))


def throughput(target, urls, seconds, port, connections, timeout):
    """Requests per second for each kind of page, errors, and worker memory before and after."""
    result = {"workers": None, "pages": {}}
    with Gunicorn(target, port, "throughput") as server:
        server.warm([path for paths in urls.values() for path in paths[:10]])
        before = server.rss()
        result["workers"] = len(before)
        result["rss_before"] = sum(before.values())
        result["load_average"] = [os.getloadavg()[0]]
        for kind, paths in urls.items():
            result["pages"][kind] = server.wrk(paths, seconds, connections, timeout)
            result["load_average"].append(os.getloadavg()[0])
        after = server.rss()
        result["rss_after"] = sum(after.values())
        result["rss_after_workers"] = len(after)
    result.update(
        log=str(server.log_file),
        worker_timeouts=server.worker_timeouts,
        server_errors_logged=server.server_errors_logged,
    )
    return result


def mixed_load(target, meeting_paths, search_paths, seconds, port, connections, timeout):
    """Meeting pages and searches in turn from ``connections`` connections: wrk's figures and worker memory."""
    paths = []
    for index in range(max(len(meeting_paths), len(search_paths))):
        paths += [meeting_paths[index % len(meeting_paths)], search_paths[index % len(search_paths)]]
    result = {
        "seconds": seconds,
        "connections": connections,
        "timeout": timeout,
        "paths": len(paths),
        "meeting_paths": len(meeting_paths),
        "search_paths": len(search_paths),
    }
    with Gunicorn(target, port, "mixed") as server:
        server.warm(meeting_paths[:10] + search_paths[:10])
        start = server.rss()
        peak = {"sum": sum(start.values())}
        sampling = threading.Event()

        def sample():
            while not sampling.wait(1.0):
                try:
                    peak["sum"] = max(peak["sum"], sum(server.rss().values()))
                except (FileNotFoundError, ProcessLookupError):
                    pass

        sampler = threading.Thread(target=sample, daemon=True)
        result["load_average_before"] = os.getloadavg()
        sampler.start()
        try:
            result["wrk"] = server.wrk(paths, seconds, connections, timeout)
        finally:
            sampling.set()
            sampler.join()
        result["load_average_after"] = os.getloadavg()
        end = server.rss()
        peak["sum"] = max(peak["sum"], sum(end.values()))
    result.update(
        rss_start={str(pid): size for pid, size in sorted(start.items())},
        rss_end={str(pid): size for pid, size in sorted(end.items())},
        rss_peak_sum=peak["sum"],
        workers_replaced=len(set(start) - set(end)),
        log=str(server.log_file),
        worker_timeouts=server.worker_timeouts,
        server_errors_logged=server.server_errors_logged,
    )
    return result


def explain_slowest(target, rows, count):
    """EXPLAIN ANALYZE of the statements of the ``count`` slowest searches (bench/explain.py), in a file."""
    slowest = sorted(rows, key=lambda row: -statistics.median(row["page_ms"]))[:count]
    lines = [
        "\t".join([row["language"], row["q"], " ".join(f"{k}={v}" for k, v in row["options"].items())])
        for row in slowest
    ]
    output = run([VENV_BIN / "python", BENCH_DIR / "explain.py", *lines], env=target.env, capture=True)
    path = Path(tempfile.gettempdir()) / f"ccs_bench_explain_{target.engine}_{target.size}.txt"
    path.write_text(output)
    log(f"plans of the {count} slowest searches in {path}")
    return str(path)


# The report.


def machine():
    memory = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())[1]) * 1024
    versions = json.loads(
        run(
            [
                VENV_BIN / "python",
                "-c",
                "import json, django, gunicorn; print(json.dumps([django.get_version(), gunicorn.__version__]))",
            ],
            capture=True,
        )
    )
    postgres = run(
        [
            "psql",
            "-h",
            POSTGRES["host"],
            "-U",
            POSTGRES["user"],
            "-d",
            "postgres",
            "-Atc",
            "SHOW server_version",
        ],
        capture=True,
    ).strip()
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split("[")[0].strip()
    git = ["git", "-C", ROOT]
    commit = subprocess.run(
        [*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    changed = subprocess.run([*git, "status", "--porcelain"], capture_output=True, text=True).stdout.strip()
    return {
        "commit": (commit or "unknown") + (" with uncommitted changes" if changed else ""),
        "cores": os.cpu_count(),
        "memory": f"{memory / 2**30:.1f} GiB",
        "cpu": _cpu_model(),
        "python": platform.python_version(),
        "django": versions[0],
        "postgresql": postgres,
        "sqlite": sqlite3.sqlite_version,
        "gunicorn": versions[1],
        "wrk": wrk,
    }


def _cpu_model():
    match = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
    return match[1].strip() if match else platform.machine()


def search_summary(rows):
    page = [t for row in rows for t in row["page_ms"]]
    sql = [t for row in rows for t in row["sql_ms"]]
    engine = [t for row in rows for t in row["engine_ms"]]
    # The first request of each query: its own warm-up, or its only timed one when there was none.
    first = [row["first_ms"] if row.get("first_ms") is not None else row["page_ms"][0] for row in rows]
    naive = [row["naive_ms"] for row in rows if "naive_ms" in row]
    per_query_sql = [statistics.median(row["sql_ms"]) for row in rows]
    speed_ups = [
        row["naive_ms"] / max(statistics.median(row["sql_ms"]), 0.01) for row in rows if "naive_ms" in row
    ]
    return {
        "samples": len(page),
        **{
            f"page_{name}": percentile(page, share)
            for name, share in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99))
        },
        "page_max": max(page),
        "sql_p50": percentile(sql, 0.5),
        "sql_p95": percentile(sql, 0.95),
        "page_sql_ratio": sum(page) / max(sum(sql), 1e-9),
        "engine_p50": percentile(engine, 0.5) if engine else None,
        "naive_p50": percentile(naive, 0.5) if naive else None,
        "naive_p95": percentile(naive, 0.95) if naive else None,
        "speed_up_median": statistics.median(speed_ups) if speed_ups else None,
        "speed_up_p50s": (percentile(naive, 0.5) / percentile(per_query_sql, 0.5)) if naive else None,
        "first_p50": percentile(first, 0.5),
        "first_p95": percentile(first, 0.95),
        "first_p99": percentile(first, 0.99),
    }


def by_kind(rows):
    kinds = {}
    for row in rows:
        kinds.setdefault(row["kind"], []).extend(row["page_ms"])
    return {kind: (percentile(times, 0.5), percentile(times, 0.95)) for kind, times in kinds.items()}


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--postgres-sizes", default="10000,100000,1000000")
    parser.add_argument("--sqlite-sizes", default="10000,100000")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=10_000)
    parser.add_argument("--passes", type=int, default=3, help="timed passes over the query set")
    parser.add_argument(
        "--large",
        type=int,
        default=None,
        help="from this size on: one timed pass, no per-query warm-up nor engine-only pass, for a quicker run "
        "(default: none, every size is measured the same way)",
    )
    parser.add_argument("--load-seconds", type=int, default=30, help="wrk's duration per page")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument(
        "--mixed-load-seconds",
        type=int,
        default=60,
        help="wrk's duration of the mixed load (meeting pages and searches) at the largest PostgreSQL size; "
        "0: none",
    )
    parser.add_argument("--mixed-connections", type=int, default=50)
    parser.add_argument(
        "--wrk-timeout", default="60s", help="wrk's timeout per request; later is a socket error"
    )
    parser.add_argument(
        "--explain",
        type=int,
        default=5,
        help="EXPLAIN ANALYZE the statements of this many slowest searches at the largest PostgreSQL size",
    )
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--no-load-test", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark databases")
    parser.add_argument("--results", default=str(RESULTS))
    parser.add_argument("--from-raw", help="write the report of an earlier run's raw JSON, measuring nothing")
    options = parser.parse_args()

    sizes = lambda text: [int(size) for size in text.split(",") if size]  # noqa: E731
    targets = [Target("sqlite", size) for size in sizes(options.sqlite_sizes)]
    targets += [Target("postgres", size) for size in sizes(options.postgres_sizes)]
    postgres = [target for target in targets if target.engine == "postgres"]
    largest_postgres = max(postgres, key=lambda target: target.size) if postgres else None
    command = " ".join([".venv/bin/python bench/run.py", *sys.argv[1:]])
    machine_info = machine()
    if options.from_raw:
        log(
            f"results appended to {write_report(json.loads(Path(options.from_raw).read_text()), machine_info, command, options)}"
        )
        return
    run(
        [VENV_BIN / "python", "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        env=django_env("sqlite:////tmp/ccs_bench_collectstatic.sqlite3"),
    )
    results = []
    raw = Path(tempfile.gettempdir()) / f"ccs_bench_{datetime.datetime.now().astimezone():%Y%m%d_%H%M%S}.json"
    for target in targets:
        log(f"== {target.label}")
        large = options.large is not None and target.size >= options.large
        try:
            loading = target.load(options.seed, options.batch_size)
            log(f"loaded in {loading['generate_corpus_s']:.1f} s: {loading['summary']}")
            load_before = os.getloadavg()[0]
            measured = target.measure(
                passes=1 if large else options.passes, engine_passes=0 if large else 1, warm_up=not large
            )
            result = {
                "label": target.label,
                "engine": target.engine,
                "size": target.size,
                "loading": loading,
                "warm_up": not large,
                "queries": len(measured["search"]),
                # Other work on the machine shows here: 1-minute load averages around the measurement.
                "load_average": (load_before, os.getloadavg()[0]),
                **measured,
            }
            result["search_summary"] = search_summary(measured["search"])
            result["by_kind"] = by_kind(measured["search"])
            if not options.no_load_test:
                urls = {
                    "meeting": [measured["pages"]["meeting"]["example"]],
                    "search": [row["url"] for row in measured["search"]],
                }
                result["throughput"] = throughput(
                    target, urls, options.load_seconds, options.port, options.connections, options.wrk_timeout
                )
                if target is largest_postgres and options.mixed_load_seconds > 0:
                    result["mixed_load"] = mixed_load(
                        target,
                        measured["pages"]["meeting"]["urls"],
                        urls["search"],
                        options.mixed_load_seconds,
                        options.port,
                        options.mixed_connections,
                        options.wrk_timeout,
                    )
            if target is largest_postgres and options.explain:
                result["explain"] = explain_slowest(target, measured["search"], options.explain)
            results.append(result)
            raw.write_text(json.dumps(results, default=str, indent=1))
        finally:
            if not options.keep:
                target.drop()
    log(f"results appended to {write_report(results, machine_info, command, options)}")
    log(f"raw measurements in {raw}")


if __name__ == "__main__":
    main()
