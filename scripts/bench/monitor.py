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


def tree_cpu_seconds(pid: int, *, own: bool = True) -> float:
    """CPU seconds (utime + stime of /proc/<pid>/stat, as psutil reads them) used so far
    by a process and all its descendants, living or reaped; without the process's own
    when `own` is false (a gunicorn master, whose workers do the serving). The difference
    of two readings is what the tree used in between."""
    try:
        parent = psutil.Process(pid)
        total = _own_and_reaped(parent)
        if not own:
            times = parent.cpu_times()
            total -= times.user + times.system
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

    def __init__(self, trees: dict, *, without_own: frozenset[str] = frozenset()):
        """`trees`: {name: a process id, or a callable returning CPU seconds so far};
        `without_own`: the names of trees whose root's own CPU does not count."""
        self.trees = {name: source for name, source in trees.items() if source}
        self.without_own = without_own

    def read(self, name: str) -> float:
        source = self.trees[name]
        if callable(source):
            return source()
        return tree_cpu_seconds(source, own=name not in self.without_own)

    def start(self) -> CpuMeter:
        self.started = time.perf_counter()
        self.before = {name: self.read(name) for name in self.trees}
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
        shares = {name: (self.read(name) - self.before[name]) / wall for name in self.trees}
        for name, seconds in (extra or {}).items():
            shares[name] = seconds / wall
        after, before = psutil.cpu_times(), self.machine_before
        total = sum(after) - sum(before)
        idle = after.idle - before.idle + getattr(after, "iowait", 0) - getattr(before, "iowait", 0)
        shares["whole machine"] = psutil.cpu_count() * (total - idle) / total if total else 0.0
        return shares


class DatabaseBackends(threading.Thread):
    """CPU seconds used by the PostgreSQL backends connected to one database, sampled four
    times a second: on a server shared with other databases, the postmaster's whole tree
    would count their work too. A backend's CPU counts from when it is first seen (or from
    0 if it started after this sampler); what a backend used in its last quarter second
    before exiting is missed, so short connections (pgbench's, Celery's) are undercounted
    by at most that, and the web workers' kept connections are counted exactly."""

    def __init__(self, postmaster: int | None, database: str):
        super().__init__(daemon=True)
        self.postmaster, self.title = postmaster, f" {database} "
        self.started = time.time()
        self.baseline: dict[tuple[int, float], float] = {}
        self.last: dict[tuple[int, float], float] = {}
        self.lock, self.running = threading.Lock(), True

    def sample(self) -> None:
        with contextlib.suppress(psutil.Error):
            children = psutil.Process(self.postmaster).children()
            for child in children:
                with contextlib.suppress(psutil.Error):
                    if self.title not in " ".join(child.cmdline()) + " ":
                        continue
                    times = child.cpu_times()
                    used = times.user + times.system
                    backend = (child.pid, child.create_time())  # a pid may be reused
                    with self.lock:
                        if backend not in self.baseline:
                            is_new = backend[1] >= self.started
                            self.baseline[backend] = 0.0 if is_new else used
                        self.last[backend] = used

    def __call__(self) -> float:
        """CPU seconds used so far by the database's backends (since this sampler began)."""
        self.sample()
        with self.lock:
            return sum(used - self.baseline[backend] for backend, used in self.last.items())

    def run(self):
        while self.running:
            self.sample()
            time.sleep(0.25)

    def stop(self) -> None:
        self.running = False
        self.join(timeout=2)


class PeakMemory(threading.Thread):
    """Samples the resident memory of every process of one or more trees four times a
    second."""

    def __init__(self, *pids: int):
        super().__init__(daemon=True)
        self.pids, self.peaks, self.running = pids, {}, True

    def run(self):
        while self.running:
            processes = []
            for pid in self.pids:
                with contextlib.suppress(psutil.NoSuchProcess):
                    parent = psutil.Process(pid)
                    processes += [parent, *parent.children(recursive=True)]
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
