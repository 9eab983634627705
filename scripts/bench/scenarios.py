"""What the benchmark measures: votes and pages under load over HTTP, a brand manager's
dashboard, the full recount, and pgbench's own rate for the vote upsert."""

from __future__ import annotations

import os
import re
import resource
import shutil
import subprocess
import tempfile
import time
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import urlencode

import pgserver
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from campaigns.models import Campaign
from insights.stats import campaign_stats_refresh
from scripts.bench import load, monitor, seed
from scripts.bench.knobs import (
    CLIENTS,
    DASHBOARD_REQUESTS,
    HOST,
    IDEAS,
    MAX_REQUESTS,
    PGBENCH_CLIENTS,
    SECONDS,
    USERS,
    VOTE_ROUNDS,
    VOTES,
)
from scripts.bench.report import note, say
from scripts.bench.servers import Services, postgres_pid, redis_pid
from tests.factories import PASSWORD, BrandMembershipFactory
from voting.tally import tally_recount_all


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


class Visitor:
    """One visitor's keep-alive connection to the web server, with their cookies."""

    def __init__(self, port: int):
        self.port = port
        self.http = HTTPConnection(HOST, port, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, str]:
        cookie = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        headers = {"Host": HOST, "Cookie": cookie}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://{HOST}:{self.port}{path}"
        self.http.request(method, path, body=body, headers=headers)
        response = self.http.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, text

    def close(self) -> None:
        self.http.close()


def dashboard_scenario(data: seed.Seeded, services: Services) -> dict:
    """A brand manager's dashboard of the seeded campaign: the worker's figures refreshed
    once (timed: what the beat does every minute on a running campaign), then the manager
    logs in through the real login form and reads the page DASHBOARD_REQUESTS times in a
    row, one client with its session cookie: the latency one person sees."""
    campaign = Campaign.objects.select_related("brand").get(pk=data.campaign_id)
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

    visitor = Visitor(services.port)
    _status, page = visitor.request("GET", "/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    form = {"login": manager.email, "password": PASSWORD, "csrfmiddlewaretoken": token and token[1]}
    status, _page = visitor.request("POST", "/accounts/login/", urlencode(form))
    if status != 302 or "sessionid" not in visitor.cookies:
        raise SystemExit(f"the brand manager could not log in (HTTP {status})")
    path = f"/campaigns/{data.slug}/dashboard/"
    for _ in range(3):  # warm: every web worker has loaded the page's code and templates
        visitor.request("GET", path)
    latencies, errors = [], 0
    cpu_started = time.process_time()
    started = time.perf_counter()
    for _ in range(DASHBOARD_REQUESTS):
        began = time.perf_counter()
        status, page = visitor.request("GET", path)
        latencies.append(time.perf_counter() - began)
        if status != 200 or 'data-figure="votes"' not in page:
            errors += 1
    result = load.summarise(
        latencies=sorted(latencies), errors=errors, elapsed=time.perf_counter() - started,
        client_cpu=time.process_time() - cpu_started,
    )  # fmt: skip
    visitor.close()
    name = "brand dashboard (HTML)"
    say(f"{name}: p50 latency", round(result["p50"], 1), "ms")
    say(f"{name}: p99 latency", round(result["p99"], 1), "ms")
    say(f"{name}: errors (non-2xx, failed or no figures)", result["errors"])
    note(f"{result['requests']:,} requests one after another by one logged-in brand manager")
    return result


def recount() -> None:
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


def pgbench_binary() -> str | None:
    """The pgbench the pgserver wheel ships, else one on the PATH."""
    bundled = Path(pgserver.__file__).parent / "pginstall" / "bin" / "pgbench"
    return str(bundled) if bundled.exists() else shutil.which("pgbench")


def pgbench(data: seed.Seeded, trees: dict) -> float | None:
    """The same vote upsert straight into PostgreSQL, random voter and idea within the
    seeded ranges: the database's own rate on this machine."""
    binary = pgbench_binary()
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
