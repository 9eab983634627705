"""The benchmark's size and load, read once from the environment (BENCH_*), and the names
every part of it shares."""

from __future__ import annotations

import os

IDEAS = int(os.environ.get("BENCH_IDEAS", "100000"))
VOTES = int(os.environ.get("BENCH_VOTES", "1000000"))
USERS = int(os.environ.get("BENCH_USERS", "20000"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "20"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "4"))
MAX_REQUESTS = int(os.environ.get("BENCH_MAX_REQUESTS", "100000"))
WEB_WORKERS = int(os.environ.get("BENCH_WEB_WORKERS", "3"))  # as the Dockerfile deploys
CELERY_CONCURRENCY = int(os.environ.get("BENCH_CELERY_CONCURRENCY", "2"))
PGBENCH_CLIENTS = int(os.environ.get("BENCH_PGBENCH_CLIENTS", "4"))
DASHBOARD_REQUESTS = int(os.environ.get("BENCH_DASHBOARD_REQUESTS", "200"))
# Spread and hot alternate in short rounds, SECONDS / VOTE_ROUNDS each, in the order
# S H H S S H H S: a shared virtual machine's speed drifts by +-20 % from one ten-second
# stretch to the next, and this order cancels a steady drift between the two.
VOTE_ROUNDS = 4
# Created at the start and dropped at the end: a name no other database uses.
DATABASE = os.environ.get("BENCH_DATABASE", "foule_bench")
HOST = "127.0.0.1"
