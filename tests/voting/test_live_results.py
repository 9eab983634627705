"""Live results counted by the database equal the count of the audit list, and the workers'
recomputes never wait for one another (issue 11)."""

import random
import time
from datetime import timedelta

import psycopg
import pytest
from django.utils import timezone

from config.celery import app
from ideas.models import Idea
from tests.factories import CampaignFactory, IdeaFactory, UserFactory
from tests.support.worker import database_url_for_current_test_database
from voting import ballots, dirty, live_spacing, pairwise
from voting.formats import format_for
from voting.models import CampaignResult
from voting.results import (
    _candidates,
    audit_entries,
    result_compute,
    results_drain_dirty,
    results_reconcile,
)

pytestmark = pytest.mark.django_db

FORMATS = {  # name -> campaign fields
    "single": {"voting_method": "single"},
    "approval": {"voting_method": "approval", "max_votes_per_voter": 4},
    "schulze": {"voting_method": "ranked", "ranked_method": "schulze"},
    "irv": {"voting_method": "ranked", "ranked_method": "irv"},
    "budget": {"voting_method": "budget", "budget_amount": 100},
}


def random_choices(rng: random.Random, name: str, ideas: list[Idea]) -> list[int]:
    if name == "single":
        return [rng.choice(ideas).pk]
    if name == "budget":
        chosen, spent = [], 0
        for idea in rng.sample(ideas, rng.randint(0, len(ideas))):
            if spent + idea.cost <= 100:
                chosen.append(idea.pk)
                spent += idea.cost
        return chosen
    limit = 4 if name == "approval" else len(ideas)
    return [idea.pk for idea in rng.sample(ideas, rng.randint(1, limit))]


def both_results(campaign):
    """(live result counted by the database, result counted from the audit list)."""
    voting_format = format_for(campaign)
    candidates = _candidates(campaign)
    live = voting_format.live_result(campaign=campaign, candidates=candidates)
    entries = audit_entries(campaign=campaign)
    audited = voting_format.compute_result(
        campaign=campaign, entries=entries, candidates=candidates
    )
    return live, audited


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("name", list(FORMATS))
def test_the_live_count_equals_the_count_of_the_audit_list(name, seed):
    rng = random.Random(seed)
    campaign = CampaignFactory(**FORMATS[name])
    ideas = [IdeaFactory(campaign=campaign, cost=rng.randint(10, 60)) for _ in range(6)]
    voters = [UserFactory() for _ in range(25)]
    for _ in range(50):  # casts, replacements (same voter again) and withdrawals
        voter = rng.choice(voters)
        if rng.random() < 0.1:
            ballots.ballot_withdraw(voter=voter, campaign=campaign)
        else:
            choices = random_choices(rng, name, ideas)
            ballots.ballot_submit(voter=voter, campaign=campaign, choices=choices)
    # An idea hidden after the votes is no longer a candidate: both counts skip it.
    Idea.objects.filter(pk=ideas[0].pk).update(status=Idea.Status.HIDDEN)
    if name == "approval":  # a limit lowered afterwards: larger ballots approve nobody
        campaign.max_votes_per_voter = 2

    live, audited = both_results(campaign)

    assert live == audited
    assert live[2] > 0


def test_the_live_pairwise_count_equals_the_count_of_the_audit_list():
    rng = random.Random(7)
    campaign = CampaignFactory(voting_method="pairwise")
    ideas = [IdeaFactory(campaign=campaign) for _ in range(5)]
    for _ in range(40):
        voter = UserFactory()
        prompt = pairwise.pairwise_issue(voter=voter, campaign=campaign, rng=rng)
        outcome = rng.choice(["left", "left", "right", "skip"])
        pairwise.pairwise_answer(voter=voter, token=prompt.token, outcome=outcome)
    Idea.objects.filter(pk=ideas[0].pk).update(status=Idea.Status.HIDDEN)

    (live_ranking, live, live_count), (ranking, audited, count) = both_results(campaign)

    assert (live_count, live["wins"], live["losses"]) == (40, audited["wins"], audited["losses"])
    assert live["scores"] == pytest.approx(audited["scores"], abs=1e-9)
    assert live_ranking == ranking


