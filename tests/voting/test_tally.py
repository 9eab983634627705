"""The tally path without a worker process: the functions the Celery tasks call, run
here directly against the real PostgreSQL and Redis."""

import random
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from core.redis import get_redis
from ideas.models import Idea
from notifications.models import Notification
from rewards.models import LedgerEntry
from rewards.selectors import points_total
from tests.factories import IdeaFactory, UserFactory
from voting import dirty, tasks
from voting.methods.ratings import wilson_lower_bound
from voting.models import IdeaTally, Vote
from voting.services import vote_cast, vote_retract
from voting.tally import (
    stale_idea_ids,
    tally_drain_dirty,
    tally_recompute,
    tally_reconcile,
)

# Lower bounds of the 95% Wilson interval, computed by hand from the textbook formula
# (z = 1.96): for 1 up / 0 down, 1 / (1 + z²); for 9 up / 1 down, see the test.
WILSON_1_UP = 1 / (1 + 1.96**2)
WILSON_9_UP_1_DOWN = (0.9 + 1.96**2 / 20 - 1.96 * ((0.09 + 1.96**2 / 40) / 10) ** 0.5) / (
    1 + 1.96**2 / 10
)


def cast_votes(idea, values) -> list:
    """One new verified voter per value, voting through the service. In a `db` test the
    on-commit dirty marks never fire, so Redis stays empty unless a test says otherwise."""
    voters = []
    for value in values:
        voter = UserFactory()
        vote_cast(voter=voter, idea=idea, value=value)
        voters.append(voter)
    return voters


def tally_of(idea) -> tuple:
    tally = IdeaTally.objects.get(idea=idea)
    return (tally.upvotes, tally.downvotes, tally.score, tally.vote_count)


def milestone_keys(idea) -> list[str]:
    return sorted(
        Notification.objects.filter(recipient=idea.author, kind="vote_milestone").values_list(
            "event_key", flat=True
        )
    )


def dirty_ids() -> set[int]:
    return dirty.dirty_ids()


def test_wilson_lower_bound_known_values():
    assert wilson_lower_bound(0, 0) == 0.0
    assert wilson_lower_bound(1, 0) == pytest.approx(WILSON_1_UP, rel=1e-12)
    assert wilson_lower_bound(1, 0) == pytest.approx(0.2065432915, abs=1e-10)
    assert wilson_lower_bound(9, 1) == pytest.approx(WILSON_9_UP_1_DOWN, rel=1e-12)
    assert wilson_lower_bound(9, 1) == pytest.approx(0.5958436145, abs=1e-10)
    assert wilson_lower_bound(0, 5) == pytest.approx(0.0, abs=1e-12)
    assert wilson_lower_bound(9, 1) > wilson_lower_bound(1, 0)
    assert wilson_lower_bound(100, 0) > wilson_lower_bound(9, 1)


@pytest.mark.django_db
def test_recompute_counts_up_down_score_and_wilson_exactly():
    idea = IdeaFactory()
    cast_votes(idea, [1] * 9 + [-1])
    before = timezone.now()

    assert tally_recompute(idea_ids=[idea.pk]) == 1

    tally = IdeaTally.objects.get(idea=idea)
    assert (tally.upvotes, tally.downvotes, tally.score, tally.vote_count) == (9, 1, 8, 10)
    assert tally.wilson_lower_bound == pytest.approx(WILSON_9_UP_1_DOWN, rel=1e-12)
    assert tally.campaign_id == idea.campaign_id
    assert tally.computed_at >= before
    assert tally.last_vote_at == Vote.objects.filter(idea=idea).latest("updated_at").updated_at
    assert tally.highest_milestone == 10


@pytest.mark.django_db
def test_an_idea_without_votes_has_a_zero_tally():
    idea = IdeaFactory()

    assert tally_recompute(idea_ids=[idea.pk]) == 1

    tally = IdeaTally.objects.get(idea=idea)
    assert tally_of(idea) == (0, 0, 0, 0)
    assert (tally.wilson_lower_bound, tally.highest_milestone, tally.last_vote_at) == (
        0.0, 0, None,
    )  # fmt: skip
    assert tally.computed_at is not None
    assert Notification.objects.count() == 0
    assert LedgerEntry.objects.filter(reason="idea_first_vote").count() == 0


