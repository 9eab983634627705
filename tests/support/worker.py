"""A real Celery worker process (with its embedded beat) for tests of the tally path."""

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

from core.redis import get_redis, key
from core.tasks import HEARTBEAT_KEY

ROOT = Path(__file__).resolve().parents[2]


def database_url_for_current_test_database() -> str:
    """The DATABASE_URL of the database this test run uses (test_<name>)."""
    db = connection.settings_dict
    user = db["USER"] or "postgres"
    if db["HOST"].startswith("/"):
        return f"postgres://{user}@/{db['NAME']}?host={db['HOST']}"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{user}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def _die_with_parent() -> None:
    """Ask Linux to stop the worker if the test run dies without tearing it down."""
    with contextlib.suppress(OSError):  # not Linux: the fixture's teardown still stops it
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class WorkerProcess:
    def __init__(self):
        self.process: subprocess.Popen | None = None
        # Open for the worker's whole life, hence no context manager.
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115
            prefix="foule-worker-", suffix=".log", delete=False
        )
        self.schedule = Path(tempfile.mkdtemp(prefix="foule-beat-")) / "schedule"

    def start(self, timeout: float = 30.0) -> "WorkerProcess":
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": database_url_for_current_test_database(),
            "REDIS_URL": settings.REDIS_URL,
            "FOULE_REDIS_PREFIX": settings.FOULE_REDIS_PREFIX,
            "FOULE_TALLY_INTERVAL": "0.5",
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "-B",
             "-s", str(self.schedule), "-c", "2", "-l", "INFO", "--without-mingle",
             "--without-gossip", "-n", f"test-{os.getpid()}@%h"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent,
        )  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the worker exited early:\n{self.output()}")
            if get_redis().get(key(HEARTBEAT_KEY)):
                return self
            time.sleep(0.2)
        raise RuntimeError(f"the worker sent no heartbeat in {timeout}s:\n{self.output()}")

    def output(self) -> str:
        return Path(self.log.name).read_text(errors="replace")[-5000:]

    def kill(self) -> None:
        """SIGKILL the worker and its pool children at once, as a crashed machine would:
        no warm shutdown, no task acknowledged or requeued by the worker itself."""
        import psutil

        if not self.process or self.process.poll() is not None:
            return
        parent = psutil.Process(self.process.pid)
        for process in [*parent.children(recursive=True), parent]:
            with contextlib.suppress(psutil.NoSuchProcess):
                process.kill()
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def wait_for(condition, *, timeout: float, interval: float = 0.1):
    """Poll `condition()` until it returns something truthy; return it, or the last value."""
    deadline = time.monotonic() + timeout
    value = condition()
    while not value and time.monotonic() < deadline:
        time.sleep(interval)
        value = condition()
    return value
