"""What the benchmark watches while the load runs: CPU time per component, the peak
resident memory of each process, and the tally lag samples the drain records."""

from __future__ import annotations

import contextlib
import threading
import time

import psutil

from core.redis import get_redis
from voting import dirty


def _own_and_reaped(process: psutil.Process) -> float:
    """CPU seconds of a process plus those of its children it has already reaped (a
    PostgreSQL backend that exited, a Celery pool child that was replaced)."""
    times = process.cpu_times()
    return times.user + times.system + times.children_user + times.children_system


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds used so far by a process and all its descendants, living or reaped.
    The difference of two readings is what the tree used in between."""
    try:
        parent = psutil.Process(pid)
        total = _own_and_reaped(parent)
        children = parent.children(recursive=True)
    except psutil.NoSuchProcess:
        return 0.0
    for child in children:
        with contextlib.suppress(psutil.NoSuchProcess):
            times = child.cpu_times()
            total += times.user + times.system
    return total


class CpuMeter:
    """CPU used by named process trees between start() and stop(), as a share of one core,
    plus the whole machine's busy share."""

    def __init__(self, trees: dict[str, int]):
        self.trees = {name: pid for name, pid in trees.items() if pid}

    def start(self) -> CpuMeter:
        self.started = time.perf_counter()
        self.before = {name: tree_cpu_seconds(pid) for name, pid in self.trees.items()}
        self.machine_before = psutil.cpu_times()
        return self

    def stop(
        self, *, extra: dict[str, float] | None = None, wall: float | None = None
    ) -> dict[str, float]:
        """{name: CPU seconds / wall seconds} (1.0 = one core busy); `extra` adds CPU
        seconds measured elsewhere (the load generator's processes report their own).
        Processes that just exited count once their parent has reaped them: after
        short-lived connections, wait a moment and pass the `wall` time of the load."""
        wall = wall or time.perf_counter() - self.started
        shares = {
            name: (tree_cpu_seconds(pid) - self.before[name]) / wall
            for name, pid in self.trees.items()
        }
        for name, seconds in (extra or {}).items():
            shares[name] = seconds / wall
        after, before = psutil.cpu_times(), self.machine_before
        total = sum(after) - sum(before)
        idle = after.idle - before.idle + getattr(after, "iowait", 0) - getattr(before, "iowait", 0)
        shares["whole machine"] = psutil.cpu_count() * (total - idle) / total if total else 0.0
        return shares


class PeakMemory(threading.Thread):
    """Samples the resident memory of every process of a tree four times a second."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peaks, self.running = pid, {}, True

    def run(self):
        while self.running:
            try:
                parent = psutil.Process(self.pid)
                processes = [parent, *parent.children(recursive=True)]
            except psutil.NoSuchProcess:
                processes = []
            for process in processes:
                with contextlib.suppress(psutil.NoSuchProcess):
                    rss = process.memory_info().rss / 2**20
                    self.peaks[process.pid] = max(self.peaks.get(process.pid, 0.0), rss)
            time.sleep(0.25)

    def stop(self) -> None:
        self.running = False
        self.join(timeout=2)


class LagSampler(threading.Thread):
    """Collects every tally lag the drain records while it runs. The drain keeps only the
    last 1,000 samples in a Redis list (voting.dirty.record_lags); this takes and clears
    the list atomically twice a second, so no sample is lost or counted twice."""

    def __init__(self):
        super().__init__(daemon=True)
        self.redis, self.key, self.samples, self.running = get_redis(), dirty.lag_key(), [], True
        self.lock = threading.Lock()

    def take(self) -> None:
        pipe = self.redis.pipeline(transaction=True)
        pipe.lrange(self.key, 0, -1)
        pipe.delete(self.key)
        values, _deleted = pipe.execute()
        with self.lock:
            self.samples.extend(float(value) for value in values)

    def run(self):
        while self.running:
            self.take()
            time.sleep(0.5)

    def drained(self, timeout: float) -> float:
        """Wait until the workers have recounted every dirty idea (at most `timeout` s),
        then take the last samples; return how long it took."""
        started = time.perf_counter()
        while dirty.dirty_count() and time.perf_counter() - started < timeout:
            time.sleep(0.2)
        time.sleep(1.5)  # the batch popped last records its lags after its recount
        self.take()
        return time.perf_counter() - started

    def collect(self) -> list[float]:
        """The samples gathered since the last collect(), sorted; starts afresh."""
        with self.lock:
            samples, self.samples = sorted(self.samples), []
        return samples

    def stop(self) -> None:
        self.running = False
        self.join(timeout=2)


def percentile(sorted_values: list[float], share: float) -> float | None:
    if not sorted_values:
        return None
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * share))]
