"""The tally path on the real components: a vote through the API, a real Celery worker
process scheduled by its beat, and the tally and notification it writes."""

import threading

import pytest
from django.db import close_old_connections
from rest_framework.test import APIClient

from notifications.models import Notification
from rewards.models import LedgerEntry
from tests.factories import IdeaFactory, UserFactory
from tests.support.worker import wait_for
from voting.models import IdeaTally, Vote

pytestmark = pytest.mark.worker


def test_healthz_reports_the_worker_alive(celery_worker_process, client):
    client.force_login(
        UserFactory(is_staff=True, is_superuser=True)
    )  # /healthz shows its figures to staff
    health = client.get("/healthz").json()
    assert health["worker"] == "ok"
    assert 0 <= health["worker_heartbeat_age_seconds"] < 30
    assert health["ok"] is True


def test_worker_tallies_a_vote_and_notifies_the_author(celery_worker_process, api_as):
    idea = IdeaFactory()
    voter = UserFactory()

    response = api_as(voter).put(f"/api/v1/ideas/{idea.pk}/vote/", {"value": 1}, format="json")
    assert response.status_code == 200, response.content

    tally = wait_for(lambda: IdeaTally.objects.filter(idea=idea, upvotes=1).first(), timeout=10)
    assert tally is not None, celery_worker_process.output()
    assert (tally.upvotes, tally.downvotes, tally.score) == (1, 0, 1)
    notification = Notification.objects.get(recipient=idea.author)
    assert notification.event_key == f"idea_votes:{idea.pk}:1"
    assert "first vote" in notification.message
    assert LedgerEntry.objects.filter(user=idea.author, reason="idea_first_vote").count() == 1


def test_fifty_concurrent_voters_leave_fifty_votes_and_a_tally_of_fifty(
    celery_worker_process, api_as
):
    idea = IdeaFactory()
    voters = [UserFactory() for _ in range(50)]
    clients = [api_as(voter) for voter in voters]
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []

    def vote(client: APIClient) -> None:
        barrier.wait()
        try:
            statuses.append(
                client.put(
                    f"/api/v1/ideas/{idea.pk}/vote/", {"value": 1}, format="json"
                ).status_code
            )
        finally:
            close_old_connections()

    threads = [threading.Thread(target=vote, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [200] * 50
    assert Vote.objects.filter(idea=idea, value=1).count() == 50
    tally = wait_for(lambda: IdeaTally.objects.filter(idea=idea, upvotes=50).first(), timeout=5)
    assert tally is not None, (IdeaTally.objects.get(idea=idea), celery_worker_process.output())
    assert tally.score == 50
    # Milestones 1 and 10 reached once each, whatever the interleaving of the batches.
    assert sorted(
        Notification.objects.filter(recipient=idea.author).values_list("event_key", flat=True)
    ) == [f"idea_votes:{idea.pk}:1", f"idea_votes:{idea.pk}:10"]


def test_reconciliation_repairs_a_tally_whose_dirty_mark_was_lost(celery_worker_process):
    from voting.tasks import tally_reconcile

    idea = IdeaFactory()
    voter = UserFactory()
    # A vote row written without the Redis mark (as if Redis had lost the dirty set).
    from django.utils import timezone

    now = timezone.now()
    Vote.objects.create(idea=idea, voter=voter, value=-1, created_at=now, updated_at=now)
    tally_reconcile.delay()  # queued through the real broker, run by the real worker

    tally = wait_for(lambda: IdeaTally.objects.filter(idea=idea, downvotes=1).first(), timeout=10)
    assert tally is not None, celery_worker_process.output()
    assert tally.score == -1
