"""What the benchmark measures under load: votes and pages over HTTP (wrk) and the vote
upsert in PostgreSQL alone (pgbench), every scenario ROUNDS times, interleaved, with the
CPU each part of the system used, and the medians of the rounds."""

from __future__ import annotations

import html
import os
import re
import statistics
import time
from dataclasses import dataclass, field
from http.client import HTTPConnection
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from django.db import connection

from campaigns.models import Campaign
from scripts.bench import monitor, pgbench, wrk
from scripts.bench.knobs import CONNECTIONS, DEEP_PAGE, HOST, IDEAS, IDEAS_PER_PAGE, ROUNDS
from scripts.bench.report import note, say
from scripts.bench.seed import Seeded
from scripts.bench.servers import Services, postgres_pid, redis_pid
from voting import selectors as voting_selectors

# At most this long to reach the deep page by its Next links (one request per page).
DEEP_PAGE_WALK_SECONDS = 150
# The CPU of the PostgreSQL backends serving the bench's database: the per-request figure.
DATABASE_PART = "PostgreSQL, this database"


@dataclass
class Scenario:
    key: str
    name: str
    path: str = ""  # HTTP scenarios: the URL's path; pgbench: none
    script: str = "get.lua"
    args: list[str] = field(default_factory=list)
    is_vote: bool = False
    rounds: list[dict] = field(default_factory=list)


def next_link(page: str) -> str | None:
    """The target of the page's "Next" link (data-testid="next-page" or rel="next")."""
    for tag in re.findall(r"<a\b[^>]*>", page):
        if "next-page" in tag or re.search(r'rel="[^"]*\bnext\b', tag):
            target = re.search(r'\b(?:href|hx-get)="([^"]+)"', tag)
            if target:
                return html.unescape(target[1])
    return None


def get(port: int, path: str, headers: dict | None = None, method: str = "GET", body=None):
    """(status, body) of one request, redirects not followed."""
    client = HTTPConnection(HOST, port, timeout=30)
    try:
        client.request(method, path, body=body, headers={"Host": HOST, **(headers or {})})
        response = client.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        client.close()


