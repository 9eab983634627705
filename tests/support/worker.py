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

    def start(self, timeout: float = 30.0, *, ping: bool = False) -> "WorkerProcess":
        """Start the worker; return once it has written a heartbeat since this call (a
        heartbeat left by an earlier worker does not count).

        Beat sends the first heartbeat after 5 s. With `ping`, one is also queued through
        the broker at once, so start returns as soon as the worker takes its first task."""
        started_at = time.time()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": database_url_for_current_test_database(),
            "REDIS_URL": settings.REDIS_URL,
            "FOULE_REDIS_PREFIX": settings.FOULE_REDIS_PREFIX,
            "FOULE_TALLY_INTERVAL": "0.5",
            "FOULE_LIFECYCLE_INTERVAL": "1",
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "-B",
             "-s", str(self.schedule), "-c", "2", "-l", "INFO", "--without-mingle",
             "--without-gossip", "-n", f"test-{os.getpid()}@%h"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent,
        )  # fmt: skip
        if ping:
            from core.tasks import worker_heartbeat

            worker_heartbeat.delay()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the worker exited early:\n{self.output()}")
            heartbeat = get_redis().get(key(HEARTBEAT_KEY))
            if heartbeat and float(heartbeat) >= started_at:
                return self
            time.sleep(0.2 if not ping else 0.05)
        raise RuntimeError(f"the worker sent no heartbeat in {timeout}s:\n{self.output()}")

    def output(self, last: int | None = 5000) -> str:
        """The end of the worker's log (`last` characters; None: all of it)."""
        text = Path(self.log.name).read_text(errors="replace")
        return text if last is None else text[-last:]

    def _tree(self) -> list:
        """The worker's main process, then its children (pool processes, embedded beat)."""
        import psutil

        if not self.process or self.process.poll() is not None:
            return []
        try:
            parent = psutil.Process(self.process.pid)
            return [parent, *parent.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def kill(self) -> None:
        """SIGKILL the worker and its pool children at once, as a crashed machine would:
        no warm shutdown, no task acknowledged or requeued by the worker itself. The main
        process is frozen first, so it cannot fork a replacement child meanwhile."""
        import psutil

        if not self.process or self.process.poll() is not None:
            return
        with contextlib.suppress(psutil.NoSuchProcess):
            psutil.Process(self.process.pid).suspend()
        tree = self._tree()
        for process in tree:
            with contextlib.suppress(psutil.NoSuchProcess):
                process.kill()
        self.process.wait(timeout=10)

        def gone(process) -> bool:  # a killed child may linger as a zombie: it is dead
            try:
                return process.status() == psutil.STATUS_ZOMBIE
            except psutil.NoSuchProcess:
                return True

        wait_for(lambda: all(gone(process) for process in tree[1:]), timeout=10)

    def suspend(self) -> None:
        """SIGSTOP the worker and its children, as a stalled machine: it takes no task and
        writes nothing until resume(). The main process first, so it forks nothing."""
        import psutil

        for process in self._tree():
            with contextlib.suppress(psutil.NoSuchProcess):
                process.suspend()

    def resume(self) -> None:
        """SIGCONT what suspend() stopped (harmless on a running or dead worker)."""
        import psutil

        for process in reversed(self._tree()):
            with contextlib.suppress(psutil.NoSuchProcess):
                process.resume()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.resume()  # a suspended worker would hold SIGTERM until its SIGCONT
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
