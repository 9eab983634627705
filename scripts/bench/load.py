"""A small HTTP load generator: client processes (forked, so none shares the server's
GIL) with keep-alive connections, each request timed from send to the last byte read.
Loopback only; every run is bounded in time and in request count. The clients run on the
same cores as the server: their CPU time is measured and reported."""

from __future__ import annotations

import http.client
import json
import math
import multiprocessing
import random
import time

# Set before the pool forks, so the 20,000 tokens are inherited rather than pickled.
_PARAMS: dict = {}


def _worker(args) -> tuple[list[float], int, float]:
    host, port, seconds, max_requests, kind, seed = args
    cpu_started = time.process_time()
    rng = random.Random(seed)
    connection = http.client.HTTPConnection(host, port, timeout=30)
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline and len(latencies) < max_requests:
        method, path, body, headers = _request(kind, _PARAMS, rng, seed, len(latencies))
        started = time.perf_counter()
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            if not 200 <= response.status < 300:
                errors += 1
        except (OSError, http.client.HTTPException):
            errors += 1
            connection.close()
            connection = http.client.HTTPConnection(host, port, timeout=30)
        latencies.append(time.perf_counter() - started)
    connection.close()
    return latencies, errors, time.process_time() - cpu_started


VOTE_BODY = json.dumps({"value": 1})


def _request(kind: str, params: dict, rng: random.Random, seed: int, sequence: int):
    if kind in ("vote-spread", "vote-hot"):
        ideas, tokens, first_idea = params["ideas"], params["tokens"], params["first_idea"]
        offset = 0 if kind == "vote-hot" else rng.randrange(ideas)
        voter_index = rng.randrange(len(tokens))
        # Idea k is by voter k mod len(tokens) (see seed.py): authors may not vote for it.
        if voter_index == offset % len(tokens):
            voter_index = (voter_index + 1) % len(tokens)
        headers = {
            "Authorization": f"Token {tokens[voter_index]}",
            "Content-Type": "application/json",
            "Host": "127.0.0.1",
        }
        return "PUT", f"/api/v1/ideas/{first_idea + offset}/vote/", VOTE_BODY, headers
    path = params["path"]
    if kind == "get-uncached":  # a query parameter the view ignores, unique per request
        path += f"{'&' if '?' in path else '?'}bench={seed}-{sequence}"
    return "GET", path, None, {"Host": "127.0.0.1"}


def run(
    *,
    host: str,
    port: int,
    kind: str,
    params: dict,
    seconds: float,
    clients: int,
    max_requests: int,
    seed: int = 0,
) -> dict:
    """Drive `clients` processes for `seconds` or `max_requests` requests in all, whichever
    comes first. Returns the rate, p50 and p99 (ms), errors (non-2xx or failed), requests,
    elapsed seconds, the sorted latencies (s) and the clients' CPU seconds."""
    _PARAMS.clear()
    _PARAMS.update(params)
    per_client = math.ceil(max_requests / clients)
    jobs = [
        (host, port, seconds, per_client, kind, seed * 1000 + index) for index in range(clients)
    ]
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(clients) as pool:
        results = pool.map(_worker, jobs)
    elapsed = time.perf_counter() - started
    return summarise(
        latencies=sorted(latency for part, _errors, _cpu in results for latency in part),
        errors=sum(errors for _part, errors, _cpu in results),
        elapsed=elapsed,
        client_cpu=sum(cpu for _part, _errors, cpu in results),
    )


def summarise(*, latencies: list[float], errors: int, elapsed: float, client_cpu: float):
    def at(share: float) -> float:
        if not latencies:
            return 0.0
        return latencies[min(len(latencies) - 1, int(len(latencies) * share))] * 1000

    return {
        "rate": len(latencies) / elapsed if elapsed else 0.0,
        "p50": at(0.50),
        "p99": at(0.99),
        "errors": errors,
        "requests": len(latencies),
        "elapsed": elapsed,
        "latencies": latencies,
        "client_cpu": client_cpu,
    }


def combine(parts: list[dict]) -> dict:
    """One result from several rounds of the same scenario: requests over their summed
    time, percentiles over all their latencies."""
    return summarise(
        latencies=sorted(latency for part in parts for latency in part["latencies"]),
        errors=sum(part["errors"] for part in parts),
        elapsed=sum(part["elapsed"] for part in parts),
        client_cpu=sum(part["client_cpu"] for part in parts),
    )