@pytest.mark.django_db
def test_recompute_ranks_nine_to_one_above_one_to_zero():
    strong, early = IdeaFactory(), IdeaFactory()
    cast_votes(strong, [1] * 9 + [-1])
    cast_votes(early, [1])

    assert tally_recompute(idea_ids=[strong.pk, early.pk, strong.pk]) == 2

    strong_tally = IdeaTally.objects.get(idea=strong)
    early_tally = IdeaTally.objects.get(idea=early)
    assert early_tally.wilson_lower_bound == pytest.approx(WILSON_1_UP, rel=1e-12)
    assert strong_tally.wilson_lower_bound > early_tally.wilson_lower_bound


@pytest.mark.django_db
def test_retracted_votes_do_not_count():
    idea = IdeaFactory()
    up, _down, other_down = cast_votes(idea, [1, -1, -1])
    vote_retract(voter=up, idea=idea)
    vote_retract(voter=other_down, idea=idea)

    tally_recompute(idea_ids=[idea.pk])

    assert Vote.objects.filter(idea=idea).count() == 3
    assert tally_of(idea) == (0, 1, -1, 1)
    assert IdeaTally.objects.get(idea=idea).wilson_lower_bound == pytest.approx(0.0, abs=1e-12)


@pytest.mark.django_db
def test_recompute_only_touches_the_ideas_it_is_given():
    counted, untouched = IdeaFactory(), IdeaFactory()
    cast_votes(counted, [1])
    cast_votes(untouched, [1, 1])

    tally_recompute(idea_ids=[counted.pk])

    assert tally_of(counted) == (1, 0, 1, 1)
    assert tally_of(untouched) == (0, 0, 0, 0)
    assert IdeaTally.objects.get(idea=untouched).computed_at is None


@pytest.mark.django_db
def test_recompute_creates_a_missing_tally_row():
    idea = IdeaFactory()
    IdeaTally.objects.filter(idea=idea).delete()
    cast_votes(idea, [-1])

    assert tally_recompute(idea_ids=[idea.pk]) == 1

    tally = IdeaTally.objects.get(idea=idea)
    assert (tally.campaign_id, tally.upvotes, tally.downvotes, tally.score) == (
        idea.campaign_id, 0, 1, -1,
    )  # fmt: skip


@pytest.mark.django_db
def test_recompute_of_unknown_or_no_ideas_does_nothing():
    assert tally_recompute(idea_ids=[]) == 0
    assert tally_recompute(idea_ids=[987654321]) == 0
    assert IdeaTally.objects.count() == 0


@pytest.mark.django_db
def test_milestones_one_and_ten_notify_once_each_whatever_the_number_of_recomputes():
    idea = IdeaFactory()
    cast_votes(idea, [1])
    tally_recompute(idea_ids=[idea.pk])
    tally_recompute(idea_ids=[idea.pk])

    assert milestone_keys(idea) == [f"idea_votes:{idea.pk}:1"]

    cast_votes(idea, [1] * 6 + [-1] * 3)  # ten votes in all; down votes count too
    tally_recompute(idea_ids=[idea.pk])
    tally_recompute(idea_ids=[idea.pk])

    assert milestone_keys(idea) == [f"idea_votes:{idea.pk}:1", f"idea_votes:{idea.pk}:10"]
    assert IdeaTally.objects.get(idea=idea).highest_milestone == 10
    first, tenth = (
        Notification.objects.get(event_key=f"idea_votes:{idea.pk}:1"),
        Notification.objects.get(event_key=f"idea_votes:{idea.pk}:10"),
    )
    assert first.params == {"title": idea.title, "count": 1}
    assert first.message == f"Your idea “{idea.title}” received its first vote."
    assert tenth.params == {"title": idea.title, "count": 10}
    assert tenth.message == f"Your idea “{idea.title}” reached 10 votes."
    assert first.url == tenth.url == f"/ideas/{idea.pk}/"
    assert Notification.objects.exclude(recipient=idea.author).count() == 0


