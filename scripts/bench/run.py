"""`make bench`: Foule at scale on the real PostgreSQL, Redis, gunicorn and Celery.

Seeds a throw-away database (foule_bench) with 100,000 ideas and 1,000,000 votes, serves
it with gunicorn and a Celery worker on loopback, drives it from separate processes for a
bounded time per scenario, and prints one figure per line, then the targets. The load
generator, the server, the worker and PostgreSQL share the machine's cores: the figures
are what this machine does with all of them at once."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ.setdefault("FOULE_REDIS_PREFIX", "foule-bench")

import django  # noqa: E402

django.setup()

import psutil  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

from scripts.bench import load  # noqa: E402

IDEAS = int(os.environ.get("BENCH_IDEAS", "100000"))
VOTES = int(os.environ.get("BENCH_VOTES", "1000000"))
USERS = int(os.environ.get("BENCH_USERS", "20000"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "15"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "4"))
WEB_WORKERS = int(os.environ.get("BENCH_WEB_WORKERS", "2"))
figures: dict[str, float] = {}


def say(name: str, value: float, unit: str) -> None:
    figures[name] = value
    shown = f"{value:>12,d}" if isinstance(value, int) else f"{value:>12,.1f}"
    print(f"{name:<46} {shown} {unit}".rstrip(), flush=True)


def timed(label: str):
    class Timer:
        def __enter__(self):
            self.started = time.perf_counter()
            return self

        def __exit__(self, *exc):
            self.seconds = time.perf_counter() - self.started
            print(f"  ({label}: {self.seconds:.1f} s)", flush=True)

    return Timer()


def execute(sql: str, params=None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def seed() -> dict:
    from tests.factories import BrandFactory, CampaignFactory

    campaign = CampaignFactory(brand=BrandFactory(), slug="bench", title="Bench")
    with timed("users, verified emails and API tokens"):
        execute(
            """INSERT INTO accounts_user (password, is_superuser, first_name, last_name,
                   is_staff, is_active, date_joined, email, display_name)
               SELECT '!', false, '', '', false, true, now(), 'bench' || g || '@example.org', ''
               FROM generate_series(1, %s) g""", [USERS])  # fmt: skip
        execute("""INSERT INTO account_emailaddress (email, verified, "primary", user_id)
                   SELECT email, true, true, id FROM accounts_user""")
        execute("""INSERT INTO authtoken_token (key, created, user_id)
                   SELECT substr(md5(id::text) || md5('t' || id::text), 1, 40), now(), id
                   FROM accounts_user""")
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id) FROM accounts_user")
        first_user = cursor.fetchone()[0]
    with timed(f"{IDEAS:,} ideas and their tallies"):
        execute(
            """INSERT INTO ideas_idea (created_at, updated_at, title, body, body_html, status,
                   hidden_reason, content_hash, author_id, campaign_id)
               SELECT now() - (g || ' seconds')::interval, now(), 'Idea ' || g, 'Body',
                   '<p>Body</p>', 'published', '', md5(g::text) || md5(g::text),
                   %s + (g %% %s), %s
               FROM generate_series(0, %s - 1) g""",
            [first_user, USERS, campaign.pk, IDEAS])  # fmt: skip
        execute(
            """INSERT INTO voting_ideatally (idea_id, campaign_id, upvotes, downvotes, score,
                   wilson_lower_bound, highest_milestone, rating_sum, method_score, hot_score,
                   controversy, support_stage, support_status, exposure_score, impressions)
               SELECT id, campaign_id, 0, 0, 0, 0, 1000000, 0, 0, 0, 0, 0, 'active', 0, 0
               FROM ideas_idea WHERE campaign_id = %s""", [campaign.pk])  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id) FROM ideas_idea WHERE campaign_id = %s", [campaign.pk])
        first_idea = cursor.fetchone()[0]
    per_idea = max(1, VOTES // IDEAS)
    with timed(f"{VOTES:,} votes"):
        # Idea k gets votes from voters k*per_idea+1 ... (mod USERS): unique pairs, none
        # by the idea's author (author = k mod USERS, voters are offset by at least one).
        # Idea k gets k mod (per_idea + 1) down votes: every split from all up to all down,
        # so the recount check below meets each edge of the score formulas.
        execute(
            """INSERT INTO voting_vote (value, created_at, updated_at, idea_id, voter_id)
               SELECT CASE WHEN g %% %s < (g / %s) %% (%s + 1) THEN -1 ELSE 1 END,
                   now() - (g %% 86400 || ' seconds')::interval, now(),
                   %s + g / %s, %s + ((g / %s) + 1 + g %% %s) %% %s
               FROM generate_series(0, %s - 1) g""",
            [per_idea, per_idea, per_idea, first_idea, per_idea, first_user, per_idea, per_idea,
             USERS, VOTES])  # fmt: skip
        execute("ANALYZE")
    with connection.cursor() as cursor:
        cursor.execute("SELECT key FROM authtoken_token ORDER BY user_id")
        tokens = [row[0] for row in cursor.fetchall()]
    return {"campaign": campaign, "first_idea": first_idea, "tokens": tokens}


RECOUNT = "full recount of all votes (tally_recount_all)"
COMPARED = ["upvotes", "downvotes", "score", "wilson_lower_bound", "hot_score", "controversy",
            "exposure_score", "last_vote_at"]  # fmt: skip


def recount() -> None:
    from voting.models import IdeaTally
    from voting.tally import tally_recompute, tally_recount_all

    started = time.perf_counter()
    recounted = tally_recount_all()
    say(RECOUNT, time.perf_counter() - started, "s")
    print(f"  ({recounted:,} tallies recounted)", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("""SELECT count(*) FROM voting_ideatally t LEFT JOIN (
                              SELECT idea_id, count(*) FILTER (WHERE value = 1) AS up,
                                     count(*) FILTER (WHERE value = -1) AS down
                              FROM voting_vote GROUP BY idea_id) v ON v.idea_id = t.idea_id
                          WHERE t.upvotes <> coalesce(v.up, 0)
                             OR t.downvotes <> coalesce(v.down, 0)""")
        wrong = cursor.fetchone()[0]
        cursor.execute("SELECT idea_id FROM voting_ideatally ORDER BY random() LIMIT 2000")
        sample = [row[0] for row in cursor.fetchall()]
    print(f"  tallies differing from a fresh count of the vote rows: {wrong}", flush=True)
    # The SQL path must write what the Python path (the workers') writes, to the bit.
    before = {
        row[0]: row[1:]
        for row in IdeaTally.objects.filter(idea_id__in=sample).values_list("idea_id", *COMPARED)
    }
    tally_recompute(idea_ids=sample)
    after = {
        row[0]: row[1:]
        for row in IdeaTally.objects.filter(idea_id__in=sample).values_list("idea_id", *COMPARED)
    }
    differing = sum(before[pk] != after[pk] for pk in sample)
    print(f"  of {len(sample):,} sampled tallies, differing from tally_recompute's: {differing}")
    if wrong or differing:
        raise SystemExit("the recount must equal the vote rows")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def service_env() -> dict:
    from tests.support.worker import database_url_for_current_test_database

    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "bench-" + "x" * 50,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "False",
        "DJANGO_LOG_LEVEL": "ERROR",
        "DATABASE_URL": database_url_for_current_test_database(),
        "REDIS_URL": settings.REDIS_URL,
        "FOULE_REDIS_PREFIX": settings.FOULE_REDIS_PREFIX,
        "FOULE_API_ANON_RATE": "1000000/second",
        "FOULE_TALLY_INTERVAL": "0.5",
    }


class PeakMemory(threading.Thread):
    """Samples the resident memory of a process tree every half second."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peaks, self.running = pid, {}, True

    def run(self):
        while self.running:
            try:
                parent = psutil.Process(self.pid)
                for process in [parent, *parent.children(recursive=True)]:
                    rss = process.memory_info().rss / 2**20
                    self.peaks[process.pid] = max(self.peaks.get(process.pid, 0), rss)
            except psutil.NoSuchProcess:
                pass
            time.sleep(0.5)


