"""pgbench with the vote upsert: PostgreSQL's own rate for the statement a vote writes, on
this machine, in the same run (one round between the HTTP scenarios of each round), so
the HTTP vote rate can be read as a share of what the database alone does."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pgserver
from django.db import connection

from scripts.bench import monitor
from scripts.bench.knobs import HOST, IDEAS, PGBENCH_CLIENTS, USERS
from scripts.bench.seed import PGBENCH_TABLE, Seeded


def binary() -> str | None:
    """The pgbench the pgserver wheel ships, else one on the PATH."""
    bundled = Path(pgserver.__file__).parent / "pginstall" / "bin" / "pgbench"
    return str(bundled) if bundled.exists() else shutil.which("pgbench")


def script(data: Seeded) -> Path:
    """The upsert of voting.services, one random voter and idea within the seeded ranges,
    into the copy of the vote table (seed.pgbench_table_create)."""
    path = Path(tempfile.mkdtemp(prefix="foule-pgbench-")) / "vote.sql"
    path.write_text(
        f"\\set idea random({data.first_idea}, {data.first_idea + IDEAS - 1})\n"
        f"\\set voter random({data.first_user}, {data.first_user + USERS - 1})\n"
        f"INSERT INTO {PGBENCH_TABLE} (value, created_at, updated_at, idea_id, voter_id) "
        "VALUES (1, now(), now(), :idea, :voter) "
        "ON CONFLICT (voter_id, idea_id) DO UPDATE SET value = excluded.value, "
        "updated_at = excluded.updated_at;\n"
    )
    return path


def run(*, program: str, script_path: Path, seconds: float, database) -> dict:
    """One pgbench run of `seconds`: tps, average latency (ms), and the CPU the backends
    of the bench's database (`database`, a monitor.DatabaseBackends) used per transaction
    (ms)."""
    db = connection.settings_dict
    args = [program, "-n", "-c", str(PGBENCH_CLIENTS), "-j", str(min(PGBENCH_CLIENTS, 2)),
            "-T", str(max(1, round(seconds))), "-f", str(script_path),
            "-U", db["USER"] or "postgres", "-h", db["HOST"] or HOST,
            "-p", str(db["PORT"] or 5432), db["NAME"]]  # fmt: skip
    env = {**os.environ, "PGPASSWORD": db["PASSWORD"] or ""}
    meter = monitor.CpuMeter({"PostgreSQL": database}).start()
    completed = subprocess.run(
        args, capture_output=True, text=True, env=env, timeout=seconds + 60, check=False
    )
    wall = time.perf_counter() - meter.started
    time.sleep(1)  # the backends exit as pgbench disconnects; their CPU counts once reaped
    cpu = meter.stop(wall=wall)
    if completed.returncode:
        raise SystemExit(f"pgbench failed: {completed.stderr.strip()}")
    lines = completed.stdout.splitlines()
    tps = next(float(line.split("=")[1].split()[0]) for line in lines if line.startswith("tps"))
    latency = next(
        (
            float(line.split("=")[1].split()[0])
            for line in lines
            if line.startswith("latency average")
        ),
        0.0,
    )
    transactions = tps * seconds
    return {
        "rate": tps,
        "latency": latency,
        "postgres_ms": 1000 * cpu.get("PostgreSQL", 0.0) * wall / transactions
        if transactions
        else 0.0,
        "cpu": cpu,
    }
