"""The machine the benchmark runs on: what it is, and how fast one core is right now."""

from __future__ import annotations

import contextlib
import os
import platform
import time
from datetime import datetime
from importlib import metadata
from pathlib import Path

import psutil
from django.db import connection

from core.redis import get_redis
from scripts.bench.knobs import (
    CELERY_CONCURRENCY,
    CONNECTIONS,
    IDEAS,
    PGBENCH_CLIENTS,
    ROUNDS,
    SECONDS,
    USERS,
    VOTES,
    WEB_WORKERS,
    WRK_THREADS,
)


def cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def describe_machine() -> str:
    """Prints what the run measures on, and returns it in one line for the tables."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0].split()[0]
    versions = ", ".join(
        f"{name} {metadata.version(name)}" for name in ("Django", "gunicorn", "celery", "psycopg")
    )
    machine = (
        f"{os.cpu_count()} cores ({cpu_model()}), "
        f"{psutil.virtual_memory().total / 2**30:.0f} GB RAM; PostgreSQL {postgres}, "
        f"Redis {get_redis().info('server')['redis_version']}, "
        f"Python {platform.python_version()}, {versions}"
    )
    print(
        f"Foule benchmark, {datetime.now().astimezone():%Y-%m-%d %H:%M %Z}: {IDEAS:,} ideas, "
        f"{VOTES:,} votes, {USERS:,} voters with tokens\n"
        f"Machine: {machine}\n"
        f"Load: wrk, {CONNECTIONS} connections on {WRK_THREADS} threads, {SECONDS:.0f} s per "
        f"scenario and round, {ROUNDS} rounds interleaved; pgbench -c {PGBENCH_CLIENTS}; "
        f"gunicorn {WEB_WORKERS} gthread workers (config/gunicorn.py); "
        f"Celery worker -c {CELERY_CONCURRENCY} with "
        f"beat.\nThe load generator, the servers, PostgreSQL and Redis share these "
        f"{os.cpu_count()} cores: the CPU figures say who used what.\n",
        flush=True,
    )
    return machine


def machine_speed() -> float:
    """Milliseconds of one core for a fixed pure-Python loop: this shared virtual machine's
    speed drifts by tens of percent over minutes, and every figure drifts with it. Printed
    before and after the load, so two runs can be compared."""
    started = time.perf_counter()
    total = 0
    for number in range(3_000_000):
        total += number % 7
    return round(1000 * (time.perf_counter() - started), 1)
