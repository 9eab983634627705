"""The tally path under faults, with real Celery worker processes: after a burst, after a
worker killed mid-batch, after Redis lost Foule's keys, every tally equals a fresh count."""

import random
import threading

import pytest
from django.db import close_old_connections
from django.db.models import Count, Q

from core.redis import get_redis, key
from notifications.models import Notification
from tests.factories import CampaignFactory, IdeaFactory, UserFactory
from tests.support.worker import WorkerProcess, wait_for
from voting import dirty
from voting.models import IdeaTally, Vote
from voting.services import vote_cast

pytestmark = pytest.mark.worker


def fresh_counts() -> dict[int, tuple[int, int]]:
    return {
        row["idea_id"]: (row["up"], row["down"])
        for row in Vote.objects.values("idea_id").annotate(
            up=Count("pk", filter=Q(value=1)), down=Count("pk", filter=Q(value=-1))
        )
    }


def tallies_match() -> bool:
    expected = fresh_counts()
    for tally in IdeaTally.objects.all():
        up, down = expected.get(tally.idea_id, (0, 0))
        if (tally.upvotes, tally.downvotes, tally.score) != (up, down, up - down):
            return False
    return True


def burst(api_as, ideas, voters, *, threads=8, seed=1):
    """Every voter votes on every idea through the API, from several threads; some change
    their mind, some withdraw."""
    rng = random.Random(seed)
    plan = [
        (voter, idea, rng.choice([1, 1, -1]), rng.random()) for voter in voters for idea in ideas
    ]
    chunks = [plan[i::threads] for i in range(threads)]
    errors = []

    def run(chunk):
        try:
            for voter, idea, value, dice in chunk:
                client = api_as(voter)
                url = f"/api/v1/ideas/{idea.pk}/vote/"
                assert client.put(url, {"value": value}, format="json").status_code == 200
                if dice < 0.15:
                    assert client.delete(url).status_code == 200
                elif dice < 0.3:
                    assert client.put(url, {"value": -value}, format="json").status_code == 200
        except Exception as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            close_old_connections()

    workers = [threading.Thread(target=run, args=(chunk,)) for chunk in chunks]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    assert errors == []


def test_after_a_burst_every_tally_equals_a_fresh_count(celery_worker_process, api_as):
    campaign = CampaignFactory()
    ideas = [IdeaFactory(campaign=campaign) for _ in range(5)]
    voters = [UserFactory() for _ in range(40)]

    burst(api_as, ideas, voters)

    assert wait_for(lambda: dirty.dirty_count() == 0 and tallies_match(), timeout=15), (
        celery_worker_process.output()
    )
    assert Vote.objects.count() == 200  # one row per (voter, idea), whatever happened
    # Milestones were each notified once.
    for idea in ideas:
        keys = list(
            Notification.objects.filter(recipient=idea.author).values_list("event_key", flat=True)
        )
        assert len(keys) == len(set(keys))


def test_a_worker_killed_mid_batch_loses_nothing(transactional_db, api_as):
    from voting.tasks import tally_reconcile

    campaign = CampaignFactory()
    ideas = [IdeaFactory(campaign=campaign) for _ in range(30)]
    voters = [UserFactory() for _ in range(6)]
    first = WorkerProcess().start()
    try:
        burst(api_as, ideas, voters, threads=4, seed=2)
        first.kill()  # whatever it had popped from the dirty set is gone from Redis
    finally:
        first.stop()
    # More votes while no worker runs, then a new worker and a reconciliation.
    for voter in [UserFactory() for _ in range(3)]:
        for idea in ideas[:10]:
            vote_cast(voter=voter, idea=idea, value=1)
    second = WorkerProcess().start()
    try:
        tally_reconcile.delay()
        assert wait_for(tallies_match, timeout=20), second.output()
    finally:
        second.stop()
    for idea in ideas:
        keys = list(
            Notification.objects.filter(recipient=idea.author).values_list("event_key", flat=True)
        )
        assert len(keys) == len(set(keys))
        assert f"idea_votes:{idea.pk}:1" in keys


def test_after_redis_lost_foules_keys_reconciliation_repairs_every_tally(transactional_db):
    from voting.tasks import tally_reconcile

    ideas = [IdeaFactory() for _ in range(8)]
    for voter in [UserFactory() for _ in range(5)]:
        for idea in ideas:
            vote_cast(voter=voter, idea=idea, value=1)
    assert dirty.dirty_count() == 8  # marked after each commit
    redis = get_redis()
    for name in redis.scan_iter(match=key("*"), count=1000):
        redis.delete(name)  # the dirty set, the broker's queues: only Foule's test keys
    assert dirty.dirty_count() == 0
    assert not tallies_match()  # nobody has counted these votes

    worker = WorkerProcess().start()
    try:
        tally_reconcile.delay()
        assert wait_for(tallies_match, timeout=20), worker.output()
    finally:
        worker.stop()
    assert all(t.upvotes == 5 for t in IdeaTally.objects.all())


def test_tasks_run_twice_and_concurrently_give_the_same_tallies(celery_worker_process):
    from voting.tasks import tally_drain_dirty, tally_reconcile

    ideas = [IdeaFactory() for _ in range(10)]
    for voter in [UserFactory() for _ in range(12)]:
        for idea in ideas:
            vote_cast(voter=voter, idea=idea, value=1)
    for _ in range(4):
        tally_reconcile.delay()
        tally_drain_dirty.delay()
    assert wait_for(lambda: dirty.dirty_count() == 0 and tallies_match(), timeout=20)
    for idea in ideas:
        keys = sorted(
            Notification.objects.filter(recipient=idea.author).values_list("event_key", flat=True)
        )
        assert keys == [f"idea_votes:{idea.pk}:1", f"idea_votes:{idea.pk}:10"]