def scenario(name: str, port: int, kind: str, params: dict) -> dict:
    result = load.run(
        host="127.0.0.1", port=port, kind=kind, params=params, seconds=SECONDS, clients=CLIENTS
    )
    say(f"{name}: requests per second", result["rate"], "req/s")
    say(f"{name}: p50 latency", result["p50"], "ms")
    say(f"{name}: p99 latency", result["p99"], "ms")
    say(f"{name}: errors (non-2xx)", result["errors"], "")
    print(f"  ({result['requests']:,} requests in {SECONDS:.0f} s)", flush=True)
    return result


def pgbench(first_idea: int) -> None:
    binary = shutil.which("pgbench")
    bundled = Path(sys.prefix) / "lib/python3.11/site-packages/pgserver/pginstall/bin/pgbench"
    if bundled.exists():
        binary = str(bundled)
    db = connection.settings_dict
    script = Path(tempfile.mkdtemp()) / "vote.sql"
    first_user_sql = "SELECT min(id) FROM accounts_user"
    with connection.cursor() as cursor:
        cursor.execute(first_user_sql)
        first_user = cursor.fetchone()[0]
    script.write_text(
        f"\\set idea random({first_idea}, {first_idea + IDEAS - 1})\n"
        f"\\set voter random({first_user}, {first_user + USERS - 1})\n"
        "INSERT INTO voting_vote (value, created_at, updated_at, idea_id, voter_id) "
        "VALUES (1, now(), now(), :idea, :voter) "
        "ON CONFLICT (voter_id, idea_id) DO UPDATE SET value = excluded.value, "
        "updated_at = excluded.updated_at;\n"
    )
    args = [binary, "-n", "-c", str(CLIENTS), "-j", "2", "-T", str(int(SECONDS)), "-f",
            str(script), "-U", db["USER"] or "postgres", "-h", db["HOST"] or "127.0.0.1",
            "-p", str(db["PORT"] or 5432), db["NAME"]]  # fmt: skip
    output = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    tps = next(float(line.split("=")[1].split()[0]) for line in output.splitlines()
               if line.startswith("tps"))  # fmt: skip
    say("pgbench: the same vote upsert, straight to PostgreSQL", tps, "tps")


