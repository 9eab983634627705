"""The elections over HTTP, against the bench's gunicorn and Celery worker (with its beat):
ballots at full speed on one election while votes go to an up/down campaign (the tally
lag of those votes and the worker's heartbeat), and each closed election's audit list: its
pages under wrk and the whole download streamed (the web workers' peak RSS meanwhile)."""

from __future__ import annotations

import json
import threading
import time
from http.client import HTTPConnection

import psutil

from config.health import health_status
from scripts.bench import monitor, wrk
from scripts.bench.elections_seed import FORMATS, Elections
from scripts.bench.knobs import (
    AUDIT_CONNECTIONS,
    AUDIT_SECONDS,
    CONNECTIONS,
    HOST,
    LOAD_ELECTION,
    LOAD_SECONDS,
    UPDOWN_IDEAS,
)
from scripts.bench.report import Row, note, say
from scripts.bench.seed import execute
from scripts.bench.servers import Services, task_summary

# /healthz calls the worker "stale" from this age of its heartbeat (config/health.py).
HEARTBEAT_STALE_S = 30.0
LAG_TARGET_S = 2.0
# The up/down votes take this many of the load generator's connections, the ballots the rest.
VOTE_CONNECTIONS = 2


class HeartbeatWatch(threading.Thread):
    """/healthz's own reading (config.health.health_status) twice a second: the largest age
    of the worker's heartbeat, and whether it was ever called stale."""

    def __init__(self):
        super().__init__(daemon=True)
        self.oldest, self.stale, self.samples, self.running = 0.0, 0, 0, True

    def run(self):
        while self.running:
            status = health_status(details=False)
            age = status["worker_heartbeat_age_seconds"]
            self.oldest = max(self.oldest, age if age is not None else float("inf"))
            self.stale += status["worker"] != "ok"
            self.samples += 1
            time.sleep(0.5)

    def stop(self) -> None:
        self.running = False
        self.join(timeout=5)


def _request(port: int, method: str, path: str, headers: dict | None = None, body=None):
    client = HTTPConnection(HOST, port, timeout=60)
    try:
        client.request(method, path, body=body, headers={"Host": HOST, **(headers or {})})
        response = client.getresponse()
        return response.status, response.read()
    finally:
        client.close()


def load_scenario(elections: Elections, services: Services, wrk_binary: str) -> dict:
    """LOAD_SECONDS of ballots on election-LOAD_ELECTION (every connection but two) and of
    votes on the up/down campaign (two connections), together."""
    tokens = services.folder / "election-tokens.txt"
    tokens.write_text("\n".join(elections.tokens) + "\n")
    candidates = ",".join(map(str, elections.candidates[LOAD_ELECTION]))
    kind = FORMATS[LOAD_ELECTION][0]
    if kind not in ("single", "approval", "ranked"):
        raise SystemExit(f"BENCH_LOAD_ELECTION must be single, approval or ranked-*: {kind}")
    ballot_path = f"/api/v1/campaigns/election-{LOAD_ELECTION}/ballot/"
    first = elections.candidates[LOAD_ELECTION][0]
    status, body = _request(
        services.port, "PUT", ballot_path, body=f'{{"choices": [{first}]}}',
        headers={"Authorization": f"Token {elections.tokens[0]}",
                 "Content-Type": "application/json"},
    )  # fmt: skip
    if status != 200:
        raise SystemExit(f"a ballot over HTTP answered {status}: {body[:300]!r}")
    lags, heartbeat = monitor.LagSampler(), HeartbeatWatch()
    memory = monitor.PeakMemory(services.worker.pid, services.results.pid)
    for watcher in (lags, heartbeat, memory):
        watcher.start()
    results: dict[str, dict] = {}

    def drive(key: str, **arguments) -> None:
        results[key] = wrk.run(binary=wrk_binary, port=services.port, seconds=LOAD_SECONDS,
                               **arguments)  # fmt: skip

    threads = [
        threading.Thread(target=drive, args=("ballots",), kwargs={
            "path": ballot_path, "script": "ballot.lua", "args": [str(tokens), candidates, kind],
            "connections": max(1, CONNECTIONS - VOTE_CONNECTIONS)}),
        threading.Thread(target=drive, args=("votes",), kwargs={
            "path": "/", "script": "vote.lua", "connections": VOTE_CONNECTIONS,
            "args": [str(tokens), str(elections.updown_first_idea), str(UPDOWN_IDEAS), "spread"]}),
    ]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    lags.drained(timeout=60)
    for watcher in (lags, heartbeat, memory):
        watcher.stop()
    samples = sorted(lags.samples)
    ballots, votes = results.get("ballots"), results.get("votes")
    if not ballots or not votes:
        raise SystemExit("the load generator did not finish")
    figure = {
        "ballots": ballots, "votes": votes, "lag_p50": monitor.percentile(samples, 0.5),
        "lag_p99": monitor.percentile(samples, 0.99), "lag_samples": len(samples),
        "heartbeat_oldest": heartbeat.oldest, "heartbeat_stale": heartbeat.stale,
        "worker_mb": max(memory.peaks.values() or [0.0]),
    }  # fmt: skip
    say(f"ballots over HTTP on election-{LOAD_ELECTION}", ballots["rate"], "/s")
    note(f"p50 {ballots['p50']:.1f} ms, p99 {ballots['p99']:.1f} ms, {ballots['errors']} errors")
    say("up/down votes over HTTP meanwhile", votes["rate"], "/s")
    note(f"p50 {votes['p50']:.1f} ms, p99 {votes['p99']:.1f} ms, {votes['errors']} errors")
    say("tally lag p99 of the up/down votes", figure["lag_p99"], "s")
    note(f"p50 {figure['lag_p50'] or 0:.2f} s over {len(samples):,} recounts")
    say("worker heartbeat: oldest age seen by /healthz", heartbeat.oldest, "s")
    note(f"{heartbeat.samples} readings, {heartbeat.stale} of them stale")
    say("peak resident memory, largest Celery process", figure["worker_mb"], "MB")
    print("Celery tasks of the scenario (from the worker's log):")
    for line in task_summary(services.folder / "worker.log"):
        note(line)
    return figure


