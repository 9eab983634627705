"""scripts/supervisor.py, which keeps `make run`'s web server, worker and beat running: a
process that exits is started again and the log says so, a killed one is back at once, one
that keeps failing backs off and at last stops everything, `make dev` restarts on a code
change, and stopping leaves no process behind. Real processes, small and quick."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"
sys.path.insert(0, str(SCRIPTS))
import supervisor  # noqa: E402  (scripts/ is not a package)

PYTHON = sys.executable


class Output:
    """The lines a supervisor subprocess prints, read as they come."""

    def __init__(self, *programs: str):
        self.process = subprocess.Popen(
            [PYTHON, str(SCRIPTS / "supervisor.py"), *programs],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        self.lines: list[str] = []

    def until(self, predicate, timeout: float = 8.0) -> list[str]:
        deadline = time.monotonic() + timeout
        while not predicate(self.lines):
            assert time.monotonic() < deadline, self.lines
            line = self.process.stdout.readline()
            assert line, f"the supervisor exited: {self.lines}"
            self.lines.append(line.rstrip("\n"))
        return self.lines

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        rest, _ = self.process.communicate(timeout=20)
        self.lines += rest.splitlines()
        return self.process.returncode


def running(pid: int) -> bool:
    """Alive and not a zombie waiting for an init that may never reap it."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_a_process_that_exits_is_started_again_with_a_growing_delay():
    output = Output("short", f"{PYTHON} -c 'print(\"tick\", flush=True)'")
    try:
        lines = output.until(lambda lines: lines.count("tick") == 3)
    finally:
        assert output.stop() == 0
    restarts = [line for line in lines if line.startswith("[supervisor] short stopped")]
    # (the third exit may be logged too, "in 2 s", before the supervisor is stopped)
    assert restarts[:2] == [
        "[supervisor] short stopped (exit code 0, after 0 s); starting it again now",
        "[supervisor] short stopped (exit code 0, after 0 s); starting it again in 1 s",
    ]
    assert len([line for line in lines if "short started again (pid " in line]) == 2


def test_a_killed_process_is_back_at_once_and_the_log_says_so():
    output = Output(
        "sleeper", f"{PYTHON} -c 'import os, time; print(os.getpid(), flush=True); time.sleep(60)'"
    )
    try:
        first = int(output.until(lambda lines: len(lines) == 1)[0])
        killed_at = time.monotonic()
        os.kill(first, signal.SIGKILL)
        lines = output.until(lambda lines: lines[-1].isdigit() and int(lines[-1]) != first)
        back_after = time.monotonic() - killed_at
    finally:
        assert output.stop() == 0
    second = int(lines[-1])
    assert back_after < 3
    assert "[supervisor] sleeper stopped (killed by SIGKILL, after 0 s); starting it again now" in (
        lines
    )
    assert f"[supervisor] sleeper started again (pid {second})" in lines
    assert not running(second)  # stopped with the supervisor


def test_stopping_stops_what_the_programs_started_too():
    # A program that starts a child of its own (as gunicorn starts its workers).
    output = Output("parent", "sh -c 'sleep 60 & echo $!; wait'")
    try:
        child = int(output.until(lambda lines: len(lines) == 1)[0])
        assert running(child)
    finally:
        assert output.stop() == 0
    assert not running(child)


def test_a_program_that_keeps_failing_backs_off_then_stops_everything(monkeypatch):
    monkeypatch.setattr(supervisor, "MAX_DELAY_SECONDS", 0.0)  # the back-off without the wait
    log: list[str] = []
    failing = supervisor.Program("failing", [PYTHON, "-c", "raise SystemExit(3)"])
    steady = supervisor.Program("steady", [PYTHON, "-c", "import time; time.sleep(60)"])
    runner = supervisor.Supervisor([failing, steady], cwd=SCRIPTS, env=dict(os.environ),
                                   log=log.append)  # fmt: skip
    runner.start_all()
    try:
        with pytest.raises(supervisor.GaveUp) as gave_up:
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                runner.poll()
                time.sleep(0.02)
    finally:
        runner.stop_all()
    assert str(gave_up.value) == (
        f"failing exited {supervisor.GIVE_UP_AFTER} times in a row, each within 30 s of "
        "starting; stopping everything"
    )
    assert failing.starts == supervisor.GIVE_UP_AFTER
    assert steady.starts == 1
    assert steady.process.poll() is not None  # stopped with everything


def test_the_delays_double_up_to_thirty_seconds():
    delays = [supervisor.restart_delay(exits) for exits in range(1, 10)]
    assert delays == [0, 1, 2, 4, 8, 16, 30, 30, 30]


def test_a_code_change_restarts_the_programs_that_reload(tmp_path):
    log: list[str] = []
    sleep = [PYTHON, "-c", "import time; time.sleep(60)"]
    worker = supervisor.Program("worker", sleep, reload=True)
    web = supervisor.Program("web", sleep)  # reloads itself (runserver)
    runner = supervisor.Supervisor([worker, web], cwd=tmp_path, env=dict(os.environ),
                                   log=log.append, watch=[tmp_path])  # fmt: skip
    runner.start_all()
    try:
        first = worker.process.pid
        time.sleep(0.5)  # the watcher starts in its thread
        (tmp_path / "tasks.txt").write_text("not Python: ignored")
        (tmp_path / "tasks.py").write_text("CHANGED = True\n")
        deadline = time.monotonic() + 8
        while worker.process.pid == first and time.monotonic() < deadline:
            runner.poll()
            time.sleep(0.1)
    finally:
        runner.stop_all()
    assert worker.process.pid != first
    assert log[0] == "worker: code changed (tasks.py); restarting it"
    assert log[1] == f"worker started again (pid {worker.process.pid})"
    assert web.starts == 1
