"""The benchmark's size and load, read once from the environment (BENCH_*), and the names
every part of it shares. The defaults are the full run (about 12 minutes on 2 cores); a
quick run while developing: BENCH_IDEAS=5000 BENCH_VOTES=50000 BENCH_SECONDS=5."""

from __future__ import annotations

import os


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, str(default)))


IDEAS = _int("BENCH_IDEAS", 100_000)
VOTES = _int("BENCH_VOTES", 1_000_000)
USERS = _int("BENCH_USERS", 20_000)
# Seconds of load per scenario and round: every scenario runs ROUNDS times, interleaved
# (A B C ... A B C ...), and the median of its rounds is its figure. A shared virtual
# machine's speed drifts by +-20 % from one ten-second stretch to the next; interleaving
# spreads that drift over every scenario instead of charging it to one.
SECONDS = float(os.environ.get("BENCH_SECONDS", "20"))
ROUNDS = _int("BENCH_ROUNDS", 2)
# Open keep-alive connections of the load generator (wrk), spread over its threads.
CONNECTIONS = _int("BENCH_CONNECTIONS", 8)
WRK_THREADS = _int("BENCH_WRK_THREADS", 2)
WEB_WORKERS = _int("BENCH_WEB_WORKERS", 3)  # gunicorn sync workers, as the Dockerfile deploys
CELERY_CONCURRENCY = _int("BENCH_CELERY_CONCURRENCY", 2)
PGBENCH_CLIENTS = _int("BENCH_PGBENCH_CLIENTS", CONNECTIONS)
DASHBOARD_REQUESTS = _int("BENCH_DASHBOARD_REQUESTS", 200)
# The deep page of the campaign page (50 ideas a page): page 1,000 needs 50,000 ideas; a
# smaller campaign measures its last full page instead, and says so.
IDEAS_PER_PAGE = 50
DEEP_PAGE = _int("BENCH_DEEP_PAGE", 1000)
# Seconds of an extra spread vote round with py-spy recording one web worker (not counted
# in the figures: the sampler slows what it watches); 0 skips it.
PROFILE_SECONDS = float(os.environ.get("BENCH_PROFILE_SECONDS", str(min(SECONDS, 15))))
# Created at the start and dropped at the end: a name no other database uses.
DATABASE = os.environ.get("BENCH_DATABASE", "foule_bench")
HOST = "127.0.0.1"