def main() -> None:
    connection.settings_dict["TEST"]["NAME"] = "foule_bench"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    from core.redis import get_redis, key

    redis = get_redis()
    for name in redis.scan_iter(match=key("*")):
        redis.delete(name)
    gunicorn = worker = None
    try:
        print(
            f"Foule benchmark: {IDEAS:,} ideas, {VOTES:,} votes, {USERS:,} voters; "
            f"{CLIENTS} client processes, {SECONDS:.0f} s per scenario, "
            f"{os.cpu_count()} cores shared by everything\n",
            flush=True,
        )
        data = seed()
        recount()
        connection.close()
        env = service_env()
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
        )  # production serves a manifest
        port = free_port()
        gunicorn = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi:application", "-w",
             str(WEB_WORKERS), "-b", f"127.0.0.1:{port}", "--log-level", "warning"],
            cwd=ROOT, env=env)  # fmt: skip
        schedule = Path(tempfile.mkdtemp()) / "beat"
        worker_log = schedule.with_name("worker.log")
        print(f"  (Celery worker's output: {worker_log})", flush=True)
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "-B", "-s", str(schedule),
             "-c", "1", "-l", "WARNING", "--without-mingle", "--without-gossip"],
            cwd=ROOT, env={**env, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
            stdout=worker_log.open("w"), stderr=subprocess.STDOUT)  # fmt: skip
        for _ in range(100):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.2)
        web_memory, worker_memory = PeakMemory(gunicorn.pid), PeakMemory(worker.pid)
        web_memory.start()
        worker_memory.start()
        slug = data["campaign"].slug
        vote_params = {"ideas": IDEAS, "tokens": data["tokens"], "first_idea": data["first_idea"]}
        print()
        spread = scenario("vote casts, spread over all ideas", port, "vote-spread", vote_params)
        hot = scenario("vote casts, all on one hot idea", port, "vote-hot", vote_params)
        from voting import dirty

        time.sleep(3)  # let the worker drain the last marks
        lags = sorted(dirty.recent_lags())
        if lags:
            say(
                "tally lag p99 (vote commit to recount)",
                lags[min(len(lags) - 1, int(len(lags) * 0.99))],
                "s",
            )
        page1 = scenario(
            "ranked idea list (API), page 1",
            port,
            "get",
            {"path": f"/api/v1/campaigns/{slug}/ideas/"},
        )
        scenario(
            "ranked idea list (API), page 1000",
            port,
            "get",
            {"path": f"/api/v1/campaigns/{slug}/ideas/?page=1000"},
        )
        scenario("campaign page (HTML)", port, "get", {"path": f"/campaigns/{slug}/"})
        web_memory.running = worker_memory.running = False
        web_peak = max(mb for pid, mb in web_memory.peaks.items() if pid != gunicorn.pid)
        worker_peak = max(worker_memory.peaks.values())
        say("peak resident memory, one web worker", web_peak, "MB")
        say("peak resident memory, Celery worker process", worker_peak, "MB")
        pgbench(data["first_idea"])
        ratio = spread["rate"] / figures["pgbench: the same vote upsert, straight to PostgreSQL"]
        print(f"  the platform's HTTP vote rate is {ratio:.0%} of PostgreSQL's own\n")
        summary(spread, hot, page1, lags, web_peak, worker_peak)
    finally:
        for process in (gunicorn, worker):
            if process and process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
        connection.close()
        connection.creation.destroy_test_db(old_name, verbosity=0)


def summary(spread, hot, page1, lags, web_peak, worker_peak) -> None:
    lag_p99 = lags[min(len(lags) - 1, int(len(lags) * 0.99))] if lags else float("inf")
    rows = [
        ("vote casts over HTTP >= 1,000/s", spread["rate"] >= 1000, f"{spread['rate']:,.0f}/s"),
        ("hot idea within 10% of spread", hot["rate"] >= 0.9 * spread["rate"],
         f"{hot['rate'] / spread['rate']:.0%} of spread"),
        ("ranked list >= 200 req/s", page1["rate"] >= 200, f"{page1['rate']:,.0f} req/s"),
        ("ranked list p99 < 50 ms", page1["p99"] < 50, f"{page1['p99']:.1f} ms"),
        ("tally lag p99 < 2 s", lag_p99 < 2, f"{lag_p99:.2f} s"),
        ("full recount of 1M votes < 10 s", figures[RECOUNT] < 10, f"{figures[RECOUNT]:.1f} s"),
        ("web worker < 200 MB", web_peak < 200, f"{web_peak:.0f} MB"),
        ("Celery worker < 200 MB", worker_peak < 200, f"{worker_peak:.0f} MB"),
    ]  # fmt: skip
    print("target                                  result  measured")
    for label, passed, measured in rows:
        print(f"{label:<40}{'PASS' if passed else 'MISS':>6}  {measured}")


if __name__ == "__main__":
    main()
