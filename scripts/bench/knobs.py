"""The benchmark's size and load, read once from the environment (BENCH_*), and the names
every part of it shares. The defaults are the full run (see docs/performance.md for its
time on 2 cores); a quick run while developing: BENCH_IDEAS=5000 BENCH_VOTES=50000
BENCH_SECONDS=5 BENCH_BALLOTS=20000."""

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
WEB_WORKERS = _int("BENCH_WEB_WORKERS", 3)  # gunicorn processes (threads: config/gunicorn.py)
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

# The elections (issue 11): "1" runs them after the up/down scenarios, "0" skips them,
# "only" runs them alone.
ELECTIONS = os.environ.get("BENCH_ELECTIONS", "1")
BALLOTS = _int("BENCH_BALLOTS", 1_000_000)  # ballots (pairwise: answers) per format
# Kept between runs (the seed takes minutes at 1,000,000 ballots) unless BENCH_ELECTIONS_KEEP
# is 0; re-seeded when its data does not match the knobs, or with BENCH_ELECTIONS_RESEED=1.
ELECTIONS_DATABASE = os.environ.get("BENCH_ELECTIONS_DATABASE", "foule_bench_elections")
ELECTIONS_KEEP = os.environ.get("BENCH_ELECTIONS_KEEP", "1") != "0"
ELECTIONS_RESEED = os.environ.get("BENCH_ELECTIONS_RESEED", "0") == "1"
ELECTION_FORMATS = os.environ.get(
    "BENCH_ELECTION_FORMATS", "single,approval,ranked-schulze,ranked-irv,budget,pairwise"
).split(",")
TICK_BALLOTS = _int("BENCH_TICK_BALLOTS", 1000)  # new ballots before the measured tick
LOAD_VOTERS = _int("BENCH_LOAD_VOTERS", 5000)  # voters with tokens casting during the run
UPDOWN_IDEAS = _int("BENCH_UPDOWN_IDEAS", 1000)
# The election that takes ballots over HTTP while votes go to the up/down campaign.
LOAD_ELECTION = os.environ.get("BENCH_LOAD_ELECTION", "ranked-schulze")
LOAD_SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", "60"))
AUDIT_SECONDS = float(os.environ.get("BENCH_AUDIT_SECONDS", "5"))  # wrk on /audit/ pages
# One reader by default: the latency of a page itself, not of a queue behind the web workers.
AUDIT_CONNECTIONS = _int("BENCH_AUDIT_CONNECTIONS", 1)
