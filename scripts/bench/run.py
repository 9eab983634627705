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
BENCH_CELERY_CONCURRENCY, BENCH_PGBENCH_CLIENTS."""

from __future__ import annotations

import contextlib
import os
import platform
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import warnings
from importlib import metadata
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

import psutil  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

from scripts.bench import load, monitor, seed  # noqa: E402

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
DATABASE = "foule_bench"
HOST = "127.0.0.1"

figures: dict[str, float | None] = {}


def say(name: str, value: float | None, unit: str = "") -> None:
    """One figure, one line."""
    figures[name] = value
    if value is None:
        shown = "n/a"
    elif isinstance(value, int):
        shown = f"{value:,d}"
    else:
        shown = f"{value:,.1f}" if abs(value) >= 10 else f"{value:,.2f}"
    print(f"{name:<58} {shown:>10} {unit}".rstrip(), flush=True)


def note(text: str) -> None:
    print(f"  ({text})", flush=True)


# -- the machine -----------------------------------------------------------------------


def cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def describe_machine() -> None:
    from core.redis import get_redis

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


# -- the services ----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def service_env() -> dict:
    from tests.support.worker import database_url_for_current_test_database

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
    }


class Services:
    """gunicorn (config.wsgi, production settings) and a Celery worker with its embedded
    beat (as tests/support/worker.py runs it: test settings, so mail stays in memory),
    both on loopback; the beat keeps its production schedule (tally drain every 1 s)."""

    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="foule-bench-"))
        self.port = free_port()
        self.web = self.worker = None

    def start(self) -> None:
        from core.redis import get_redis, key
        from core.tasks import HEARTBEAT_KEY, worker_heartbeat

        env = service_env()
        # Production settings serve static files through a manifest.
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
            cwd=ROOT, env=env, check=True,
        )  # fmt: skip
        started_at = time.time()
        self.web = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi:application",
             "--workers", str(WEB_WORKERS), "--bind", f"{HOST}:{self.port}", "--timeout", "30",
             "--access-logfile", str(self.folder / "access.log"),
             "--error-logfile", str(self.folder / "web.log"), "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "-B",
             "-s", str(self.folder / "beat-schedule"), "-c", str(CELERY_CONCURRENCY),
             "-l", "WARNING", "--without-mingle", "--without-gossip", "-n", "bench@%h"],
            cwd=ROOT, env={**env, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
            stdout=(self.folder / "worker.log").open("w"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        note(f"gunicorn on {HOST}:{self.port}; logs in {self.folder}")
        worker_heartbeat.delay()  # answered as soon as the worker takes its first task
        deadline = time.monotonic() + 60
        web_ready = worker_ready = False
        while not (web_ready and worker_ready):
            if time.monotonic() > deadline:
                raise SystemExit(f"the services did not start; see the logs in {self.folder}")
            for process in (self.web, self.worker):
                if process.poll() is not None:
                    raise SystemExit(f"a service exited early; see the logs in {self.folder}")
            if not web_ready:
                health = f"http://{HOST}:{self.port}/healthz"
                with contextlib.suppress(OSError), urllib.request.urlopen(health, timeout=2):
                    web_ready = True
            beat = get_redis().get(key(HEARTBEAT_KEY))
            worker_ready = bool(beat) and float(beat) >= started_at
            time.sleep(0.2)

    def stop(self) -> None:
        for process in (self.web, self.worker):
            if process and process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in (self.web, self.worker):
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
    from core.redis import get_redis

    return local_pid_of(get_redis().info("server").get("process_id"), "redis")


# -- the scenarios ---------------------------------------------------------------------


class Bench:
    def __init__(self, data: seed.Seeded, services: Services):
        self.data, self.services = data, services
        self.trees = {
            "web": services.web.pid,
            "Celery": services.worker.pid,
            "PostgreSQL": postgres_pid(),
            "Redis": redis_pid(),
        }
        self.vote_params = {
            "ideas": IDEAS,
            "tokens": data.tokens,
            "first_idea": data.first_idea,
        }

    def drive(self, kind: str, params: dict, seconds: float, seed_: int = 0) -> dict:
        return load.run(
            host=HOST, port=self.services.port, kind=kind, params=params, seconds=seconds,
            clients=CLIENTS, max_requests=MAX_REQUESTS, seed=seed_,
        )  # fmt: skip

    def warm_up(self) -> None:
        """A second of each kind of request, not counted: every web worker has loaded its
        code, templates and connections before the first measured request."""
        slug = self.data.slug
        self.drive("vote-spread", self.vote_params, 1.0, seed_=99)
        for path in (f"/api/v1/campaigns/{slug}/ideas/", f"/campaigns/{slug}/"):
            self.drive("get-uncached", {"path": path}, 1.0, seed_=99)

    def report(self, name: str, result: dict, cpu: dict[str, float]) -> None:
        say(f"{name}: requests per second", round(result["rate"], 1), "req/s")
        say(f"{name}: p50 latency", round(result["p50"], 1), "ms")
        say(f"{name}: p99 latency", round(result["p99"], 1), "ms")
        say(f"{name}: errors (non-2xx or failed)", result["errors"])
        shares = ", ".join(f"{part} {share:.2f}" for part, share in cpu.items())
        web_ms = 1000 * cpu["web"] * result["elapsed"] / max(result["requests"], 1)
        note(
            f"{result['requests']:,} requests in {result['elapsed']:.1f} s, "
            f"{web_ms:.1f} ms of web CPU each; CPU in cores: {shares} of {os.cpu_count()}"
        )

    def get(self, name: str, kind: str, path: str) -> dict:
        meter = monitor.CpuMeter(self.trees).start()
        result = self.drive(kind, {"path": path}, SECONDS)
        self.report(name, result, meter.stop(extra={"load generator": result["client_cpu"]}))
        return result

    def votes(self, lags: monitor.LagSampler) -> tuple[dict, dict, list, list]:
        """Spread and hot rounds, alternating; after each, the workers drain the dirty set
        before the next starts, so each lag sample belongs to one scenario."""
        rounds: dict[str, list] = {"vote-spread": [], "vote-hot": []}
        lag_samples: dict[str, list] = {"vote-spread": [], "vote-hot": []}
        cpu: dict[str, list] = {"vote-spread": [], "vote-hot": []}
        for index in range(VOTE_ROUNDS):
            pair = ("vote-spread", "vote-hot") if index % 2 == 0 else ("vote-hot", "vote-spread")
            for kind in pair:
                lags.collect()
                meter = monitor.CpuMeter(self.trees).start()
                result = self.drive(kind, self.vote_params, SECONDS / VOTE_ROUNDS, index)
                cpu[kind].append(meter.stop(extra={"load generator": result["client_cpu"]}))
                rounds[kind].append(result)
                drain = lags.drained(timeout=30)
                lag_samples[kind] += lags.collect()
                note(
                    f"{kind} round {index + 1}: {result['rate']:,.0f} req/s; "
                    f"dirty set drained {drain:.1f} s after the round"
                )
        results = {}
        for kind in rounds:
            results[kind] = load.combine(rounds[kind])
            shares = {
                part: sum(sample[part] for sample in cpu[kind]) / len(cpu[kind])
                for part in cpu[kind][0]
            }
            name = (
                "vote casts, spread over all ideas"
                if kind == "vote-spread"
                else "vote casts, all on one hot idea"
            )
            self.report(name, results[kind], shares)
        return (
            results["vote-spread"],
            results["vote-hot"],
            sorted(lag_samples["vote-spread"]),
            sorted(lag_samples["vote-hot"]),
        )


def dashboard_scenario(data: seed.Seeded, services: Services) -> dict:
    """A brand manager's dashboard of the seeded campaign: the worker's figures refreshed
    once (timed: what the beat does every minute on a running campaign), then the manager
    logs in through the real login form and reads the page DASHBOARD_REQUESTS times in a
    row, one client with its session cookie: the latency one person sees."""
    import re
    from http.client import HTTPConnection
    from urllib.parse import urlencode

    from campaigns.models import Campaign
    from insights.stats import campaign_stats_refresh
    from tests.factories import PASSWORD, BrandMembershipFactory

    campaign = Campaign.objects.select_related("brand").get(pk=data.campaign_id)
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    manager = BrandMembershipFactory(
        brand=campaign.brand, role="manager", user__email="bench-manager@example.org"
    ).user
    # Hashed as production hashes (the test settings use MD5, which it does not accept).
    manager.password = PBKDF2PasswordHasher().encode(PASSWORD, "benchmanagersalt")
    manager.save(update_fields=["password"])
    started = time.perf_counter()
    figures = campaign_stats_refresh(campaign=campaign).figures
    say("dashboard figures refresh in the worker (campaign_stats_refresh)",
        time.perf_counter() - started, "s")  # fmt: skip
    note(
        f"{figures['votes']:,} votes by {figures['voters']:,} voters, "
        f"{figures['ideas']['total']:,} ideas, {len(figures['votes_per_day'])} days"
    )
    connection.close()  # the web workers get the database to themselves

    http = HTTPConnection(HOST, services.port, timeout=30)
    cookies: dict[str, str] = {}

    def request(method: str, path: str, body: str | None = None) -> tuple[int, str]:
        headers = {"Host": HOST, "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://{HOST}:{services.port}{path}"
        http.request(method, path, body=body, headers=headers)
        response = http.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                cookies[name] = rest.split(";", 1)[0]
        return response.status, text

    _status, page = request("GET", "/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    form = {"login": manager.email, "password": PASSWORD, "csrfmiddlewaretoken": token and token[1]}
    status, _page = request("POST", "/accounts/login/", urlencode(form))
    if status != 302 or "sessionid" not in cookies:
        raise SystemExit(f"the brand manager could not log in (HTTP {status})")
    path = f"/campaigns/{data.slug}/dashboard/"
    for _ in range(3):  # warm: every web worker has loaded the page's code and templates
        request("GET", path)
    latencies, errors = [], 0
    cpu_started = time.process_time()
    started = time.perf_counter()
    for _ in range(DASHBOARD_REQUESTS):
        began = time.perf_counter()
        status, page = request("GET", path)
        latencies.append(time.perf_counter() - began)
        if status != 200 or 'data-figure="votes"' not in page:
            errors += 1
    result = load.summarise(
        latencies=sorted(latencies), errors=errors, elapsed=time.perf_counter() - started,
        client_cpu=time.process_time() - cpu_started,
    )  # fmt: skip
    http.close()
    name = "brand dashboard (HTML)"
    say(f"{name}: p50 latency", round(result["p50"], 1), "ms")
    say(f"{name}: p99 latency", round(result["p99"], 1), "ms")
    say(f"{name}: errors (non-2xx, failed or no figures)", result["errors"])
    note(f"{result['requests']:,} requests one after another by one logged-in brand manager")
    return result


def recount() -> None:
    from voting.tally import tally_recount_all

    started = time.perf_counter()
    recounted = tally_recount_all()
    say("full recount of all votes (tally_recount_all)", time.perf_counter() - started, "s")
    note(f"{recounted:,} tallies recounted from {VOTES:,} vote rows")
    wrong = seed.tallies_differing()
    differing = seed.differing_from_workers()
    note(f"tallies differing from a fresh count of the vote rows: {wrong}")
    note(f"of 2,000 sampled tallies, differing from what tally_recompute writes: {differing}")
    if wrong or differing:
        raise SystemExit("the recount must equal the vote rows")


def pgbench(data: seed.Seeded, trees: dict) -> float | None:
    """The same vote upsert straight into PostgreSQL, random voter and idea within the
    seeded ranges: the database's own rate on this machine."""
    binary = shutil.which("pgbench")
    with contextlib.suppress(ImportError):
        import pgserver

        bundled = Path(pgserver.__file__).parent / "pginstall" / "bin" / "pgbench"
        if bundled.exists():
            binary = str(bundled)
    if not binary:
        note("pgbench not found: skipped")
        return None
    db = connection.settings_dict
    script = Path(tempfile.mkdtemp(prefix="foule-pgbench-")) / "vote.sql"
    script.write_text(
        f"\\set idea random({data.first_idea}, {data.first_idea + IDEAS - 1})\n"
        f"\\set voter random({data.first_user}, {data.first_user + USERS - 1})\n"
        "INSERT INTO voting_vote (value, created_at, updated_at, idea_id, voter_id) "
        "VALUES (1, now(), now(), :idea, :voter) "
        "ON CONFLICT (voter_id, idea_id) DO UPDATE SET value = excluded.value, "
        "updated_at = excluded.updated_at;\n"
    )
    args = [binary, "-n", "-c", str(PGBENCH_CLIENTS), "-j", str(min(PGBENCH_CLIENTS, 2)),
            "-T", str(round(SECONDS)), "-f", str(script), "-U", db["USER"] or "postgres",
            "-h", db["HOST"] or HOST, "-p", str(db["PORT"] or 5432), db["NAME"]]  # fmt: skip
    env = {**os.environ, "PGPASSWORD": db["PASSWORD"] or ""}
    meter = monitor.CpuMeter({"PostgreSQL": trees.get("PostgreSQL")}).start()
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        output = subprocess.run(
            args, capture_output=True, text=True, check=True, env=env, timeout=SECONDS + 60
        ).stdout
    except (subprocess.SubprocessError, OSError) as error:
        note(f"pgbench failed: {error}")
        return None
    wall = time.perf_counter() - meter.started
    time.sleep(1)  # the backends exit as pgbench disconnects; their CPU counts once reaped
    cpu = meter.stop(wall=wall)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    client_cpu = (
        children.ru_utime + children.ru_stime - children_before.ru_utime - children_before.ru_stime
    )
    tps = next(
        (float(line.split("=")[1].split()[0]) for line in output.splitlines()
         if line.startswith("tps")), None,
    )  # fmt: skip
    latency = next(
        (line.split("=")[1].strip() for line in output.splitlines()
         if line.startswith("latency average")), "?",
    )  # fmt: skip
    say(f"pgbench: the same vote upsert, {PGBENCH_CLIENTS} clients", tps, "tps")
    note(
        f"pgbench -c {PGBENCH_CLIENTS} -T {round(SECONDS)}: latency average {latency}; "
        f"CPU in cores: PostgreSQL {cpu.get('PostgreSQL', 0):.2f}, "
        f"pgbench {client_cpu / wall:.2f} of {os.cpu_count()}"
    )
    return tps


def clear_redis() -> None:
    from core.redis import get_redis, key

    redis = get_redis()
    for name in redis.scan_iter(match=key("*"), count=1000):
        redis.delete(name)


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
