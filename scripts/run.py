"""`make run`: services up, database migrated, demo data loaded, then the web server, a
Celery worker and beat, until Ctrl-C stops them all (and the embedded servers)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import services  # noqa: E402

ROOT = services.ROOT
PYTHON = sys.executable
HOST = os.environ.get("FOULE_HOST", "127.0.0.1")
PORT = os.environ.get("FOULE_PORT", "8000")


# A process that dies is started again, unless it keeps dying: then `make run` stops.
RESTARTS_ALLOWED = 5
RESTART_WINDOW_SECONDS = 60


def manage(*args: str, env: dict) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def start(command: list[str], env: dict) -> subprocess.Popen:
    # Its own process group, so that stopping it stops what it started too (the web
    # server's autoreloader runs the server in a child process).
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)


def stop(child: subprocess.Popen, deadline: float) -> None:
    if child.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGTERM)
    try:
        child.wait(timeout=max(0.1, deadline - time.time()))
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)


def main() -> int:
    # Ctrl-C (and a plain `kill`) stop everything, even when started from a script that
    # ignores SIGINT for its background jobs.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    env_overrides, stoppers = services.up()
    env = {
        **os.environ,
        **env_overrides,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "PYTHONUNBUFFERED": "1",
        # The development server runs each request in a thread of its own: a connection
        # kept for a minute per thread exhausted a shared PostgreSQL. One per request here.
        "DATABASE_CONN_MAX_AGE": os.environ.get("DATABASE_CONN_MAX_AGE", "0"),
    }
    children: dict[str, subprocess.Popen] = {}
    try:
        manage("migrate", "--no-input", "-v", "0", env=env)
        manage("seed_demo", env=env)
        # With DATABASE_URL and REDIS_URL set nothing else creates the data folder, and
        # beat dies without a place for its schedule file.
        services.DATA.mkdir(parents=True, exist_ok=True)
        beat_schedule = services.DATA / "celerybeat-schedule"
        commands = {
            # Reloads itself when a Python file changes (the worker and beat do not: restart
            # `make run` after changing a task; the data is kept, seeding is idempotent).
            "web": [PYTHON, "manage.py", "runserver", f"{HOST}:{PORT}"],
            "worker": [PYTHON, "-m", "celery", "-A", "config", "worker", "-l", "WARNING",
                       "-c", "2", "-n", "foule@%h"],
            "beat": [PYTHON, "-m", "celery", "-A", "config", "beat", "-l", "WARNING",
                     "-s", str(beat_schedule)],
        }  # fmt: skip
        for name, command in commands.items():
            children[name] = start(command, env)
        print(f"\n  Foule is at http://{HOST}:{PORT}/  (Ctrl-C stops everything)\n", flush=True)
        restarts: list[float] = []
        while True:
            time.sleep(0.5)
            for name, child in children.items():
                if child.poll() is None:
                    continue
                now = time.time()
                restarts = [at for at in restarts if at > now - RESTART_WINDOW_SECONDS]
                if len(restarts) >= RESTARTS_ALLOWED:
                    print(f"[run] {name} keeps stopping; stopping everything", flush=True)
                    return 1
                restarts.append(now)
                print(f"[run] {name} stopped (exit {child.returncode}); starting it again",
                      flush=True)  # fmt: skip
                children[name] = start(commands[name], env)
    except KeyboardInterrupt:
        print("\n[run] stopping…", flush=True)
        return 0
    finally:
        deadline = time.time() + 15
        for child in children.values():
            stop(child, deadline)
        if stoppers:
            services.ENV_FILE.unlink(missing_ok=True)
        for stop_service in stoppers:
            stop_service()


if __name__ == "__main__":
    sys.exit(main())
