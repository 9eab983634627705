"""`make bench`: how fast votes are written on one hot idea, and how fast the worker's
recount is, on the real PostgreSQL. Runs in its own throw-away database (foule_bench).

Prints figures; asserts nothing about time (that is what benchmarks are for)."""

from __future__ import annotations

import os
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from django.db import close_old_connections, connection  # noqa: E402
from django.utils import timezone  # noqa: E402

VOTERS = int(os.environ.get("BENCH_VOTERS", "4000"))
THREADS = int(os.environ.get("BENCH_THREADS", "8"))


def main() -> None:
    connection.settings_dict["TEST"]["NAME"] = "foule_bench"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        run()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def run() -> None:
    from accounts.models import User
    from tests.factories import IdeaFactory
    from voting.models import Vote
    from voting.services import vote_cast
    from voting.tally import tally_recompute

    idea = IdeaFactory()
    users = User.objects.bulk_create(
        [
            User(email=f"bench{n}@example.org", password="!")  # noqa: S106 - unusable
            for n in range(VOTERS)
        ]
    )
    for user in users:  # the rules read this flag before any query
        user._foule_is_verified = True
    chunks = [users[i::THREADS] for i in range(THREADS)]
    latencies: list[float] = []
    lock = threading.Lock()

    def cast(chunk):
        local = []
        try:
            for user in chunk:
                started = time.perf_counter()
                vote_cast(voter=user, idea=idea, value=1)
                local.append(time.perf_counter() - started)
        finally:
            close_old_connections()
            connection.close()
        with lock:
            latencies.extend(local)

    threads = [threading.Thread(target=cast, args=(chunk,)) for chunk in chunks]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    count = Vote.objects.filter(idea=idea).count()
    latencies.sort()
    print(f"votes on one hot idea: {count} by {VOTERS} voters, {THREADS} threads")
    print(f"  throughput       {count / elapsed:,.0f} votes/s  ({elapsed:.2f} s)")
    print(f"  latency p50      {statistics.median(latencies) * 1000:.2f} ms")
    print(f"  latency p99      {latencies[int(len(latencies) * 0.99) - 1] * 1000:.2f} ms")

    timings = []
    for _ in range(5):
        started = time.perf_counter()
        tally_recompute(idea_ids=[idea.pk])
        timings.append(time.perf_counter() - started)
    tally = idea.__class__.objects.get(pk=idea.pk).tally
    print(
        f"recount of one idea with {tally.upvotes} votes: "
        f"median {statistics.median(timings) * 1000:.1f} ms (5 runs)"
    )
    assert tally.upvotes == count, "the recount must equal the vote rows"
    print(f"at {timezone.now():%Y-%m-%d %H:%M}, PostgreSQL {connection.pg_version}")


if __name__ == "__main__":
    main()