@pytest.mark.django_db
def test_both_milestones_are_sent_when_ten_votes_arrive_in_one_batch():
    idea = IdeaFactory()
    cast_votes(idea, [1] * 10)

    tally_recompute(idea_ids=[idea.pk])
    tally_recompute(idea_ids=[idea.pk])

    assert milestone_keys(idea) == [f"idea_votes:{idea.pk}:1", f"idea_votes:{idea.pk}:10"]


@pytest.mark.django_db
def test_a_milestone_recounted_after_a_lost_tally_update_is_not_sent_twice():
    idea = IdeaFactory()
    cast_votes(idea, [1] * 10)
    tally_recompute(idea_ids=[idea.pk])
    # As if the tally row had been reset: the notification and ledger keys still decide.
    IdeaTally.objects.filter(idea=idea).update(highest_milestone=0)

    tally_recompute(idea_ids=[idea.pk])

    assert milestone_keys(idea) == [f"idea_votes:{idea.pk}:1", f"idea_votes:{idea.pk}:10"]
    assert LedgerEntry.objects.filter(user=idea.author, reason="idea_first_vote").count() == 1


@pytest.mark.django_db
def test_a_milestone_is_not_sent_again_after_votes_are_retracted_and_recast():
    idea = IdeaFactory()
    (voter,) = cast_votes(idea, [1])
    tally_recompute(idea_ids=[idea.pk])
    vote_retract(voter=voter, idea=idea)
    tally_recompute(idea_ids=[idea.pk])
    assert tally_of(idea) == (0, 0, 0, 0)

    vote_cast(voter=voter, idea=idea, value=-1)
    tally_recompute(idea_ids=[idea.pk])

    assert tally_of(idea) == (0, 1, -1, 1)
    assert milestone_keys(idea) == [f"idea_votes:{idea.pk}:1"]
    assert LedgerEntry.objects.filter(user=idea.author, reason="idea_first_vote").count() == 1


@pytest.mark.django_db
def test_first_vote_points_are_paid_once_to_the_author():
    idea = IdeaFactory()
    cast_votes(idea, [1])
    tally_recompute(idea_ids=[idea.pk])
    cast_votes(idea, [1, 1])
    tally_recompute(idea_ids=[idea.pk])
    tally_recompute(idea_ids=[idea.pk])

    entries = list(LedgerEntry.objects.filter(reason="idea_first_vote"))
    assert [(e.user_id, e.points, e.idea_id, e.event_key) for e in entries] == [
        (idea.author_id, 5, idea.pk, f"idea_first_vote:{idea.pk}")
    ]
    assert points_total(user=idea.author) == 5
    assert LedgerEntry.objects.exclude(user=idea.author).count() == 0


