"""What every benchmark shares.

- a throw-away PostgreSQL database (`bench_<name>_<pid>`), dropped at the end whatever happens;
- the product's server, `servicedesk serve` (gunicorn), on a free 127.0.0.1 port, with the
  benchmark URLconf (bench/bare_urls.py) so the bare reference view is served by the same
  processes, settings and middleware as the endpoint measured;
- a load generator in another process (`wrk`, or bench/_pyload.py when wrk is missing), for a
  fixed duration, to loopback only;
- the table every benchmark prints, and its PASS/FAIL lines.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from bench import BARE_PATH

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
# The maintenance connection used to create and drop the benchmark databases.
ADMIN_DSN = os.environ.get("BENCH_PG_ADMIN_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")
WRK_HINT = "wrk not found: `apt-get install wrk` (Debian); falling back to bench/_pyload.py"


def _raise_on_sigterm() -> None:
    """Turn SIGTERM into SystemExit so `finally` blocks stop the server and drop the database."""

    def handler(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, handler)


# ---------------------------------------------------------------------------------------------
# Database


class Database:
    """A fresh PostgreSQL database for one run; dropped on exit (also on error or Ctrl+C)."""

    def __init__(self, name: str):
        self.name = f"bench_{name}_{os.getpid()}"
        base = psycopg.conninfo.conninfo_to_dict(ADMIN_DSN)
        base["dbname"] = self.name
        self.dsn = psycopg.conninfo.make_conninfo(**base)
        user = base.get("user", "postgres")
        port = base.get("port", 5432)
        self.url = f"postgres://{user}@{base.get('host', HOST)}:{port}/{self.name}"

    def __enter__(self) -> Database:
        _raise_on_sigterm()
        with closing(psycopg.connect(ADMIN_DSN, autocommit=True)) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{self.name}"')
        return self

    def __exit__(self, *exc) -> None:
        self.drop()

    def drop(self) -> None:
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        with closing(psycopg.connect(ADMIN_DSN, autocommit=True)) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def execute(self, sql: str, params=None) -> list[tuple]:
        with closing(psycopg.connect(self.dsn, autocommit=True)) as conn:
            cursor = conn.execute(sql, params)
            return cursor.fetchall() if cursor.description else []


# ---------------------------------------------------------------------------------------------
# Environment shared by this process (fixtures, EXPLAIN) and the server it starts


@dataclass
class Environment:
    """Environment variables of the product, as a production-like deployment would set them."""

    database: Database
    jobs: str = "thread"
    data_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="bench-data-")))

    def variables(self) -> dict[str, str]:
        return {
            "DATABASE_URL": self.database.url,
            "DJANGO_SETTINGS_MODULE": "bench.settings_bench",
            "PYTHONPATH": os.pathsep.join(
                p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p
            ),
            "SERVICEDESK_JOBS": self.jobs,
            "EMAIL_URL": "dummy://",
            "DEBUG": "0",
            "SECRET_KEY": _secret_key(),
            "SERVICEDESK_DATA_DIR": str(self.data_dir),
            "LOG_LEVEL": "WARNING",
            "ACCESS_LOG": "",
        }

    def subprocess_env(self) -> dict[str, str]:
        return {**os.environ, **self.variables()}

    def django_setup(self) -> None:
        """Configure Django in this process against the benchmark database."""
        os.environ.update(self.variables())
        if str(REPO) not in sys.path:
            sys.path.insert(0, str(REPO))
        import django

        django.setup()

    def cleanup(self) -> None:
        shutil.rmtree(self.data_dir, ignore_errors=True)


_SECRET = secrets.token_urlsafe(40)


def _secret_key() -> str:
    return _SECRET


def servicedesk(env: Environment, *args: str, timeout: float | None = None) -> str:
    """Run the product's `servicedesk` command (e.g. `migrate`, `seed --tickets N`).

    Returns what it printed; on failure that is shown with the error.
    """
    completed = subprocess.run(
        [str(BIN / "servicedesk"), *args],
        env=env.subprocess_env(),
        cwd=env.data_dir,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if completed.returncode != 0:
        print(completed.stdout[-4000:], completed.stderr[-4000:], file=sys.stderr)
        completed.check_returncode()
    return completed.stdout


# ---------------------------------------------------------------------------------------------
# Server


def free_port() -> int:
    with closing(socket.socket()) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@dataclass
class ServerConfig:
    """How `servicedesk serve` runs: its defaults are 2 workers × 4 threads (gthread)."""

    workers: int = 2
    threads: int = 4

    def describe(self) -> str:
        kind = "gthread" if self.threads > 1 else "sync"
        return (
            f"gunicorn via `servicedesk serve`: {self.workers} workers × {self.threads} threads"
            f" ({kind}), keep-alive, DEBUG off"
        )


class Server:
    """`servicedesk serve` in a subprocess on a free loopback port; stopped on exit."""

    def __init__(self, env: Environment, config: ServerConfig):
        self.env = env
        self.config = config
        self.port = free_port()
        self.base_url = f"http://{HOST}:{self.port}"
        self.log_path = env.data_dir / f"server-{self.port}.log"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [
                str(BIN / "servicedesk"),
                "serve",
                "--host",
                HOST,
                "--port",
                str(self.port),
                "--workers",
                str(self.config.workers),
                "--threads",
                str(self.config.threads),
            ],
            env=self.env.subprocess_env(),
            cwd=self.env.data_dir,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def _wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited early:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.base_url + BARE_PATH, timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.3)
        raise RuntimeError(f"the server did not answer within {timeout} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


# ---------------------------------------------------------------------------------------------
# Load


@dataclass
class LoadResult:
    label: str
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int
    reference: bool = False
    ratio: str = ""

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def load_generator() -> str:
    """`wrk` when installed; BENCH_LOAD_GENERATOR=python forces the fallback."""
    if os.environ.get("BENCH_LOAD_GENERATOR") == "python":
        return "python"
    return "wrk" if shutil.which("wrk") else "python"


def run_load(
    label: str,
    url: str,
    *,
    connections: int,
    duration: float,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    body_template: str | None = None,
    reference: bool = False,
) -> LoadResult:
    """Drive `url` from another process with `connections` closed-loop connections."""
    if not url.startswith(f"http://{HOST}:"):
        raise ValueError("benchmarks send traffic to 127.0.0.1 only")
    headers = headers or {}
    if load_generator() == "wrk":
        command = [
            "wrk",
            # One connection per thread: wrk_load.lua times each request itself.
            f"-t{connections}",
            f"-c{connections}",
            f"-d{max(1, round(duration))}s",
            "--timeout",
            "30s",
            "-s",
            str(Path(__file__).with_name("wrk_load.lua")),
        ]
        for name, value in headers.items():
            command += ["-H", f"{name}: {value}"]
        command += [url, "--", method]
        if body_template is not None:
            command.append(body_template)
    else:
        command = [
            sys.executable,
            "-m",
            "bench._pyload",
            "--url",
            url,
            "--connections",
            str(connections),
            "--duration",
            str(duration),
            "--method",
            method,
        ]
        for name, value in headers.items():
            command += ["--header", f"{name}: {value}"]
        if body_template is not None:
            command += ["--body", body_template]
    return measure(label, command, duration=duration, reference=reference)


def measure(
    label: str, command: list[str], *, duration: float, reference: bool = False
) -> LoadResult:
    """Run a load generator `command` that ends with a "WRK_JSON {...}" line; read it."""
    completed = subprocess.run(
        command,
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=duration + 120,
        check=True,
    )
    line = next(
        (ln for ln in completed.stdout.splitlines() if ln.startswith("WRK_JSON ")),
        None,
    )
    if line is None:
        raise RuntimeError(f"no result from the load generator:\n{completed.stdout}")
    data = json.loads(line.removeprefix("WRK_JSON "))
    errors = sum(data[k] for k in ("connect", "read", "write", "status", "timeout"))
    return LoadResult(
        label=label,
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        p50_ms=data["p50_us"] / 1000,
        p95_ms=data["p95_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        errors=errors,
        reference=reference,
    )


def median_result(results: list[LoadResult]) -> LoadResult:
    """One row out of several rounds of the same step: the medians, with summed counts."""
    first = results[0]
    if len(results) == 1:
        return first
    seconds = sum(r.seconds for r in results)
    requests = round(statistics.median(r.rps for r in results) * seconds)
    return LoadResult(
        label=first.label,
        requests=requests,
        seconds=seconds,
        p50_ms=statistics.median(r.p50_ms for r in results),
        p95_ms=statistics.median(r.p95_ms for r in results),
        p99_ms=statistics.median(r.p99_ms for r in results),
        errors=sum(r.errors for r in results),
        reference=first.reference,
    )


# ---------------------------------------------------------------------------------------------
# Output


def print_table(rows: list[LoadResult]) -> None:
    header = ["row", "requests", "req/s", "p50 ms", "p95 ms", "ratio to reference"]
    body = [
        [
            ("reference: " if r.reference else "") + r.label,
            f"{r.requests}" + (f" ({r.errors} errors)" if r.errors else ""),
            f"{r.rps:,.0f}",
            f"{r.p50_ms:.2f}",
            f"{r.p95_ms:.2f}",
            r.ratio or ("1.00 (reference)" if r.reference else ""),
        ]
        for r in rows
    ]
    widths = [max(len(h), *(len(row[i]) for row in body)) for i, h in enumerate(header)]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    print(line(header))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in body:
        print(line(row))


def verdict(ok: bool, text: str) -> bool:
    print(f"{'PASS' if ok else 'FAIL'}: {text}")
    return ok


def banner(title: str, config: ServerConfig, extra: list[str] = ()) -> None:
    print(f"## {title}")
    print(f"server: {config.describe()}")
    generator = load_generator()
    print(f"load generator: {generator}" + ("" if generator == "wrk" else f"  ({WRK_HINT})"))
    cpu = os.cpu_count()
    print(
        f"machine: {cpu} CPUs, {sys.platform}, Python {sys.version.split()[0]};"
        f" load average at start {load_average()}"
    )
    for line in extra:
        print(line)
    sys.stdout.flush()


def load_average() -> str:
    """The 1-minute load average: on a shared machine, what else competed for the CPUs."""
    return f"{os.getloadavg()[0]:.1f}"