def deep_page_path(port: int, campaign_id: int) -> tuple[str, int]:
    """The path of the campaign page's page DEEP_PAGE (or of its last full page in a
    smaller campaign) and that page's number, in the form the page's own "Next" link has:
    a page number (`?order=top&page=2`) is replaced; a keyset cursor (`?after=…`) is asked
    of voting.selectors.idea_page_cursor, or else found by following the links page after
    page, as a visitor would, once before the measure."""
    campaign = Campaign.objects.get(pk=campaign_id)
    target = max(1, min(DEEP_PAGE, IDEAS // IDEAS_PER_PAGE))
    path = campaign.get_absolute_url()
    deadline = time.perf_counter() + DEEP_PAGE_WALK_SECONDS
    for number in range(1, target):
        if time.perf_counter() > deadline:  # a slow machine: measure the page reached
            note(f"following the Next links took over {DEEP_PAGE_WALK_SECONDS} s: stopped")
            return path, number
        status, page = get(port, path)
        following = next_link(page) if status == 200 else None
        if not following:
            text = " ".join(re.sub(r"<[^>]+>", " ", page).split())
            raise SystemExit(
                f"the campaign page {number} ({path}, HTTP {status}) has no link to the next "
                f"one; its text ends: {text[-1000:]}"
            )
        following = urljoin(path, following)
        query = dict(parse_qsl(urlsplit(following).query))
        if number == 1 and set(query) <= {"order", "page"}:
            query["page"] = str(target)
            return f"{urlsplit(following).path}?{urlencode(query)}", target
        cursor_of = getattr(voting_selectors, "idea_page_cursor", None)
        if number == 1 and "after" in query and cursor_of:
            cursor = cursor_of(campaign=campaign, order=query.get("order"), number=target)
            if cursor:
                query["after"] = cursor
                return f"{urlsplit(following).path}?{urlencode(query)}", target
        path = following
    return path, target


class Bench:
    def __init__(self, data: Seeded, services: Services, wrk_binary: str | None):
        self.data, self.services, self.wrk_binary = data, services, wrk_binary
        postmaster = postgres_pid()
        self.database = monitor.DatabaseBackends(postmaster, connection.settings_dict["NAME"])
        self.database.start()
        self.trees = {
            "web": services.web.pid,
            "Celery": services.worker.pid,
            "Celery results": services.results.pid,
            "PostgreSQL": postmaster,  # the whole server, other databases included
            DATABASE_PART: self.database,  # the part of it serving the bench's database
            "Redis": redis_pid(),
        }
        self.tokens_file = services.folder / "tokens.txt"
        self.tokens_file.write_text("\n".join(data.tokens) + "\n")
        self.pgbench_binary = pgbench.binary()
        self.pgbench_script = pgbench.script(data)
        self.scenarios: list[Scenario] = []

    def plan(self) -> dict[str, Scenario]:
        """The scenarios, in the order each round runs them."""
        slug, first = self.data.slug, str(self.data.first_idea)
        vote_args = [str(self.tokens_file), first, str(IDEAS)]
        deep_path, deep_number = ("", 0)
        if self.wrk_binary:
            started = time.perf_counter()
            deep_path, deep_number = deep_page_path(self.services.port, self.data.campaign_id)
            note(
                f"the campaign page's page {deep_number:,} is {deep_path} (found in "
                f"{time.perf_counter() - started:.1f} s)"
            )
        self.scenarios = [
            Scenario("vote-spread", f"vote over HTTP, spread over {IDEAS:,} ideas",
                     "/api/v1/ideas/0/vote/", "vote.lua", [*vote_args, "spread"], True),
            Scenario("vote-hot", "vote over HTTP, all on one hot idea",
                     "/api/v1/ideas/0/vote/", "vote.lua", [*vote_args, "hot"], True),
            Scenario("page-1", "campaign page (HTML, 50 ideas), page 1", f"/campaigns/{slug}/"),
            Scenario("page-deep", f"campaign page (HTML, 50 ideas), page {deep_number:,}",
                     deep_path),
            Scenario("api-list", "ranked idea list (API, 50 a page), page 1",
                     f"/api/v1/campaigns/{slug}/ideas/"),
            Scenario("pgbench", f"pgbench, the vote upsert alone, {pgbench.PGBENCH_CLIENTS} "
                     "clients"),
        ]  # fmt: skip
        if not self.wrk_binary:
            self.scenarios = [s for s in self.scenarios if s.key == "pgbench"]
        if not self.pgbench_binary:
            note("pgbench not found: the database's own rate is not measured")
            self.scenarios = [s for s in self.scenarios if s.key != "pgbench"]
        return {scenario.key: scenario for scenario in self.scenarios}

    def check(self) -> None:
        """One request of each HTTP scenario before any measure: a 200 or the run stops (a
        redirect or an error page would be measured, fast and wrong)."""
        vote = {"Authorization": f"Token {self.data.tokens[2]}", "Content-Type": "application/json"}
        for scenario in self.scenarios:
            if scenario.key == "pgbench":
                continue
            if scenario.is_vote:  # idea 1 is by voter 1 (seed.py): voter 2 may vote for it
                path = f"/api/v1/ideas/{self.data.first_idea + 1}/vote/"
                status, body = get(self.services.port, path, vote, "PUT", '{"value": 1}')
            else:
                status, body = get(self.services.port, scenario.path)
            if status != 200:
                raise SystemExit(f"{scenario.name}: HTTP {status} to one request: {body[:500]}")

    def http(self, scenario: Scenario, seconds: float, connections: int = CONNECTIONS) -> dict:
        meter = monitor.CpuMeter(self.trees, without_own=frozenset({"web"})).start()
        result = wrk.run(
            binary=self.wrk_binary, port=self.services.port, path=scenario.path,
            seconds=seconds, script=scenario.script, args=scenario.args,
            connections=connections,
        )  # fmt: skip
        cpu = meter.stop(extra={"wrk": result["client_cpu"]})
        requests = max(result["requests"], 1)
        result["cpu"] = cpu
        # Cores busy with what the bench does not run: its own process, other programs.
        result["other_cores"] = max(0.0, cpu["whole machine"] - sum(
            share for part, share in cpu.items() if part not in ("whole machine", DATABASE_PART)
        ))  # fmt: skip
        result["web_ms"] = 1000 * cpu["web"] * result["elapsed"] / requests
        result["postgres_ms"] = 1000 * cpu.get(DATABASE_PART, 0.0) * result["elapsed"] / requests
        return result

    def warm_up(self) -> None:
        """Two seconds of each HTTP scenario, not counted: every web worker has loaded its
        code, templates and connections before the first measured request."""
        self.check()
        for scenario in self.scenarios:
            if scenario.key != "pgbench":
                self.http(scenario, 2)

    def run_rounds(self, seconds: float, lags: monitor.LagSampler) -> list[float]:
        """Every scenario ROUNDS times, in the same order each round; after a vote
        scenario the workers drain the dirty set before the next starts, so each tally lag
        sample belongs to a vote scenario. Returns the lag samples (s), sorted."""
        vote_lags: list[float] = []
        for number in range(1, ROUNDS + 1):
            for scenario in self.scenarios:
                lags.collect()  # anything recorded outside a vote scenario is not its lag
                if scenario.key == "pgbench":
                    result = pgbench.run(
                        program=self.pgbench_binary, script_path=self.pgbench_script,
                        seconds=seconds, database=self.database,
                    )  # fmt: skip
                else:
                    result = self.http(scenario, seconds)
                scenario.rounds.append(result)
                line = self.describe(scenario, result)
                if scenario.is_vote:
                    drain = lags.drained(timeout=30)
                    vote_lags += lags.collect()
                    line += f"; dirty set drained {drain:.1f} s after"
                print(f"  round {number}: {scenario.name}: {line}", flush=True)
        return sorted(vote_lags)

    def describe(self, scenario: Scenario, result: dict) -> str:
        if scenario.key == "pgbench":
            return (
                f"{result['rate']:,.0f} tps, latency average {result['latency']:.2f} ms, "
                f"PostgreSQL {result['postgres_ms']:.2f} ms CPU a transaction"
            )
        cpu = dict(result["cpu"])
        whole, database = cpu.pop("whole machine"), cpu.pop(DATABASE_PART, 0.0)
        cpu["other processes"] = result["other_cores"]
        cores = ", ".join(
            f"{part} {share:.2f}"
            + (f" (this database {database:.2f})" if part == "PostgreSQL" else "")
            for part, share in cpu.items()
        )
        return (
            f"{result['rate']:,.0f} req/s, p50 {result['p50']:.1f} ms, p99 "
            f"{result['p99']:.1f} ms, {result['errors']} errors; CPU a request: web "
            f"{result['web_ms']:.2f} ms, PostgreSQL {result['postgres_ms']:.2f} ms; "
            f"cores busy: {cores}; {whole:.2f} of {os.cpu_count()} in all"
        )

    def medians(self) -> dict[str, dict]:
        """Per scenario, the median of its rounds for each figure (errors: their sum),
        printed one figure a line."""
        figures: dict[str, dict] = {}
        print(f"\nMedians of {ROUNDS} interleaved rounds, {CONNECTIONS} connections:")
        for scenario in self.scenarios:
            rounds = scenario.rounds
            median = {
                name: statistics.median(r[name] for r in rounds)
                for name in rounds[0]
                if isinstance(rounds[0][name], float | int) and name != "errors"
            }
            median["rates"] = [r["rate"] for r in rounds]
            median["errors"] = sum(r.get("errors", 0) for r in rounds)
            figures[scenario.key] = median
            if scenario.key == "pgbench":
                say(f"{scenario.name}: transactions per second", median["rate"], "tps")
                say(f"{scenario.name}: PostgreSQL CPU a transaction", median["postgres_ms"], "ms")
                continue
            say(f"{scenario.name}: requests per second", median["rate"], "req/s")
            say(f"{scenario.name}: p50 latency", median["p50"], "ms")
            say(f"{scenario.name}: p99 latency", median["p99"], "ms")
            say(f"{scenario.name}: web CPU a request", median["web_ms"], "ms")
            say(f"{scenario.name}: PostgreSQL CPU a request", median["postgres_ms"], "ms")
            say(f"{scenario.name}: errors (all rounds)", median["errors"])
        others = [r["other_cores"] for s in self.scenarios for r in s.rounds if "other_cores" in r]
        if others and statistics.median(others) > 0.2:
            note(
                f"other programs kept {statistics.median(others):.2f} cores busy (median of the "
                "HTTP rounds): the machine was not the bench's alone, the figures are low"
            )
        return figures