@pytest.mark.django_db
def test_drain_recounts_every_dirty_idea_and_empties_the_set(django_capture_on_commit_callbacks):
    ideas = [IdeaFactory() for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        cast_votes(ideas[0], [1, 1])
        cast_votes(ideas[1], [-1])
        cast_votes(ideas[2], [1, -1, 1])
    untouched = IdeaFactory()
    assert dirty_ids() == {idea.pk for idea in ideas}

    assert tally_drain_dirty(batch_size=2) == 3

    assert dirty_ids() == set()
    assert dirty.dirty_count() == 0
    assert [tally_of(idea) for idea in ideas] == [(2, 0, 2, 2), (0, 1, -1, 1), (2, 1, 1, 3)]
    assert IdeaTally.objects.get(idea=untouched).computed_at is None
    assert tally_drain_dirty() == 0


@pytest.mark.django_db
def test_drain_stops_after_max_batches_and_leaves_the_rest_in_the_set():
    ideas = [IdeaFactory() for _ in range(5)]
    dirty.mark_dirty(*[idea.pk for idea in ideas])

    assert tally_drain_dirty(batch_size=2, max_batches=2) == 4

    assert dirty.dirty_count() == 1
    assert tally_drain_dirty(batch_size=2, max_batches=2) == 1
    assert dirty.dirty_count() == 0


@pytest.mark.django_db
def test_drain_ignores_the_id_of_a_deleted_idea():
    idea = IdeaFactory()
    cast_votes(idea, [1])
    dirty.mark_dirty(idea.pk, 987654321)

    assert tally_drain_dirty() == 1

    assert dirty_ids() == set()
    assert tally_of(idea) == (1, 0, 1, 1)


@pytest.mark.django_db
def test_the_drain_task_runs_the_drain():
    idea = IdeaFactory()
    cast_votes(idea, [-1, -1])
    dirty.mark_dirty(idea.pk)

    result = tasks.tally_drain_dirty.apply()

    assert result.get() == 1
    assert tally_of(idea) == (0, 2, -2, 2)
    assert dirty_ids() == set()


@pytest.mark.django_db
def test_reconcile_repairs_a_stale_tally_that_has_no_dirty_mark():
    idea = IdeaFactory()
    voter = UserFactory()
    now = timezone.now()
    # A vote row written without the Redis mark (as if Redis had lost the dirty set).
    Vote.objects.create(idea=idea, voter=voter, value=-1, created_at=now, updated_at=now)
    assert dirty_ids() == set()
    assert stale_idea_ids() == [idea.pk]

    assert tally_reconcile() == 1

    assert tally_of(idea) == (0, 1, -1, 1)
    assert milestone_keys(idea) == [f"idea_votes:{idea.pk}:1"]


@pytest.mark.django_db
def test_reconcile_finds_a_vote_newer_than_its_tally():
    idea = IdeaFactory()
    cast_votes(idea, [1])
    tally_recompute(idea_ids=[idea.pk])
    long_ago = timezone.now() - timedelta(hours=1)
    IdeaTally.objects.filter(idea=idea).update(computed_at=long_ago)
    Vote.objects.filter(idea=idea).update(updated_at=long_ago - timedelta(minutes=5))
    assert stale_idea_ids() == []
    # A second vote, committed after the tally, without a dirty mark.
    now = timezone.now()
    Vote.objects.create(idea=idea, voter=UserFactory(), value=1, created_at=now, updated_at=now)

    assert stale_idea_ids() == [idea.pk]
    assert tally_reconcile() == 1

    assert tally_of(idea) == (2, 0, 2, 2)


@pytest.mark.django_db
def test_reconcile_leaves_tallies_counted_well_after_their_last_vote():
    fresh, stale = IdeaFactory(), IdeaFactory()
    cast_votes(fresh, [1])
    tally_recompute(idea_ids=[fresh.pk])
    Vote.objects.filter(idea=fresh).update(updated_at=timezone.now() - timedelta(minutes=10))
    cast_votes(stale, [-1])
    fresh_computed_at = IdeaTally.objects.get(idea=fresh).computed_at

    assert stale_idea_ids() == [stale.pk]
    assert tally_reconcile(batch_size=1) == 1

    assert IdeaTally.objects.get(idea=fresh).computed_at == fresh_computed_at
    assert tally_of(stale) == (0, 1, -1, 1)


@pytest.mark.django_db
def test_reconcile_in_batches_repairs_every_stale_idea():
    ideas = [IdeaFactory() for _ in range(5)]
    for number, idea in enumerate(ideas, start=1):
        cast_votes(idea, [1] * number)

    assert tally_reconcile(batch_size=2) == 5

    assert [tally_of(idea) for idea in ideas] == [(n, 0, n, n) for n in range(1, 6)]


def fresh_counts() -> dict[int, tuple[int, int]]:
    counts: dict[int, Counter] = {}
    for idea_id, value in Vote.objects.values_list("idea_id", "value"):
        counts.setdefault(idea_id, Counter())[value] += 1
    return {idea_id: (c[1], c[-1]) for idea_id, c in counts.items()}


@pytest.mark.django_db(transaction=True)
def test_once_the_workers_are_idle_every_tally_equals_a_fresh_count_of_valid_votes():
    """Random votes, changes and retractions, committed for real (so the on-commit dirty
    marks fire), with drains at random moments in between, as the beat would run them."""
    rng = random.Random(20240611)
    ideas = [IdeaFactory() for _ in range(4)]
    voters = [UserFactory() for _ in range(14)]
    expected: dict[tuple[int, int], int] = {}

    for _step in range(220):
        voter, idea = rng.choice(voters), rng.choice(ideas)
        if rng.random() < 0.2:
            vote_retract(voter=voter, idea=idea)
            if (voter.pk, idea.pk) in expected:
                expected[(voter.pk, idea.pk)] = 0
        else:
            value = rng.choice([1, -1])
            vote_cast(voter=voter, idea=idea, value=value)
            expected[(voter.pk, idea.pk)] = value
        if rng.random() < 0.1:
            tally_drain_dirty(batch_size=rng.randint(1, 4))

    tally_drain_dirty()
    assert dirty.dirty_count() == 0

    # The rows are exactly what the voters last asked for...
    rows = Vote.objects.values_list("voter_id", "idea_id", "value")
    assert {(voter_id, idea_id): value for voter_id, idea_id, value in rows} == expected
    # ...and every tally is a fresh count of them.
    counts = fresh_counts()
    for idea in ideas:
        up, down = counts.get(idea.pk, (0, 0))
        tally = IdeaTally.objects.get(idea=idea)
        assert (tally.upvotes, tally.downvotes, tally.score) == (up, down, up - down)
        assert tally.wilson_lower_bound == pytest.approx(wilson_lower_bound(up, down), rel=1e-12)
    # Each idea was told of each milestone it reached exactly once, and paid once.
    assert max(IdeaTally.objects.values_list("highest_milestone", flat=True)) == 10
    for idea in ideas:
        reached = IdeaTally.objects.get(idea=idea).highest_milestone
        assert milestone_keys(idea) == sorted(
            f"idea_votes:{idea.pk}:{m}" for m in (1, 10) if m <= reached
        )
        assert LedgerEntry.objects.filter(idea=idea, reason="idea_first_vote").count() == (
            1 if reached else 0
        )

    # Reconciling afterwards changes nothing.
    def snapshot() -> list[tuple]:
        return list(
            IdeaTally.objects.order_by("idea_id").values_list(
                "idea_id", "upvotes", "downvotes", "score", "highest_milestone"
            )
        )

    before = snapshot()
    tally_reconcile()
    assert snapshot() == before
    assert Idea.objects.count() == 4


@pytest.mark.django_db
def test_the_drain_measures_the_lag_and_healthz_reports_it(client):
    idea = IdeaFactory()
    dirty.mark_dirty(idea.pk, marked_at=time.time() - 2.0)
    assert dirty.oldest_dirty_age() >= 2.0
    client.force_login(
        UserFactory(is_staff=True, is_superuser=True)
    )  # /healthz shows its figures to staff

    health = client.get("/healthz").json()
    assert health["tally"]["dirty_ideas"] == 1
    assert health["tally"]["oldest_dirty_age_seconds"] >= 2.0

    assert tally_drain_dirty() == 1
    lags = dirty.recent_lags()
    assert len(lags) == 1 and 2.0 <= lags[0] < 60
    health = client.get("/healthz").json()
    assert health["tally"]["dirty_ideas"] == 0
    assert health["tally"]["oldest_dirty_age_seconds"] is None
    assert health["tally"]["lag_p99_seconds"] == pytest.approx(lags[0], abs=0.001)
    assert health["tally"]["lag_samples"] == 1


@pytest.mark.django_db(transaction=True)
def test_a_failed_batch_goes_back_with_its_first_mark_time():
    """A real failure: another session holds the tally row's lock past our lock timeout."""
    import psycopg
    from django.db import connection

    from tests.support.worker import database_url_for_current_test_database

    idea = IdeaFactory()
    dirty.mark_dirty(idea.pk, marked_at=1000.0)
    url = database_url_for_current_test_database().replace("postgres://", "postgresql://")
    with psycopg.connect(url) as other:
        other.execute("SELECT 1 FROM voting_ideatally WHERE idea_id = %s FOR UPDATE", [idea.pk])
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '200ms'")
        try:
            with pytest.raises(Exception, match="lock timeout"):
                tally_drain_dirty()
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET lock_timeout")
        other.rollback()
    assert get_redis().zscore(dirty.dirty_key(), idea.pk) == 1000.0
    assert tally_drain_dirty() == 1
    assert dirty.dirty_count() == 0
