"""The load generator: wrk, a C program (one event loop a thread), so the client's cost on
the shared cores is a few percent of what Python clients took. Lua scripts in lua/ build
the requests and print one result line that this module reads."""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
from pathlib import Path

from scripts.bench.knobs import CONNECTIONS, HOST, WRK_THREADS

LUA = Path(__file__).resolve().parent / "lua"


def ensure_wrk() -> str | None:
    """wrk's path, installing the distribution's package when missing and allowed (root
    with apt-get); None, with the reason printed, when it cannot be had."""
    found = shutil.which("wrk")
    if found:
        return found
    if shutil.which("apt-get") and os.geteuid() == 0:
        print("wrk is missing: installing it (apt-get install -y wrk)", flush=True)
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.STDOUT}
        installed = subprocess.run(["apt-get", "install", "-y", "wrk"], **quiet, check=False)
        if installed.returncode:  # the package lists may be missing on a fresh machine
            subprocess.run(["apt-get", "update"], **quiet, check=False)
            subprocess.run(["apt-get", "install", "-y", "wrk"], **quiet, check=False)
        found = shutil.which("wrk")
        if found:
            return found
    print(
        "wrk (the HTTP load generator) is not installed and could not be installed here: "
        "install it (Debian/Ubuntu: apt-get install wrk; macOS: brew install wrk) and run "
        "make bench again. The HTTP scenarios are skipped.",
        flush=True,
    )
    return None


def run(
    *,
    binary: str,
    port: int,
    path: str,
    seconds: float,
    script: str,
    args: list[str] = (),
    connections: int = CONNECTIONS,
) -> dict:
    """Drive http://HOST:port/path for `seconds` with `connections` connections. Returns the
    rate (req/s), p50/p90/p99/max latency (ms), errors (non-2xx/3xx answers, failed
    connections, timeouts), requests, elapsed seconds and wrk's own CPU seconds."""
    command = [
        binary, "--threads", str(min(WRK_THREADS, connections)),
        "--connections", str(connections), "--duration", f"{max(1, round(seconds))}s",
        "--timeout", "10s", "--latency", "--script", script,
        f"http://{HOST}:{port}{path}", "--", *args,
    ]  # fmt: skip
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    completed = subprocess.run(
        command, cwd=LUA, capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # wrk, the one child reaped since
    line = next(
        (line for line in completed.stdout.splitlines() if line.startswith("BENCH-RESULT")), None
    )
    if completed.returncode or line is None:
        raise SystemExit(f"wrk failed ({completed.returncode}): {completed.stderr.strip()}")
    fields = {name: int(value) for name, value in (part.split("=") for part in line.split()[1:])}
    elapsed = fields["duration_us"] / 1e6
    errors = sum(fields[name] for name in fields if name.endswith("errors") or name == "timeouts")
    return {
        "rate": fields["requests"] / elapsed if elapsed else 0.0,
        "p50": fields["p50_us"] / 1000,
        "p90": fields["p90_us"] / 1000,
        "p99": fields["p99_us"] / 1000,
        "max": fields["max_us"] / 1000,
        "errors": errors,
        "requests": fields["requests"],
        "elapsed": elapsed,
        "client_cpu": after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime,
    }
