"""Where a web worker's time goes in a scenario (the spread votes, the campaign page, the
API list): py-spy samples one gunicorn worker for an extra round (not counted in the
figures: sampling slows what it watches), and the samples are shown as a call tree and
summed by package and by function (own time). The raw profile is kept for speedscope
(https://www.speedscope.app opens the collapsed-stack file)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import psutil

from scripts.bench.report import note

ROOT = Path(__file__).resolve().parents[2]
SHOWN = 12
MIN_SHARE = 0.02


def py_spy() -> str | None:
    beside = Path(sys.executable).parent / "py-spy"  # installed in the project's venv
    return str(beside) if beside.exists() else shutil.which("py-spy")


def short(frame: str) -> str:
    """`function (path)` with the path from the package on: "put (voting/api/views.py)"."""
    name, _, path = frame.partition(" (")
    path = path.rstrip(")")
    for marker in ("site-packages/", "lib/python3.", str(ROOT) + "/"):
        if marker in path:
            path = path.split(marker, 1)[1]
            if marker.startswith("lib/python3."):
                path = path.split("/", 1)[-1]
    return f"{name} ({path})"


def package(frame: str) -> str:
    path = short(frame).partition(" (")[2].rstrip(")")
    return path.split("/", 1)[0].removesuffix(".py") or "?"


class Node:
    """One frame of the call tree: its samples (inclusive) and the frames it called."""

    def __init__(self, name: str):
        self.name, self.samples, self.children = name, 0, {}

    def child(self, name: str) -> Node:
        if name not in self.children:
            self.children[name] = Node(name)
        return self.children[name]


def read(output: Path) -> tuple[Node, Counter, Counter, int]:
    """The call tree, own samples by function and by package, and the sample count."""
    tree, own, packages, total = Node("all"), Counter(), Counter(), 0
    for line in output.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = [short(frame) for frame in stack.split(";")]
        samples = int(count)
        total += samples
        node = tree
        node.samples += samples
        for frame in frames:
            node = node.child(frame)
            node.samples += samples
        own[frames[-1]] += samples
        packages[package(frames[-1])] += samples
    return tree, own, packages, total


def tree_lines(node: Node, total: int, depth: int = 0) -> list[tuple[int, Node, str]]:
    """The tree as (depth, node, label) lines: frames under MIN_SHARE of the samples are
    left out, and a chain of frames that only pass their time on (a middleware calling the
    next, 95 % or more of it in one callee) is shown as one line, first → last."""
    lines = []
    for child in sorted(node.children.values(), key=lambda n: -n.samples):
        if child.samples < MIN_SHARE * total:
            continue
        first, last = child, child
        while last.children:
            biggest = max(last.children.values(), key=lambda n: n.samples)
            if biggest.samples < 0.95 * last.samples:
                break
            last = biggest
        label = first.name if first is last else f"{first.name} → … → {last.name}"
        lines.append((depth, last, label))
        lines += tree_lines(last, total, depth + 1)
    return lines


def profile_scenario(bench, scenario, seconds: float) -> None:
    """Records one web worker with py-spy while `scenario` runs for `seconds` over one
    connection; prints the shares of its busy samples, each also as milliseconds of a
    request (the share of the web CPU per request measured in the same round).

    One connection, so that a core is free whenever the worker can run: py-spy counts a
    thread as busy when it is runnable, and on a saturated machine a worker that wakes
    another process (a query sent to PostgreSQL, an answer written to the client) often
    waits for a core inside that system call, which the profile would charge to it."""
    program = py_spy()
    if not program:
        note("py-spy is not installed (make install, or pip install py-spy): no profile")
        return
    workers = psutil.Process(bench.services.web.pid).children()
    if not workers:
        return
    output = bench.services.folder / f"{scenario.key}-profile.txt"
    spy = subprocess.Popen(
        [program, "record", "--pid", str(workers[0].pid), "--duration", str(round(seconds) + 1),
         "--rate", "250", "--format", "raw", "--nolineno", "--nonblocking",
         "--output", str(output)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    time.sleep(1)  # py-spy attaches before the load starts
    result = bench.http(scenario, seconds, connections=1)
    try:
        _out, errors = spy.communicate(timeout=seconds + 30)
    except subprocess.TimeoutExpired:
        spy.kill()
        spy.communicate()
        errors = "py-spy did not finish"
    if not output.exists():
        note(f"py-spy recorded nothing: {errors.strip()[-300:]}")
        return
    tree, own, packages, total = read(output)
    if not total:
        note("py-spy recorded no busy sample")
        return
    request_ms = result["web_ms"]
    print(
        f"\nProfile of one web worker during {seconds:.0f} s of {scenario.name}, one "
        f"connection ({result['rate']:,.0f} req/s while sampled, {request_ms:.2f} ms of web CPU a "
        f"request, {total:,} busy samples; {output}, opens in speedscope). Share of the busy "
        "samples, and that share of the web CPU a request:"
    )

    def line(samples: int, label: str, indent: int = 0) -> None:
        share = samples / total
        print(f"  {100 * share:5.1f} %  {request_ms * share:5.2f} ms  {'  ' * indent}{label}")

    print(f" call tree (frames under {MIN_SHARE:.0%} left out; → … → a chain of pass-throughs):")
    for depth, node, label in tree_lines(tree, total):
        line(node.samples, label, depth)
    print(" own time by package:")
    for name, samples in packages.most_common(SHOWN):
        line(samples, name)
    print(" own time by function:")
    for name, samples in own.most_common(SHOWN):
        line(samples, name)
