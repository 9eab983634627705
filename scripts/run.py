"""`make run` and `make dev`: services up, the data folder made, the database migrated, demo
data loaded (idempotent: nothing is re-seeded), then the web server, a Celery worker and
beat, supervised (scripts/supervisor.py) until Ctrl-C stops them all and the embedded
servers.

    python scripts/run.py          the production shape: gunicorn (config/gunicorn.py),
                                   DEBUG off, static files collected (config.settings.local)
    python scripts/run.py --dev    the development loop: runserver and the worker and beat
                                   restarted on code changes, the debug toolbar
                                   (config.settings.dev)
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import services  # noqa: E402
from supervisor import GaveUp, Program, Supervisor  # noqa: E402

ROOT = services.ROOT
PYTHON = sys.executable
HOST = os.environ.get("FOULE_HOST", "127.0.0.1")
PORT = os.environ.get("FOULE_PORT", "8000")
# Python code the worker and beat run: a change here restarts them under `make dev`.
WATCHED = sorted(path.parent for path in ROOT.glob("*/apps.py")) + [ROOT / "config"]


def say(message: str) -> None:
    print(f"[run] {message}", flush=True)


# migrate, collectstatic and seed_demo in one process: Django loads once, not three times.
PREPARE = """
import sys
import django
from django.core.management import call_command

django.setup()
call_command("check")  # once here: the worker and beat start with --skip-checks
call_command("migrate", interactive=False, verbosity=0)
if "collectstatic" in sys.argv:
    call_command("collectstatic", interactive=False, verbosity=0)
call_command("seed_demo")
"""


def prepare(env: dict, *, dev: bool) -> None:
    """The database migrated and its demo data loaded; under `make run` the static files
    collected too (`make dev` serves them from the apps' folders)."""
    steps = [] if dev else ["collectstatic"]
    subprocess.run([PYTHON, "-c", PREPARE, *steps], cwd=ROOT, env=env, check=True)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def port_answers(host: str, port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.3)
        return probe.connect_ex((host, port)) == 0


def serves(url: str) -> bool:
    """Whether the site answers a page (/healthz, whatever its verdict), not just a socket."""
    try:
        with urllib.request.urlopen(f"{url}healthz", timeout=2):  # noqa: S310 (our own URL)
            return True
    except urllib.error.HTTPError:
        return True  # 503: serving, the worker not seen yet
    except OSError:
        return False


def local_address() -> str:
    return "127.0.0.1" if HOST in ("0.0.0.0", "", "::") else HOST  # noqa: S104


def programs(*, dev: bool) -> list[Program]:
    # --quiet: no banner; what they log at WARNING and above still shows. --skip-checks:
    # Django's checks ran once in prepare(), and a restarted worker is ready sooner.
    celery = [PYTHON, "-m", "celery", "--quiet", "--skip-checks", "-A", "config"]
    # A single worker: no other worker to synchronise with at start (mingle) or to gossip
    # with, which also makes a restarted worker ready sooner.
    worker = [*celery, "worker", "-l", "WARNING", "-c", os.environ.get("FOULE_WORKERS", "2"),
              "-Q", "celery", "-n", "foule@%h", "--without-mingle", "--without-gossip"]  # fmt: skip
    # Results (a whole election's count) on a worker of their own: a long recount never
    # holds the processes that keep tallies fresh and beat's heartbeat answered.
    results = [*celery, "worker", "-l", "WARNING", "-c", "1", "-Q", "results",
               "-n", "results@%h", "--without-mingle", "--without-gossip"]  # fmt: skip
    beat = [*celery, "beat", "-l", "WARNING", "-s", str(services.DATA / "celerybeat-schedule")]
    if dev:
        # runserver reloads itself on a code change; the supervisor restarts the worker and
        # beat on one (they would otherwise keep running the old code).
        web = [PYTHON, "manage.py", "runserver", f"{HOST}:{PORT}"]
    else:
        web = [PYTHON, "-m", "gunicorn", "-c", str(ROOT / "config" / "gunicorn.py")]
    return [
        Program("web", web),
        Program("worker", worker, reload=dev),
        Program("results", results, reload=dev),
        Program("beat", beat, reload=dev),
    ]


def environment(service_env: dict[str, str], *, dev: bool) -> dict[str, str]:
    return {
        **os.environ,
        **service_env,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev" if dev else "config.settings.local",
        "PYTHONUNBUFFERED": "1",
        "FOULE_HOST": HOST,
        "FOULE_PORT": PORT,
        # Links in emails point at this server unless told otherwise.
        "FOULE_SITE_URL": os.environ.get("FOULE_SITE_URL", f"http://{local_address()}:{PORT}"),
    }


def start_services() -> tuple[dict[str, str], list, bool]:
    """services.up(), which Ctrl-C does not cut short (an embedded server started but not yet
    known as ours would be left running); the third value says whether Ctrl-C came."""
    interrupted = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda signum, frame: interrupted.append(signum))
    try:
        service_env, stoppers = services.up()
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, _interrupt)
    return service_env, stoppers, bool(interrupted)


def main(argv: list[str]) -> int:
    dev = "--dev" in argv
    # Ctrl-C (and a plain `kill`) stop everything, even when started from a script that
    # ignores SIGINT for its background jobs.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    if port_answers(local_address(), int(PORT)):
        say(f"port {PORT} is in use: stop what serves it, or choose another: FOULE_PORT=8001")
        return 1
    began = time.monotonic()
    stoppers: list = []
    supervisor = None
    try:
        # Also with DATABASE_URL and REDIS_URL set, when nothing else creates it: beat keeps
        # its schedule file there, uploads and exports go under it.
        services.DATA.mkdir(parents=True, exist_ok=True)
        service_env, stoppers, interrupted = start_services()
        if interrupted:
            raise KeyboardInterrupt
        env = environment(service_env, dev=dev)
        prepare(env, dev=dev)
        supervisor = Supervisor(
            programs(dev=dev), cwd=ROOT, env=env, log=say, watch=WATCHED if dev else ()
        )
        supervisor.start_all()
        url, serving = f"http://{local_address()}:{PORT}/", False
        while True:
            time.sleep(0.25)
            supervisor.poll()
            if not serving and serves(url):
                serving = True
                say(f"serving after {time.monotonic() - began:.0f} s")
                print(f"\n  Foule is at {url}  (Ctrl-C stops everything)\n", flush=True)
    except KeyboardInterrupt:
        say("stopping…")
        return 0
    except GaveUp as reason:
        say(str(reason))
        return 1
    except subprocess.CalledProcessError as failure:
        say(f"preparing the database failed (exit code {failure.returncode}); stopping")
        return 1
    finally:
        # A second Ctrl-C must not leave servers behind: the stop itself is bounded.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if supervisor is not None:
            supervisor.stop_all()
        if stoppers:
            services.ENV_FILE.unlink(missing_ok=True)
        for stop_service in stoppers:
            stop_service()
        say("stopped")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
