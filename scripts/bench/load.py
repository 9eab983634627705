"""A small HTTP load generator: worker processes with keep-alive connections, each
request timed. Loopback only; every run is bounded in time."""

from __future__ import annotations

import http.client
import json
import multiprocessing
import random
import time


def _worker(args) -> tuple[list[float], int]:
    host, port, seconds, kind, params, seed = args
    rng = random.Random(seed)
    connection = http.client.HTTPConnection(host, port, timeout=30)
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        method, path, body, headers = _request(kind, params, rng)
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
    return latencies, errors


def _request(kind: str, params: dict, rng: random.Random):
    if kind in ("vote-spread", "vote-hot"):
        ideas, tokens, first_idea = params["ideas"], params["tokens"], params["first_idea"]
        offset = 0 if kind == "vote-hot" else rng.randrange(ideas)
        voter_index = rng.randrange(len(tokens))
        if voter_index == offset % len(tokens):  # the idea's author may not vote for it
            voter_index = (voter_index + 1) % len(tokens)
        body = json.dumps({"value": 1})
        headers = {
            "Authorization": f"Token {tokens[voter_index]}",
            "Content-Type": "application/json",
            "Host": "127.0.0.1",
        }
        return "PUT", f"/api/v1/ideas/{first_idea + offset}/vote/", body, headers
    return "GET", params["path"], None, {"Host": "127.0.0.1"}


def run(*, host: str, port: int, kind: str, params: dict, seconds: float, clients: int) -> dict:
    """Drive `clients` processes for `seconds`; return rate, p50, p99 (ms) and errors."""
    jobs = [(host, port, seconds, kind, params, seed) for seed in range(clients)]
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(clients) as pool:
        results = pool.map(_worker, jobs)
    elapsed = time.perf_counter() - started
    latencies = sorted(latency for part, _errors in results for latency in part)
    errors = sum(errors for _part, errors in results)
    if not latencies:
        return {"rate": 0.0, "p50": 0.0, "p99": 0.0, "errors": errors, "requests": 0}
    return {
        "rate": len(latencies) / elapsed,
        "p50": latencies[len(latencies) // 2] * 1000,
        "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
        "errors": errors,
        "requests": len(latencies),
    }
