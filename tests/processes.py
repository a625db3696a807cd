"""What a test needs to start a real process of the product against the test's own database."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import redis
from django.db import connection


def database_url() -> str:
    """DATABASE_URL of the database this test runs on (its test database)."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    return (
        f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}"
    )


def process_env(tmp_path: Path, **extra: str) -> dict:
    """The environment of a product process: this database, a data directory of its own, no
    mail sent, no broker unless `extra` names one."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.pop("CELERY_BROKER_URL", None)
    env.update(
        DATABASE_URL=database_url(),
        SERVICEDESK_DATA_DIR=str(tmp_path),
        EMAIL_URL="dummy://",
        PYTHONUNBUFFERED="1",
        **extra,
    )
    return env


def product_start(args: list[str], env: dict, log: Path) -> subprocess.Popen:
    """`servicedesk <args>` in a session of its own, its output in `log`."""
    return subprocess.Popen(
        [sys.executable, "-m", "servicedesk.cli", *args],
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def products_stop(processes: list[subprocess.Popen]) -> None:
    """SIGTERM to each process group, SIGKILL to those still there after 20 s."""
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def celery_start(env: dict, tmp_path: Path) -> list[subprocess.Popen]:
    """Two Celery workers (two threads of work each) and a beat, their logs in `tmp_path`."""
    processes = [
        product_start(
            ["worker", "-n", f"w{n}@%h", "--concurrency=2", "--without-mingle", "--without-gossip"],
            env,
            tmp_path / f"worker{n}.log",
        )
        for n in (1, 2)
    ]
    processes.append(
        product_start(
            ["beat", "--schedule", str(tmp_path / "beat-schedule")], env, tmp_path / "beat.log"
        )
    )
    return processes


def redis_available(url: str) -> bool:
    try:
        return redis.Redis.from_url(url, socket_timeout=1).ping()
    except redis.RedisError:
        return False
