"""`make bench`: Foule at scale on the real PostgreSQL, Redis, gunicorn and Celery.

Seeds a throw-away database (foule_bench, dropped at the end) with 100,000 ideas and
1,000,000 votes, recounts every tally once, serves it with gunicorn (production settings)
and a Celery worker with its beat on loopback, drives it from separate client processes
for a bounded time and request count per scenario, runs pgbench with the same vote upsert,
and prints one figure per line, then the targets with PASS or MISS.

The load generator, the web workers, the Celery worker, PostgreSQL and Redis all share
the machine's cores: each figure is what this machine does with all of them at once, and
the CPU each part used is printed under each scenario.

Knobs (environment): BENCH_IDEAS, BENCH_VOTES, BENCH_USERS, BENCH_SECONDS (per scenario),
BENCH_CLIENTS (load processes), BENCH_MAX_REQUESTS (per scenario), BENCH_WEB_WORKERS,
BENCH_CELERY_CONCURRENCY, BENCH_PGBENCH_CLIENTS, BENCH_DASHBOARD_REQUESTS, BENCH_DATABASE
(foule_bench); FOULE_REDIS_PREFIX (foule-bench)."""

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

from scripts.bench import monitor, seed  # noqa: E402
from scripts.bench.knobs import DATABASE, IDEAS, USERS, VOTES  # noqa: E402
from scripts.bench.machine import describe_machine, machine_speed  # noqa: E402
from scripts.bench.report import figures, note, say  # noqa: E402
from scripts.bench.scenarios import Bench, dashboard_scenario, pgbench, recount  # noqa: E402
from scripts.bench.servers import Services, clear_redis  # noqa: E402


def main() -> int:
    connection.settings_dict["TEST"]["NAME"] = DATABASE
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    clear_redis()
    services = Services()
    try:
        describe_machine()
        data = seed.seed(ideas=IDEAS, votes=VOTES, users=USERS)
        recount()
        seed.settle()
        connection.close()
        say("machine speed before the load: a fixed Python loop", machine_speed(), "ms")
        services.start()
        bench = Bench(data, services)
        web_memory = monitor.PeakMemory(services.web.pid)
        worker_memory = monitor.PeakMemory(services.worker.pid)
        web_memory.start()
        worker_memory.start()
        bench.warm_up()
        print()
        lags = monitor.LagSampler()
        lags.start()
        spread, hot, spread_lags, hot_lags = bench.votes(lags)
        lags.stop()
        all_lags = sorted(spread_lags + hot_lags)
        say("tally lag p50 during the vote load", monitor.percentile(all_lags, 0.50), "s")
        say("tally lag p99 during the vote load", monitor.percentile(all_lags, 0.99), "s")
        note(
            f"{len(all_lags):,} recounts sampled (one per dirty idea per drain); p99 spread "
            f"{monitor.percentile(spread_lags, 0.99) or 0:.2f} s, hot "
            f"{monitor.percentile(hot_lags, 0.99) or 0:.2f} s; the drain runs every "
            f"{settings.CELERY_BEAT_SCHEDULE['tally-drain-dirty']['schedule'].seconds:.1f} s"
        )
        slug = data.slug
        page1 = bench.get(
            "ranked idea list (API), page 1", "get", f"/api/v1/campaigns/{slug}/ideas/"
        )
        page1_uncached = bench.get(
            "ranked idea list (API), page 1, no shared page cache",
            "get-uncached",
            f"/api/v1/campaigns/{slug}/ideas/",
        )
        bench.get(
            "ranked idea list (API), page 1000",
            "get",
            f"/api/v1/campaigns/{slug}/ideas/?page=1000",
        )
        bench.get("campaign page (HTML, 50 ideas)", "get", f"/campaigns/{slug}/")
        dashboard = dashboard_scenario(data, services)
        web_memory.stop()
        worker_memory.stop()
        workers = {pid: mb for pid, mb in web_memory.peaks.items() if pid != services.web.pid}
        web_peak = max(workers.values() or [0.0])
        worker_peak = max(worker_memory.peaks.values() or [0.0])
        say("peak resident memory, one gunicorn web worker", round(web_peak, 1), "MB")
        say("peak resident memory, one Celery process", round(worker_peak, 1), "MB")
        note(
            f"gunicorn master {web_memory.peaks.get(services.web.pid, 0):.0f} MB; Celery "
            "processes (main, pool, beat) "
            + ", ".join(f"{mb:.0f}" for mb in sorted(worker_memory.peaks.values()))
            + " MB"
        )
        settled = monitor.LagSampler().drained(timeout=30)
        after_load = seed.tallies_differing()
        say("tallies differing from the vote rows after the load", after_load)
        note(f"checked {settled:.1f} s after the last request, once the dirty set was empty")
        services.stop()  # pgbench gets the machine to itself, as the database's own limit
        tps = pgbench(data, bench.trees)
        say("machine speed after the load: the same loop", machine_speed(), "ms")
        share = spread["rate"] / tps if tps else None
        say("HTTP vote rate as a share of pgbench's", share and round(100 * share, 1), "%")
        print()
        summary(
            spread=spread, hot=hot, page1=page1, page1_uncached=page1_uncached,
            lag_p99=monitor.percentile(all_lags, 0.99), web_peak=web_peak,
            worker_peak=worker_peak, after_load=after_load, dashboard=dashboard,
        )  # fmt: skip
    finally:
        services.stop()
        connection.close()
        connection.creation.destroy_test_db(old_name, verbosity=0)
        clear_redis()
        print(f"\nmake bench took {time.perf_counter() - STARTED:.0f} s", flush=True)
    return 0


