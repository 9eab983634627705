"""The machine the benchmark runs on: what it is, and how fast one core is right now."""

from __future__ import annotations

import contextlib
import os
import platform
import time
from importlib import metadata
from pathlib import Path

import psutil
from django.db import connection

from core.redis import get_redis
from scripts.bench.knobs import (
    CELERY_CONCURRENCY,
    CLIENTS,
    IDEAS,
    MAX_REQUESTS,
    SECONDS,
    USERS,
    VOTES,
    WEB_WORKERS,
)


def cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def describe_machine() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    versions = ", ".join(
        f"{name} {metadata.version(name)}" for name in ("Django", "gunicorn", "celery", "psycopg")
    )
    print(
        f"Foule benchmark: {IDEAS:,} ideas, {VOTES:,} votes, {USERS:,} voters with tokens\n"
        f"Machine: {os.cpu_count()} cores ({cpu_model()}), "
        f"{psutil.virtual_memory().total / 2**30:.0f} GB RAM; PostgreSQL {postgres}, "
        f"Redis {get_redis().info('server')['redis_version']}, "
        f"Python {platform.python_version()}, {versions}\n"
        f"Load: {CLIENTS} client processes with keep-alive connections, at most "
        f"{SECONDS:.0f} s and {MAX_REQUESTS:,} requests per scenario; gunicorn "
        f"{WEB_WORKERS} sync workers, Celery worker -c {CELERY_CONCURRENCY} with beat.\n"
        f"The load generator, the servers, PostgreSQL and Redis share these "
        f"{os.cpu_count()} cores: the CPU line under each scenario says who used what.\n",
        flush=True,
    )


def machine_speed() -> float:
    """Milliseconds of one core for a fixed pure-Python loop: this shared virtual machine's
    speed drifts by tens of percent over minutes, and every figure drifts with it. Printed
    before and after the load, so two runs can be compared."""
    started = time.perf_counter()
    total = 0
    for number in range(3_000_000):
        total += number % 7
    return round(1000 * (time.perf_counter() - started), 1)
