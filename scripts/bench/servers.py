"""The servers the benchmark loads: gunicorn and a Celery worker started for it, and the
process ids of the PostgreSQL and Redis already running, whose CPU it measures."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psutil
from django.conf import settings
from django.db import connection

from core.redis import get_redis, key
from core.tasks import HEARTBEAT_KEY, worker_heartbeat
from scripts.bench.knobs import CELERY_CONCURRENCY, HOST, WEB_WORKERS
from scripts.bench.report import note
from tests.support.worker import database_url_for_current_test_database

ROOT = Path(__file__).resolve().parents[2]
GUNICORN_CONFIG = ROOT / "config" / "gunicorn.py"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def service_env() -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "bench-" + "x" * 50,
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DJANGO_SECURE_SSL_REDIRECT": "False",
        "DJANGO_LOG_LEVEL": "ERROR",
        "DATABASE_URL": database_url_for_current_test_database(),
        "REDIS_URL": settings.REDIS_URL,
        "FOULE_REDIS_PREFIX": settings.FOULE_REDIS_PREFIX,
        # Anonymous list requests all come from 127.0.0.1: without this, the default
        # 600/minute throttle would answer most of them 429.
        "FOULE_API_ANON_RATE": "1000000/second",
        # The load is a few accounts voting as fast as they can from one address: exactly
        # what the limits on writes stop (core/ratelimit.py). The bench measures the rest.
        "FOULE_API_USER_RATE": "1000000/second",
        "FOULE_RATE_LIMIT_VOTE": "",
        "FOULE_RATE_LIMIT_WRITE": "",
        "FOULE_RATE_LIMIT_BALLOT": "",
    }


class Services:
    """gunicorn (config.wsgi, production settings) and a Celery worker with its embedded
    beat (as tests/support/worker.py runs it: test settings, so mail stays in memory),
    both on loopback; the beat keeps its production schedule (tally drain every 1 s). The
    worker logs each task at INFO level: the run sums their durations (task_summary)."""

    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="foule-bench-"))
        self.port = free_port()
        self.web = self.worker = self.results = None

    def start(self) -> None:
        env = service_env()
        # Production settings serve static files through a manifest.
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
            cwd=ROOT, env=env, check=True,
        )  # fmt: skip
        started_at = time.time()
        # make run's gunicorn settings when present, so the bench serves as it does; the
        # arguments after them win. No access log: a proxy in front keeps that one.
        shared = ["-c", str(GUNICORN_CONFIG)] if GUNICORN_CONFIG.exists() else []
        self.web = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", *shared, "config.wsgi:application",
             "--workers", str(WEB_WORKERS), "--bind", f"{HOST}:{self.port}", "--timeout", "30",
             "--error-logfile", str(self.folder / "web.log"), "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=(self.folder / "web.out").open("w"),
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "-B", "-Q", "celery",
             "-s", str(self.folder / "beat-schedule"), "-c", str(CELERY_CONCURRENCY),
             "-l", "INFO", "--without-mingle", "--without-gossip", "-n", "bench@%h"],
            cwd=ROOT, env={**env, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
            stdout=(self.folder / "worker.log").open("w"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        # Results on a worker of their own, as under `make run`: a long election recount
        # never holds the processes that drain the tallies and answer the heartbeat.
        self.results = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", "results",
             "-c", "1", "-l", "INFO", "--without-mingle", "--without-gossip",
             "-n", "bench-results@%h"],
            cwd=ROOT, env={**env, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
            stdout=(self.folder / "results.log").open("w"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        note(f"gunicorn on {HOST}:{self.port}; logs in {self.folder}")
        worker_heartbeat.delay()  # answered as soon as the worker takes its first task
        deadline = time.monotonic() + 60
        web_ready = worker_ready = False
        while not (web_ready and worker_ready):
            if time.monotonic() > deadline:
                raise SystemExit(f"the services did not start{self.log_tails()}")
            for process in (self.web, self.worker, self.results):
                if process.poll() is not None:
                    raise SystemExit(f"a service exited early{self.log_tails()}")
            if not web_ready:
                health = f"http://{HOST}:{self.port}/healthz"
                with contextlib.suppress(OSError), urllib.request.urlopen(health, timeout=2):
                    web_ready = True
            beat = get_redis().get(key(HEARTBEAT_KEY))
            worker_ready = bool(beat) and float(beat) >= started_at
            time.sleep(0.2)

    def log_tails(self) -> str:
        """The last lines of each service's log, to say why it stopped."""
        tails = [f"; logs in {self.folder}"]
        for name in ("web.out", "web.log", "worker.log", "results.log"):
            path = self.folder / name
            lines = path.read_text(errors="replace").splitlines()[-12:] if path.exists() else []
            if lines:
                tails.append(f"\n--- {name}:\n" + "\n".join(lines))
        return "".join(tails)

    def stop_worker(self) -> None:
        """The Celery workers and beat only (the web server keeps serving)."""
        self.stop(processes=(self.worker, self.results))
        self.worker = self.results = None

    def stop(self, processes: tuple | None = None) -> None:
        processes = processes or (self.web, self.worker, self.results)
        for process in processes:
            if process and process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            if process:
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def local_pid_of(pid: int | None, *names: str) -> int | None:
    """`pid` if it is a process of this machine whose name contains one of `names`."""
    with contextlib.suppress(psutil.Error, TypeError):
        if any(name in psutil.Process(pid).name() for name in names):
            return pid
    return None


def postgres_pid() -> int | None:
    """The postmaster, if PostgreSQL runs on this machine (its backends are its children)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    with contextlib.suppress(psutil.Error):
        return local_pid_of(psutil.Process(backend).ppid(), "postgres")
    return None


def redis_pid() -> int | None:
    return local_pid_of(get_redis().info("server").get("process_id"), "redis")


def clear_redis() -> None:
    """Every key under the bench's prefix, before and after the run."""
    redis = get_redis()
    for name in redis.scan_iter(match=key("*"), count=1000):
        redis.delete(name)


TASK_LINE = re.compile(
    r"Task ([\w.]+)\[[^\]]+\] (succeeded in ([0-9.]+)s|raised unexpected: (\w+))"
)


def task_summary(log: Path) -> list[str]:
    """One line per Celery task from the worker's log: how many ran, their total and
    longest time, and how many failed (with the exception's name): a drain that waits
    behind a long task or fails shows in the tally lag."""
    tasks: dict[str, dict] = {}
    for match in TASK_LINE.finditer(log.read_text(errors="replace") if log.exists() else ""):
        task = tasks.setdefault(match[1], {"runs": 0, "total": 0.0, "longest": 0.0, "failed": {}})
        if match[3]:
            task["runs"] += 1
            task["total"] += float(match[3])
            task["longest"] = max(task["longest"], float(match[3]))
        else:
            task["failed"][match[4]] = task["failed"].get(match[4], 0) + 1
    lines = []
    for name, task in sorted(tasks.items(), key=lambda item: -item[1]["total"]):
        failed = ", ".join(f"{count} {error}" for error, count in task["failed"].items())
        lines.append(
            f"{name.rsplit('.', 1)[-1]}: {task['runs']} runs, {task['total']:.1f} s in all, "
            f"longest {task['longest']:.2f} s" + (f"; failed: {failed}" if failed else "")
        )
    return lines
