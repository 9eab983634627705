"""Keeps a few processes running for `make run` and `make dev` (scripts/run.py).

A process that exits is started again and the log says so. One that ran for a while (a
worker killed by hand or by the machine) is back at once; one that keeps exiting soon after
starting (a broken setting, a port taken) is retried after 1, 2, 4 ... up to 30 seconds, so
a fault that clears by itself (a database restarting) costs nothing, and only after
GIVE_UP_AFTER quick exits in a row (about two minutes of trying) does the
supervisor give up and stop everything, with the reason. Programs marked `reload` are also
restarted when a Python file under the watched folders changes (`make dev`).

    python scripts/supervisor.py NAME 'COMMAND' [NAME 'COMMAND' ...]

runs the commands supervised until Ctrl-C (a small door used by tests/scripts/).
"""

from __future__ import annotations

import contextlib
import os
import queue
import shlex
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import watchfiles

# A process that stayed up this long was healthy: its next exit is restarted at once.
STABLE_AFTER_SECONDS = 30.0
MAX_DELAY_SECONDS = 30.0
GIVE_UP_AFTER = 10
STOP_TIMEOUT_SECONDS = 15.0


class GaveUp(Exception):
    """A program kept exiting right after starting: the message says which and how often."""


@dataclass
class Program:
    name: str
    command: list[str]
    reload: bool = False
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    quick_exits: int = 0  # exits in a row, each within STABLE_AFTER_SECONDS of its start
    restart_at: float | None = None
    starts: int = field(default=0)


def restart_delay(quick_exits: int) -> float:
    """0 for the first exit in a row, then 1, 2, 4, ... seconds, at most MAX_DELAY_SECONDS."""
    if quick_exits <= 1:
        return 0.0
    return min(MAX_DELAY_SECONDS, 2.0 ** (quick_exits - 2))


def describe_exit(code: int) -> str:
    if code < 0:
        with contextlib.suppress(ValueError):
            return f"killed by {signal.Signals(-code).name}"
    return f"exit code {code}"


def stop_group(process: subprocess.Popen, deadline: float) -> None:
    """SIGTERM to the program's process group (what it started too), SIGKILL at the deadline."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=max(0.1, deadline - time.monotonic()))
    # The leader gone, its children may still be finishing (a gunicorn worker, the Celery
    # pool): wait for the whole group until the deadline, then kill what is left.
    while group_alive(process.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def group_alive(group: int) -> bool:
    """Whether a process of the group still runs. Zombies do not count: an orphan is
    reaped by the machine's init, which in some containers never does it."""
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    proc = Path("/proc")
    if not proc.is_dir():
        return True
    for stat in proc.glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            # "pid (name) state ppid pgrp ...": the name may hold spaces, so split after ")".
            state, _, pgrp = stat.read_text().rsplit(")", 1)[1].split()[:3]
            if int(pgrp) == group and state != "Z":
                return True
    return False


class Supervisor:
    def __init__(
        self,
        programs: Iterable[Program],
        *,
        cwd: Path | str,
        env: dict[str, str],
        log: Callable[[str], None],
        watch: Iterable[Path] = (),
    ):
        self.programs = {program.name: program for program in programs}
        self.cwd, self.env, self.log = cwd, env, log
        self.watch_paths = [str(path) for path in watch]
        self.changes: queue.Queue[set[str]] = queue.Queue()
        self.stop_watching = threading.Event()

    def start(self, program: Program) -> None:
        # Its own session and process group: stopping it stops what it started too (the
        # gunicorn workers, runserver's reloaded child, the Celery pool), and Ctrl-C in the
        # terminal reaches only the supervisor, which stops everything in order.
        program.process = subprocess.Popen(
            program.command, cwd=self.cwd, env=self.env, start_new_session=True
        )
        program.started_at = time.monotonic()
        program.restart_at = None
        program.starts += 1
        if program.starts > 1:
            self.log(f"{program.name} started again (pid {program.process.pid})")

    def start_all(self) -> None:
        for program in self.programs.values():
            self.start(program)
        if self.watch_paths and any(p.reload for p in self.programs.values()):
            threading.Thread(target=self._watch, daemon=True).start()

    def _watch(self) -> None:
        for changes in watchfiles.watch(
            *self.watch_paths,
            watch_filter=watchfiles.PythonFilter(),
            stop_event=self.stop_watching,
            raise_interrupt=False,
        ):
            self.changes.put({path for _, path in changes})

    def poll(self) -> None:
        """Restart what exited (after its back-off) and what must reload; raise GaveUp."""
        now = time.monotonic()
        for program in self.programs.values():
            process = program.process
            if program.restart_at is not None:
                if now >= program.restart_at:
                    self.start(program)
                continue
            if process is None or process.poll() is None:
                continue
            ran_for = now - program.started_at
            program.quick_exits = program.quick_exits + 1 if ran_for < STABLE_AFTER_SECONDS else 1
            if program.quick_exits >= GIVE_UP_AFTER:
                raise GaveUp(
                    f"{program.name} exited {program.quick_exits} times in a row, each "
                    f"within {STABLE_AFTER_SECONDS:.0f} s of starting; stopping everything"
                )
            delay = restart_delay(program.quick_exits)
            when = "now" if delay == 0 else f"in {delay:.0f} s"
            self.log(
                f"{program.name} stopped ({describe_exit(process.returncode)}, after "
                f"{ran_for:.0f} s); starting it again {when}"
            )
            program.restart_at = now + delay
        self._reload_changed()

    def _reload_changed(self) -> None:
        changed: set[str] = set()
        while not self.changes.empty():
            changed |= self.changes.get_nowait()
        if not changed:
            return
        names = ", ".join(sorted(os.path.relpath(path, self.cwd) for path in changed)[:3])
        for program in self.programs.values():
            if program.reload and program.process and program.restart_at is None:
                self.log(f"{program.name}: code changed ({names}); restarting it")
                stop_group(program.process, time.monotonic() + STOP_TIMEOUT_SECONDS)
                program.quick_exits = 0
                self.start(program)

    def stop_all(self, timeout: float = STOP_TIMEOUT_SECONDS) -> None:
        self.stop_watching.set()
        deadline = time.monotonic() + timeout
        running = [p.process for p in self.programs.values() if p.process is not None]
        for process in running:  # all asked at once, then waited for
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        for process in running:
            stop_group(process, deadline)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv: list[str]) -> int:
    if len(argv) < 2 or len(argv) % 2:
        print(__doc__, file=sys.stderr)
        return 2
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    programs = [
        Program(name, shlex.split(cmd)) for name, cmd in zip(argv[::2], argv[1::2], strict=True)
    ]
    supervisor = Supervisor(
        programs,
        cwd=os.getcwd(),
        env=dict(os.environ),
        log=lambda message: print(f"[supervisor] {message}", flush=True),
    )
    try:
        supervisor.start_all()
        while True:
            time.sleep(0.2)
            supervisor.poll()
    except KeyboardInterrupt:
        return 0
    except GaveUp as reason:
        print(f"[supervisor] {reason}", flush=True)
        return 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        supervisor.stop_all()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
