"""
The whole production topology on one machine, on the loopback, for trying it
and for the tests (tests/test_topology.py):

    python deploy/topology.py            # starts it all; Ctrl-C stops it all

    client ──HTTPS──▶ nginx (TLS, gzip/brotli, cache, rate limits, static files)
                        ├──▶ gunicorn A ─┐  reads ──▶ PostgreSQL replica (pg_basebackup -R, streaming)
                        └──▶ gunicorn B ─┤  writes ─▶ PostgreSQL primary
                                         └─ cache ──▶ Redis

Everything lives in a temporary folder and on ports from ``--base-port``
(primary, replica, Redis, gunicorn A and B, nginx HTTP and HTTPS, in that
order). The primary is a PostgreSQL cluster of its own, made with initdb:
a base backup copies a whole cluster, and a cluster of its own accepts
replication connections (initdb's pg_hba.conf allows them from 127.0.0.1)
without changing the configuration of any server already on the machine.
It is torn down on exit, on Ctrl-C, on SIGTERM and when a step fails.
"""

import argparse
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
NGINX_TEMPLATES = PROJECT / "deploy" / "nginx"
POSTGRES_BIN = Path(os.environ.get("POSTGRES_BIN", "/usr/lib/postgresql/15/bin"))
BROTLI_MODULE = Path("/usr/lib/nginx/modules/ngx_http_brotli_filter_module.so")
# How long any one component may take to come up.
START_TIMEOUT = 60


class TopologyError(RuntimeError):
    pass


