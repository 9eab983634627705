"""`make run`: services up, database migrated, demo data loaded, then the web server, a
Celery worker and beat, until Ctrl-C stops them all (and the embedded servers)."""

from __future__ import annotations

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


def manage(*args: str, env: dict) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


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
    }
    children: list[subprocess.Popen] = []
    try:
        manage("migrate", "--no-input", "-v", "0", env=env)
        manage("seed_demo", env=env)
        # With DATABASE_URL and REDIS_URL set nothing else creates the data folder, and
        # beat dies without a place for its schedule file.
        services.DATA.mkdir(parents=True, exist_ok=True)
        beat_schedule = services.DATA / "celerybeat-schedule"
        commands = {
            "web": [PYTHON, "manage.py", "runserver", f"{HOST}:{PORT}", "--noreload"],
            "worker": [PYTHON, "-m", "celery", "-A", "config", "worker", "-l", "WARNING",
                       "-c", "2", "-n", "foule@%h"],
            "beat": [PYTHON, "-m", "celery", "-A", "config", "beat", "-l", "WARNING",
                     "-s", str(beat_schedule)],
        }  # fmt: skip
        for _name, command in commands.items():
            children.append(subprocess.Popen(command, cwd=ROOT, env=env))
        print(f"\n  Foule is at http://{HOST}:{PORT}/  (Ctrl-C stops everything)\n", flush=True)
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        print("[run] a process stopped; stopping the others", flush=True)
        return 1
    except KeyboardInterrupt:
        print("\n[run] stopping…", flush=True)
        return 0
    finally:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.time() + 15
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                child.kill()
        if stoppers:
            services.ENV_FILE.unlink(missing_ok=True)
        for stop in stoppers:
            stop()


if __name__ == "__main__":
    sys.exit(main())
