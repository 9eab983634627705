"""`make bench`: Foule at scale on the real PostgreSQL, Redis, gunicorn and Celery,
measured like the outside world measures it.

Seeds a throw-away database (BENCH_DATABASE, dropped at the end) with 100,000 ideas and
1,000,000 votes, recounts every tally once (timed), serves it with gunicorn (production
settings) and a Celery worker with its beat on loopback, then runs each scenario ROUNDS
times, interleaved (A B C ... A B C ...): votes over HTTP spread over every idea and all
on one hot idea, the campaign page (HTML) at page 1 and at a deep page, the ranked API
list, and pgbench with the same vote upsert. wrk (a C load generator, installed when
missing) drives the HTTP scenarios; each figure is the median of its rounds, with the web
workers' and PostgreSQL's CPU per request from their processes' CPU time. Then py-spy
profiles of a web worker during the vote load, the campaign page and the API list, a brand
manager's dashboard, the peak memory of each process, a check that every tally equals its
votes, and every target of issue 10 with its figure and PASS or MISS, also as a markdown
table for docs/performance.md.

Then the elections of issue 11 (scripts/bench/elections.py): one campaign per ballot format
with BENCH_BALLOTS ballots in their own database (kept between runs), their live recompute,
a tick after 1,000 new ballots, the final result and its recount, ballots over HTTP at full
speed while up/down votes keep the tally drain busy (tally lag, heartbeat), and the audit
pages and download; every target with PASS or MISS, and the markdown tables.

Knobs (environment, scripts/bench/knobs.py): BENCH_IDEAS, BENCH_VOTES, BENCH_USERS,
BENCH_SECONDS (per scenario and round), BENCH_ROUNDS, BENCH_CONNECTIONS, BENCH_WRK_THREADS,
BENCH_WEB_WORKERS, BENCH_CELERY_CONCURRENCY, BENCH_PGBENCH_CLIENTS, BENCH_DEEP_PAGE,
BENCH_PROFILE_SECONDS (0: no profile), BENCH_DASHBOARD_REQUESTS, BENCH_DATABASE
(foule_bench); FOULE_REDIS_PREFIX (foule-bench); for the elections BENCH_ELECTIONS (1; 0
skips them, "only" runs them alone), BENCH_BALLOTS, BENCH_ELECTIONS_DATABASE,
BENCH_ELECTIONS_KEEP, BENCH_ELECTIONS_RESEED, BENCH_ELECTION_FORMATS, BENCH_TICK_BALLOTS,
BENCH_LOAD_ELECTION, BENCH_LOAD_SECONDS, BENCH_LOAD_VOTERS, BENCH_UPDOWN_IDEAS,
BENCH_AUDIT_SECONDS, BENCH_AUDIT_CONNECTIONS. A quick run:
BENCH_IDEAS=5000 BENCH_VOTES=50000 BENCH_SECONDS=5 BENCH_BALLOTS=20000 make bench."""

from __future__ import annotations

import os
import sys
import time
import warnings
from pathlib import Path

STARTED = time.perf_counter()
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ.setdefault("FOULE_REDIS_PREFIX", "foule-bench")

# pgserver asks platformdirs for a runtime folder; without XDG_RUNTIME_DIR it warns, harmlessly.
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

from scripts.bench import elections, extras, monitor, profile, report, seed, wrk  # noqa: E402
from scripts.bench.knobs import (  # noqa: E402
    BALLOTS,
    CONNECTIONS,
    DATABASE,
    ELECTIONS,
    IDEAS,
    LOAD_SECONDS,
    PROFILE_SECONDS,
    ROUNDS,
    SECONDS,
    TICK_BALLOTS,
    USERS,
    VOTES,
    WEB_WORKERS,
)
from scripts.bench.machine import describe_machine, machine_speed  # noqa: E402
from scripts.bench.report import Row, figures, note, say  # noqa: E402
from scripts.bench.scenarios import Bench  # noqa: E402
from scripts.bench.servers import Services, clear_redis, task_summary  # noqa: E402


def main() -> int:
    machine = describe_machine()
    wrk_binary = wrk.ensure_wrk()
    try:
        if ELECTIONS != "only":
            votes_section(machine, wrk_binary)
        if ELECTIONS != "0":
            print(f"\nElections (issue 11): {BALLOTS:,} ballots a format", flush=True)
            rows = elections.run(wrk_binary)
            knobs = (
                f"{BALLOTS:,} ballots a format, {TICK_BALLOTS:,} a tick, {CONNECTIONS} "
                f"connections, {LOAD_SECONDS:.0f} s of ballots, {WEB_WORKERS} gunicorn workers"
            )
            report.print_summary(rows, machine=machine, knobs=knobs, measured="measured")
    finally:
        print(f"\nmake bench took {time.perf_counter() - STARTED:.0f} s", flush=True)
    return 0