def load_rows(load: dict) -> list[Row]:
    if not load:
        return [Row("ballots under load: tally lag and heartbeat", None, "not measured")]
    ballots, votes = load["ballots"], load["votes"]
    lag = load["lag_p99"]
    return [
        Row(f"ballots at full speed on election-{LOAD_ELECTION}", None,
            f"{ballots['rate']:,.0f}/s, p99 {ballots['p99']:.0f} ms, {ballots['errors']} errors"),
        Row("  ... up/down tally lag p99 < 2 s", lag is not None and lag < LAG_TARGET_S,
            "no sample" if lag is None else f"{lag:.2f} s ({votes['rate']:,.0f} votes/s)"),
        Row("  ... heartbeat never stale", load["heartbeat_stale"] == 0,
            f"oldest {load['heartbeat_oldest']:.1f} s (stale from {HEARTBEAT_STALE_S:.0f} s)"),
        Row("  ... Celery process < 200 MB", load["worker_mb"] < 200,
            f"{load['worker_mb']:.0f} MB peak RSS"),
        Row("  ... no error answer", ballots["errors"] + votes["errors"] == 0,
            f"{ballots['errors'] + votes['errors']} errors"),
    ]  # fmt: skip


def close_campaigns(campaign_ids: list[int]) -> None:
    """Voting closed a minute ago: the final results are published and their audit served."""
    execute(
        """UPDATE campaigns_campaign SET voting_opens_at = now() - interval '1 day',
               voting_closes_at = now() - interval '1 minute', results_at = NULL
           WHERE id = ANY(%s)""", [campaign_ids])  # fmt: skip


def _web_workers_rss(services: Services) -> float:
    try:
        workers = psutil.Process(services.web.pid).children()
    except psutil.NoSuchProcess:
        return 0.0
    return max((worker.memory_info().rss / 2**20 for worker in workers), default=0.0)


def audit_figures(name: str, services: Services, wrk_binary: str) -> dict:
    """Random pages of the audit list under wrk, then the whole list downloaded once
    (`?format=jsonl`, read as it comes), the web workers' RSS sampled meanwhile."""
    path = f"/api/v1/campaigns/election-{name}/audit/"
    status, body = _request(services.port, "GET", path)
    if status != 200:
        raise SystemExit(f"{path} answered {status}: {body[:300]!r}")
    pages = int(json.loads(body)["pages"])
    pages_figure = wrk.run(
        binary=wrk_binary, port=services.port, path=path, seconds=AUDIT_SECONDS,
        script="audit.lua", args=[str(pages)], connections=AUDIT_CONNECTIONS,
    )  # fmt: skip
    before = _web_workers_rss(services)
    memory = monitor.PeakMemory(services.web.pid)
    memory.start()
    client = HTTPConnection(HOST, services.port, timeout=120)
    started = time.perf_counter()
    client.request("GET", path + "?format=jsonl", headers={"Host": HOST})
    response = client.getresponse()
    size = 0
    while chunk := response.read(65536):
        size += len(chunk)
    seconds = time.perf_counter() - started
    client.close()
    time.sleep(0.3)  # one more sample after the last byte
    memory.stop()
    peak = max((mb for pid, mb in memory.peaks.items() if pid != services.web.pid), default=0.0)
    figure = {
        "p50": pages_figure["p50"], "p99": pages_figure["p99"], "rate": pages_figure["rate"],
        "errors": pages_figure["errors"], "pages": pages, "download_s": seconds,
        "download_bytes": size, "download_mb": peak, "before_mb": before,
        "download_ok": response.status == 200 and size > 0,
    }  # fmt: skip
    say(f"{name}: /audit/ page p99 ({pages} pages, wrk)", pages_figure["p99"], "ms")
    note(f"p50 {pages_figure['p50']:.1f} ms, {pages_figure['rate']:,.0f}/s over "
         f"{AUDIT_CONNECTIONS} connection(s), {pages_figure['errors']} errors")  # fmt: skip
    say(f"{name}: whole audit download, web worker peak RSS", peak, "MB")
    note(f"{size / 2**20:.1f} MB gzip in {seconds:.1f} s (HTTP {response.status}); the web "
         f"workers held {before:.0f} MB before")  # fmt: skip
    return figure