def summary(
    *, spread, hot, page1, page1_uncached, lag_p99, web_peak, worker_peak, after_load, dashboard
):
    recount_s = figures["full recount of all votes (tally_recount_all)"]
    ratio = hot["rate"] / spread["rate"] if spread["rate"] else 0.0
    rows = [
        ("vote casts over HTTP >= 1,000/s", spread["rate"] >= 1000,
         f"{spread['rate']:,.0f} votes/s (p50 {spread['p50']:.0f} ms, p99 {spread['p99']:.0f} ms)"),
        ("hot idea within 10% of spread", ratio >= 0.9,
         f"{ratio:.0%} of spread ({hot['rate']:,.0f} votes/s)"),
        ("ranked list >= 200 req/s", page1["rate"] >= 200, f"{page1['rate']:,.0f} req/s"),
        ("ranked list p99 < 50 ms", page1["p99"] < 50, f"{page1['p99']:.1f} ms"),
        ("  same, without the shared page cache", page1_uncached["rate"] >= 200
         and page1_uncached["p99"] < 50,
         f"{page1_uncached['rate']:,.0f} req/s, p99 {page1_uncached['p99']:.1f} ms"),
        ("brand dashboard p99 < 300 ms", dashboard["p99"] < 300 and not dashboard["errors"],
         f"p50 {dashboard['p50']:.1f} ms, p99 {dashboard['p99']:.1f} ms"),
        ("tally lag p99 < 2 s", lag_p99 is not None and lag_p99 < 2,
         "no sample" if lag_p99 is None else f"{lag_p99:.2f} s"),
        ("full recount of 1M votes < 10 s", recount_s < 10, f"{recount_s:.1f} s"),
        ("gunicorn web worker < 200 MB RSS", web_peak < 200, f"{web_peak:.0f} MB"),
        ("Celery worker < 200 MB RSS", worker_peak < 200, f"{worker_peak:.0f} MB"),
        ("tallies equal the votes after the load", after_load == 0, f"{after_load} differing"),
    ]  # fmt: skip
    print(f"{'target':<42}{'result':>6}  measured")
    for label, passed, measured in rows:
        print(f"{label:<42}{'PASS' if passed else 'MISS':>6}  {measured}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