def votes_section(machine: str, wrk_binary: str | None) -> None:
    """Issue 10's figures: up/down votes, pages and lists on BENCH_DATABASE."""
    connection.settings_dict["TEST"]["NAME"] = DATABASE
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    clear_redis()
    services = Services()
    try:
        data = seed.seed(ideas=IDEAS, votes=VOTES, users=USERS)
        seed.pgbench_table_create()
        extras.recount(data.campaign_id)
        seed.settle()
        connection.close()
        say("machine speed before the load: a fixed Python loop", machine_speed(), "ms")
        services.start()
        bench = Bench(data, services, wrk_binary)
        scenarios = bench.plan()
        web_memory = monitor.PeakMemory(services.web.pid)
        worker_memory = monitor.PeakMemory(services.worker.pid, services.results.pid)
        web_memory.start()
        worker_memory.start()
        bench.warm_up()
        print(f"\n{ROUNDS} rounds of {len(scenarios)} scenarios, {SECONDS:.0f} s each:")
        lags = monitor.LagSampler()
        lags.start()
        vote_lags = bench.run_rounds(SECONDS, lags)
        lags.stop()
        medians = bench.medians()
        lag_p99 = monitor.percentile(vote_lags, 0.99)
        say("tally lag p50 during the vote load", monitor.percentile(vote_lags, 0.50), "s")
        say("tally lag p99 during the vote load", lag_p99, "s")
        interval = settings.CELERY_BEAT_SCHEDULE["tally-drain-dirty"]["schedule"].seconds
        note(f"{len(vote_lags):,} recounts sampled; the drain runs every {interval:.1f} s")
        print("Celery tasks so far (from the worker's log):")
        for line in task_summary(services.folder / "worker.log"):
            note(line)
        spread, tps = medians.get("vote-spread"), medians.get("pgbench", {}).get("rate")
        if spread and tps:
            say("HTTP vote rate as a share of pgbench's", 100 * spread["rate"] / tps, "%")
        for key in ("vote-spread", "page-1", "api-list") if PROFILE_SECONDS else ():
            if key in scenarios:
                profile.profile_scenario(bench, scenarios[key], PROFILE_SECONDS)
        print()
        dashboard = extras.dashboard_scenario(data, services)
        web_memory.stop()
        worker_memory.stop()
        workers = {pid: mb for pid, mb in web_memory.peaks.items() if pid != services.web.pid}
        web_peak = max(workers.values() or [0.0])
        worker_peak = max(worker_memory.peaks.values() or [0.0])
        say("peak resident memory, largest gunicorn web worker", web_peak, "MB")
        say("peak resident memory, largest Celery process", worker_peak, "MB")
        note(
            f"gunicorn master {web_memory.peaks.get(services.web.pid, 0):.0f} MB, workers "
            + ", ".join(f"{mb:.0f}" for mb in sorted(workers.values()))
            + " MB; Celery processes (main, pool, beat) "
            + ", ".join(f"{mb:.0f}" for mb in sorted(worker_memory.peaks.values()))
            + " MB"
        )
        settled = monitor.LagSampler().drained(timeout=30)
        after_load = seed.tallies_differing(data.campaign_id)
        say("tallies differing from the vote rows after the load", after_load)
        note(f"checked {settled:.1f} s after the last request, once the dirty set was empty")
        services.stop()
        say("machine speed after the load: the same loop", machine_speed(), "ms")
        rows = report.target_rows(
            medians, lag_p99=lag_p99, web_peak=web_peak, worker_peak=worker_peak,
            recount_s=figures.get("full recount of all votes (tally_recount_all)"),
        )  # fmt: skip
        errors = sum(figure["errors"] for key, figure in medians.items() if key != "pgbench")
        rows += [
            Row("also: no error answer in any HTTP scenario", errors == 0, f"{errors} errors"),
            Row("also: tallies equal the votes after the load", after_load == 0,
                f"{after_load} differing"),
            Row("also: brand dashboard p99 < 300 ms", dashboard["p99"] < 300
                and not dashboard["errors"], f"p50 {dashboard['p50']:.1f} ms, "
                f"p99 {dashboard['p99']:.1f} ms"),
        ]  # fmt: skip
        knobs = (
            f"{IDEAS:,} ideas, {VOTES:,} votes, {CONNECTIONS} connections, {ROUNDS} rounds of "
            f"{SECONDS:.0f} s, {WEB_WORKERS} gunicorn workers"
        )
        report.print_summary(rows, machine=machine, knobs=knobs)
        report.print_scenario_table({key: s.name for key, s in scenarios.items()}, medians)
    finally:
        services.stop()
        connection.close()
        connection.creation.destroy_test_db(old_name, verbosity=0)
        clear_redis()


if __name__ == "__main__":
    sys.exit(main())