def rate_and_burst(limit):
    """The application's "60/m" as nginx's rate "60r/m" and a burst of 60 (a minute's worth at once)."""
    count, _slash, period = limit.partition("/")
    unit = {"s": "s", "m": "m", "h": "m"}[period[:1]]
    count = int(count)
    if period.startswith("h"):
        count = max(1, count // 60)
    return f"{count}r/{unit}", str(count)


def render(template, values):
    text = template.read_text(encoding="utf-8")
    for name, value in values.items():
        text = text.replace(f"@@{name}@@", str(value))
    if "@@" in text:
        raise TopologyError(f"{template.name}: a value was not filled in")
    return text


def render_nginx(
    prefix,
    *,
    upstreams,
    http_port,
    https_port,
    certificate,
    certificate_key,
    static_root,
    archive_files_root,
    rate_limits,
    server_name="localhost 127.0.0.1",
    listen_address="127.0.0.1",
    brotli=None,
):
    """Write nginx.conf and ccs-archive.conf into ``prefix``, filled in; return nginx.conf's path."""
    prefix = Path(prefix)
    prefix.mkdir(parents=True, exist_ok=True)
    if brotli is None:
        brotli = BROTLI_MODULE.exists()
    groups = ("search", "api", "exports", "login")
    # A zone is declared even for a limit that is off (its locations then do not use it).
    limits = {group: rate_and_burst(rate_limits[group] or "1/s") for group in groups}
    site = {
        "UPSTREAM_SERVERS": "\n".join(
            f"    server {address} max_fails=3 fail_timeout=5s;" for address in upstreams
        ),
        "LISTEN_HTTP": f"{listen_address}:{http_port}",
        "LISTEN_HTTPS": f"{listen_address}:{https_port}",
        "HTTPS_PORT_SUFFIX": "" if https_port == 443 else f":{https_port}",
        "SERVER_NAME": server_name,
        "CERTIFICATE": certificate,
        "CERTIFICATE_KEY": certificate_key,
        "STATIC_ROOT": Path(static_root).resolve(),
        "ARCHIVE_FILES_ROOT": Path(archive_files_root).resolve(),
        "ERRORS_ROOT": NGINX_TEMPLATES / "errors",
        "PAGE_503": PROJECT / "templates" / "503.html",
        "CACHE_PATH": prefix / "cache",
        "BROTLI": (NGINX_TEMPLATES / "brotli.conf").read_text(encoding="utf-8") if brotli else "",
        **{f"RATE_{group.upper()}": rate for group, (rate, _burst) in limits.items()},
        **{
            f"LIMIT_{group.upper()}": (
                f"limit_req zone=ccs_{group} burst={limits[group][1]} nodelay;"
                if rate_limits[group]
                else f"# No limit: RATE_LIMIT_{group.upper()} is empty."
            )
            for group in groups
        },
    }
    (prefix / "ccs-archive.conf").write_text(render(NGINX_TEMPLATES / "ccs-archive.conf", site))
    main = prefix / "nginx.conf"
    modules = f"load_module {BROTLI_MODULE};" if brotli else ""
    main.write_text(render(NGINX_TEMPLATES / "nginx.conf", {"PREFIX": prefix, "LOAD_MODULES": modules}))
    return main


def nginx_test(config):
    """``nginx -t`` on a rendered configuration; raises with nginx's message if it fails."""
    result = subprocess.run(
        ["nginx", "-t", "-p", str(config.parent), "-c", str(config)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise TopologyError(f"nginx -t failed:\n{result.stderr}")
    return result.stderr


def self_signed_certificate(folder):
    """A certificate for localhost and 127.0.0.1, valid two days: for trying and testing only."""
    certificate, key = Path(folder) / "localhost.crt", Path(folder) / "localhost.key"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout", str(key), "-out", str(certificate),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return certificate, key


def wait_for(description, ready, process=None, timeout=START_TIMEOUT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise TopologyError(f"{description} exited with status {process.returncode}")
        with contextlib.suppress(Exception):
            if ready():
                return
        time.sleep(0.2)
    raise TopologyError(f"{description} did not start within {timeout} s")


def http_ok(url):
    with urllib.request.urlopen(url, timeout=2) as response:
        return response.status == 200


class Topology:
    """Start with ``with Topology() as topology:``; everything stops when the block ends."""

    def __init__(
        self,
        base_port=18040,
        cache_max_age=None,
        rate_limits=None,
        log_level="WARNING",
        source_database=None,
        workers=2,
        collect_static=True,
        archive_files=None,
    ):
        ports = iter(range(base_port, base_port + 7))
        self.primary_port, self.replica_port, self.redis_port = next(ports), next(ports), next(ports)
        self.app_ports = [next(ports), next(ports)]
        self.http_port, self.https_port = next(ports), next(ports)
        self.cache_max_age = cache_max_age
        self.rate_limits = rate_limits or {
            "search": "60/m",
            "api": "120/m",
            "exports": "20/m",
            "login": "10/m",
        }
        self.log_level = log_level
        # postgres://… of a database to copy into the primary (pg_dump | pg_restore) instead of
        # loading the archive: a benchmark's million recommendations.
        self.source_database = source_database
        # gunicorn workers per instance.
        self.workers = workers
        # False when the static files are collected already (the test session does it once:
        # collecting again would rewrite them under the feet of other tests).
        self.collect_static = collect_static
        # A folder of whole-archive files already written from the source database
        # (build_archive_files takes many minutes at a million recommendations).
        self.archive_files = archive_files
        self.processes = {}
        self.clusters = []
        self.root = None

    # --- Addresses ---

    @property
    def base_url(self):
        return f"https://127.0.0.1:{self.https_port}"

    @property
    def http_url(self):
        return f"http://127.0.0.1:{self.http_port}"

    def database_url(self, port):
        return f"postgres://postgres@127.0.0.1:{port}/ccs"

    @property
    def primary_url(self):
        return self.database_url(self.primary_port)

    @property
    def replica_url(self):
        return self.database_url(self.replica_port)

    def app_url(self, index):
        return f"http://127.0.0.1:{self.app_ports[index]}"

    # --- Life cycle ---

    def __enter__(self):
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info):
        self.stop()

    def start(self):
        self.root = Path(tempfile.mkdtemp(prefix="ccs-topology-"))
        self.root.chmod(0o755)
        # The clusters, their logs and sockets: in a folder the postgres user owns.
        self.postgres = self.root / "postgres"
        self.postgres.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.postgres, "postgres", "postgres")
        self.start_primary()
        self.prepare_database()
        self.start_replica()
        self.start_redis()
        for index in range(len(self.app_ports)):
            self.start_app(index)
        self.start_nginx()

    def stop(self):
        # nginx first, so that nothing reaches an application server that is stopping.
        for name in sorted(self.processes, key=lambda name: name != "nginx"):
            process = self.processes[name]
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.processes.clear()
        for data in reversed(self.clusters):
            if (data / "postmaster.pid").exists():
                self.pg_ctl(data, "stop", "-m", "fast", check=False)
        self.clusters.clear()
        if self.root and self.root.exists():
            shutil.rmtree(self.root, ignore_errors=True)

    # --- PostgreSQL ---

    def as_postgres(self, command, **kwargs):
        """Run a PostgreSQL server program as the postgres user (it refuses to run as root)."""
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, capture_output=True, text=True, **kwargs)

    def pg_ctl(self, data, *arguments, check=True):
        result = self.as_postgres([str(POSTGRES_BIN / "pg_ctl"), "-D", str(data), *arguments], check=False)
        if check and result.returncode != 0:
            log = (data.parent / f"{data.name}.log").read_text(errors="replace")[-3000:]
            raise TopologyError(f"pg_ctl {' '.join(arguments)} failed: {result.stderr}\n{log}")
        return result

    def cluster_folder(self, name):
        data = self.postgres / name
        data.mkdir(mode=0o700)
        if os.geteuid() == 0:
            shutil.chown(data, "postgres", "postgres")
        return data

    def start_cluster(self, data, port):
        self.clusters.append(data)
        self.pg_ctl(
            data, "start", "-w", "-t", str(START_TIMEOUT), "-l", str(data.parent / f"{data.name}.log"),
            "-o", f"-p {port} -k {self.postgres} -c listen_addresses=127.0.0.1",
        )  # fmt: skip

    def start_primary(self):
        data = self.cluster_folder("primary")
        result = self.as_postgres(
            [str(POSTGRES_BIN / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
             "--locale", "C.UTF-8", "--no-sync"],
            check=False,
        )  # fmt: skip
        if result.returncode != 0:
            raise TopologyError(f"initdb failed: {result.stderr}")
        with (data / "postgresql.conf").open("a") as conf:
            # wal_level=replica is PostgreSQL 15's default; initdb allows
            # replication from 127.0.0.1 in pg_hba.conf. A throwaway cluster:
            # durability is traded for speed.
            conf.write("wal_level = replica\nmax_wal_senders = 4\nfsync = off\nsynchronous_commit = off\n")
        self.start_cluster(data, self.primary_port)
        subprocess.run(
            [
                str(POSTGRES_BIN / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.primary_port),
                "-U",
                "postgres",
                "ccs",
            ],
            check=True,
            capture_output=True,
        )

    def start_replica(self):
        data = self.postgres / "replica"
        result = self.as_postgres(
            [str(POSTGRES_BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(self.primary_port), "-U", "postgres",
             "-D", str(data), "-R", "-X", "stream", "-c", "fast"],
            check=False,
        )  # fmt: skip
        if result.returncode != 0:
            raise TopologyError(f"pg_basebackup failed: {result.stderr}")
        self.start_cluster(data, self.replica_port)

    def stop_replica(self):
        self.pg_ctl(self.postgres / "replica", "stop", "-m", "fast")

    def start_replica_again(self):
        self.pg_ctl(
            self.postgres / "replica", "start", "-w", "-t", str(START_TIMEOUT), "-l", str(self.postgres / "replica.log"),
            "-o", f"-p {self.replica_port} -k {self.postgres} -c listen_addresses=127.0.0.1",
        )  # fmt: skip

    # --- The application ---

    @property
    def archive_files_root(self):
        return Path(self.archive_files) if self.archive_files else self.root / "archive-files"

    def environment(self, **overrides):
        env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
        env.update(
            DEBUG="0",
            SECRET_KEY="topology-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
            ALLOWED_HOSTS="127.0.0.1,localhost",
            CSRF_TRUSTED_ORIGINS=f"https://127.0.0.1:{self.https_port},https://localhost:{self.https_port}",
            SITE_URL=self.base_url,
            DATABASE_URL=self.primary_url,
            DATABASE_REPLICA_URLS=self.replica_url,
            REDIS_URL=f"redis://127.0.0.1:{self.redis_port}/0",
            # Behind nginx, on this machine: trust its X-Forwarded-For and -Proto.
            SECURE_PROXY_SSL_HEADER="1",
            TRUSTED_PROXIES="127.0.0.1",
            FORWARDED_ALLOW_IPS="127.0.0.1",
            ARCHIVE_FILES_ROOT=str(self.archive_files_root),
            ARCHIVE_FILES_ACCEL_PREFIX="/_archive-files/",
            WEB_CONCURRENCY=str(self.workers),
            LOG_LEVEL=self.log_level,
            RATE_LIMIT_SEARCH=self.rate_limits["search"],
            RATE_LIMIT_API=self.rate_limits["api"],
            RATE_LIMIT_EXPORTS=self.rate_limits["exports"],
            RATE_LIMIT_LOGIN=self.rate_limits["login"],
        )
        if self.cache_max_age is not None:
            env["CACHE_MAX_AGE"] = str(self.cache_max_age)
        env.update(overrides)
        return env

    def manage(self, *arguments):
        result = subprocess.run(
            [sys.executable, "manage.py", *arguments],
            cwd=PROJECT,
            env=self.environment(),
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise TopologyError(f"manage.py {' '.join(arguments)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def prepare_database(self):
        """Migrate the primary, load the archive (or copy the source) and write the whole-archive files."""
        if self.source_database:
            dump = self.root / "source.dump"
            subprocess.run(["pg_dump", "--format=custom", f"--file={dump}", self.source_database], check=True)
            subprocess.run(
                ["pg_restore", "--no-owner", "--jobs=2", f"--dbname={self.primary_url}", str(dump)],
                check=True,
            )
            dump.unlink()
            subprocess.run(["psql", "-q", "-c", "VACUUM (ANALYZE)", self.primary_url], check=True)
        self.manage("migrate", "--noinput", "--verbosity", "0")
        if self.collect_static:
            self.manage("collectstatic", "--noinput", "--verbosity", "0")
        if not self.source_database:
            self.manage("load_archive")

    def start_app(self, index):
        port = self.app_ports[index]
        log = (self.root / f"gunicorn-{index}.log").open("w")
        self.processes[f"app{index}"] = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "ccs_archive/gunicorn.conf.py", "ccs_archive.wsgi"],
            cwd=PROJECT,
            env=self.environment(BIND=f"127.0.0.1:{port}"),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        wait_for(
            f"gunicorn on {port}",
            lambda: http_ok(f"{self.app_url(index)}/healthz"),
            self.processes[f"app{index}"],
        )

    def stop_app(self, index):
        process = self.processes.pop(f"app{index}")
        process.terminate()
        process.wait(timeout=30)

    # --- Redis and nginx ---

    def start_redis(self):
        self.processes["redis"] = subprocess.Popen(
            ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.root)],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for("redis", self.redis_answers, self.processes["redis"])

    def redis_answers(self):
        result = subprocess.run(
            ["redis-cli", "-p", str(self.redis_port), "ping"], capture_output=True, text=True, check=False
        )
        return result.stdout.strip() == "PONG"

    def start_nginx(self):
        certificate, key = self_signed_certificate(self.root)
        self.certificate = certificate
        config = render_nginx(
            self.root / "nginx",
            upstreams=[f"127.0.0.1:{port}" for port in self.app_ports],
            http_port=self.http_port,
            https_port=self.https_port,
            certificate=certificate,
            certificate_key=key,
            static_root=PROJECT / "staticfiles",
            archive_files_root=self.archive_files_root,
            rate_limits=self.rate_limits,
        )
        nginx_test(config)
        self.processes["nginx"] = subprocess.Popen(
            ["nginx", "-p", str(config.parent), "-c", str(config), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=(self.root / "nginx-stderr.log").open("w"),
        )
        wait_for("nginx", lambda: http_ok(f"{self.http_url}/healthz"), self.processes["nginx"])


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--base-port", type=int, default=18040, help="the first of seven ports (default 18040)"
    )
    parser.add_argument("--cache-max-age", type=int, help="CACHE_MAX_AGE for the application servers")
    parser.add_argument(
        "--source-database", help="postgres://… to copy into the primary instead of loading the archive"
    )
    parser.add_argument(
        "--archive-files",
        metavar="FOLDER",
        help="whole-archive files already written from the source database (build_archive_files)",
    )
    arguments = parser.parse_args()

    def stop_on_sigterm(signum, frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop_on_sigterm)
    with Topology(
        base_port=arguments.base_port,
        cache_max_age=arguments.cache_max_age,
        source_database=arguments.source_database,
        archive_files=arguments.archive_files,
    ) as topology:
        print(
            f"The archive: {topology.base_url}/ (self-signed certificate; HTTP on {topology.http_url}/ redirects)\n"
            f"primary {topology.primary_url}  replica {topology.replica_url}  "
            f"redis 127.0.0.1:{topology.redis_port}  gunicorn {', '.join(map(str, topology.app_ports))}\n"
            f"logs in {topology.root}\nCtrl-C stops everything.",
            flush=True,
        )
        with contextlib.suppress(KeyboardInterrupt):
            while all(process.poll() is None for process in topology.processes.values()):
                time.sleep(1)
            failed = [name for name, process in topology.processes.items() if process.poll() is not None]
            print(f"Stopped: {', '.join(failed)} exited.", file=sys.stderr)


if __name__ == "__main__":
    main()