def test_a_live_recompute_builds_no_audit_list(monkeypatch):
    campaign = CampaignFactory(voting_method="ranked")
    ideas = [IdeaFactory(campaign=campaign) for _ in range(3)]
    ballots.ballot_submit(voter=UserFactory(), campaign=campaign, choices=[ideas[1].pk])

    def refuse(**kwargs):
        raise AssertionError("the live path built the audit list")

    monkeypatch.setattr(format_for(campaign), "audit_entries", refuse)
    result = result_compute(campaign=campaign)
    assert (result.ranking[0], result.ballot_count, result.digest) == (ideas[1].pk, 1, "")


@pytest.fixture
def campaign_locked_elsewhere():
    """A campaign whose results lock another database session holds."""
    campaign = CampaignFactory(voting_method="single")
    idea = IdeaFactory(campaign=campaign)
    ballots.ballot_submit(voter=UserFactory(), campaign=campaign, choices=[idea.pk])
    other = psycopg.connect(database_url_for_current_test_database(), autocommit=True)
    other.execute("SELECT pg_advisory_lock(%s, %s)", [0x5E5, campaign.pk])
    yield campaign
    other.close()


def test_a_recompute_never_waits_for_another_and_leaves_the_campaign_marked(
    campaign_locked_elsewhere,
):
    campaign = campaign_locked_elsewhere
    dirty.mark_campaign_dirty(campaign.pk)
    started = time.monotonic()

    assert results_drain_dirty() == 0

    assert time.monotonic() - started < 2
    assert not CampaignResult.objects.filter(campaign=campaign).exists()
    assert campaign.pk in live_spacing.marked_campaigns()  # for the next run
    assert result_compute(campaign=campaign, wait=False) is None


def test_a_campaign_rests_as_long_as_its_last_recompute_took():
    campaign = CampaignFactory(voting_method="single")
    idea = IdeaFactory(campaign=campaign)
    ballots.ballot_submit(voter=UserFactory(), campaign=campaign, choices=[idea.pk])
    dirty.mark_campaign_dirty(campaign.pk)
    assert results_drain_dirty() == 1

    live_spacing.rest(campaign.pk, seconds=30)
    dirty.mark_campaign_dirty(campaign.pk)
    assert results_drain_dirty() == 0
    assert campaign.pk in live_spacing.marked_campaigns()

    live_spacing.rest(campaign.pk, seconds=0.05)
    time.sleep(0.1)
    assert results_drain_dirty() == 1
    assert not live_spacing.marked_campaigns()


def test_the_reconciliation_leaves_a_fresh_result_alone_while_votes_arrive():
    campaign = CampaignFactory(voting_method="single")
    idea = IdeaFactory(campaign=campaign)
    ballots.ballot_submit(voter=UserFactory(), campaign=campaign, choices=[idea.pk])
    assert results_reconcile() == 1  # no result yet
    ballots.ballot_submit(voter=UserFactory(), campaign=campaign, choices=[idea.pk])

    assert results_reconcile() == 0  # computed just now: the drain has the new ballot

    old = timezone.now() - timedelta(minutes=5)
    CampaignResult.objects.filter(campaign=campaign).update(computed_at=old)
    dirty.mark_campaign_dirty(campaign.pk)
    assert results_reconcile() == 0  # marked: the drain will recompute it
    dirty.pop_dirty_campaigns(10)
    assert results_reconcile() == 1  # a lost mark: recounted
    assert CampaignResult.objects.get(campaign=campaign).ballot_count == 2


def test_results_tasks_have_their_own_queue_that_every_worker_consumes():
    for task in ("results_drain_dirty", "results_reconcile", "results_finalize_due"):
        assert app.amqp.router.route({}, f"voting.tasks.{task}")["queue"].name == "results"
    assert app.amqp.router.route({}, "voting.tasks.tally_drain_dirty")["queue"].name == "celery"
    # A worker started without -Q (make run's, the tests') consumes every declared queue.
    assert set(app.amqp.queues) == {"celery", "results"}
