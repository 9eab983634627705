"""The incremental live aggregate equals a full recount after random casts, replacements,
withdrawals and hidden ideas applied between its updates, for every format (issue 11,
part 2), and its watermark does not miss a ballot committed late."""

import contextlib
import random
from datetime import timedelta

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import ApplicationError, Conflict
from ideas.models import Idea
from tests.factories import CampaignFactory, IdeaFactory, UserFactory
from tests.support.worker import database_url_for_current_test_database
from voting import aggregate_counts, aggregates, ballots, pairwise
from voting.formats import format_for
from voting.models import Ballot, LiveAggregate, LiveCount
from voting.results import _candidates, aggregates_check_due, result_compute

pytestmark = pytest.mark.django_db

FORMATS = {  # name -> campaign fields
    "single": {"voting_method": "single"},
    "approval": {"voting_method": "approval", "max_votes_per_voter": 3},
    "schulze": {"voting_method": "ranked", "ranked_method": "schulze"},
    "irv": {"voting_method": "ranked", "ranked_method": "irv"},
    "budget": {"voting_method": "budget", "budget_amount": 100},
}
COSTS = [30, 50, 20, 60, 40]
VOTERS = 3

OPERATIONS = st.lists(
    st.one_of(
        st.tuples(
            st.just("cast"),
            st.integers(0, VOTERS - 1),
            st.lists(st.integers(0, len(COSTS) - 1), max_size=5, unique=True),
        ),
        st.tuples(st.just("withdraw"), st.integers(0, VOTERS - 1)),
        st.tuples(st.just("hide"), st.integers(0, len(COSTS) - 1)),
        st.tuples(st.just("show"), st.integers(0, len(COSTS) - 1)),
        st.tuples(st.just("update")),
        st.tuples(st.just("update")),  # often: changes then span several updates
    ),
    max_size=30,
)
EXAMPLES = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(params=["tight", "margin"])
def watermark(request, monkeypatch):
    """With no margin every update reads only what changed since the last one (the
    watermark itself is tested); with the margin, ballots are read again (idempotence)."""
    if request.param == "tight":
        monkeypatch.setattr(aggregates, "SAFETY_MARGIN", timedelta(0))
    return request.param


def set_visible(idea: Idea, visible: bool) -> None:
    status = Idea.Status.PUBLISHED if visible else Idea.Status.HIDDEN
    Idea.objects.filter(pk=idea.pk).update(status=status)


def ballot_choices(name: str, ideas: list[Idea], picked: list[int]) -> list[int]:
    visible = set(Idea.objects.visible().filter(pk__in=[i.pk for i in ideas]).values_list("pk"))
    chosen = [ideas[index] for index in picked if (ideas[index].pk,) in visible]
    if name == "single":
        return [idea.pk for idea in chosen[:1]]
    if name == "approval":
        return [idea.pk for idea in chosen[:3]]
    if name == "budget":
        kept, spent = [], 0
        for idea in chosen:
            if spent + idea.cost <= 100:
                kept.append(idea.pk)
                spent += idea.cost
        return kept
    return [idea.pk for idea in chosen]


def assert_aggregate_equals_full_recount(campaign) -> None:
    result_compute(campaign=campaign)  # the worker's live path: update, then read
    voting_format = format_for(campaign)
    candidates = _candidates(campaign)
    from_aggregate = voting_format.live_result(
        campaign=campaign, candidates=candidates, source=aggregate_counts
    )
    full = voting_format.live_result(campaign=campaign, candidates=candidates)
    assert from_aggregate == full
    final = voting_format.final_result(campaign=campaign, candidates=candidates)
    if voting_format.is_pairwise:  # the final floats group the answers in another order
        assert (from_aggregate[2], from_aggregate[1]["wins"]) == (final[2], final[1]["wins"])
        assert from_aggregate[1]["losses"] == final[1]["losses"]
    else:
        assert (from_aggregate[0], from_aggregate[2]) == (final[0], final[2])
    # The reconciliation's full recount finds nothing to repair.
    assert (
        aggregates.aggregate_check(campaign_id=campaign.pk, pairwise=voting_format.is_pairwise) == 0
    )
    assert not LiveCount.objects.filter(campaign=campaign, count__lte=0).exists()


@pytest.mark.parametrize("name", list(FORMATS))
def test_the_aggregate_equals_a_full_recount_after_random_ballot_changes(name, watermark):
    @EXAMPLES
    @given(operations=OPERATIONS)
    def check(operations):
        campaign = CampaignFactory(**FORMATS[name])
        ideas = [IdeaFactory(campaign=campaign, cost=cost) for cost in COSTS]
        voters = [UserFactory() for _ in range(VOTERS)]
        for operation in operations:
            if operation[0] == "cast":
                choices = ballot_choices(name, ideas, operation[2])
                # Refused when no visible idea is chosen: nothing changes.
                with contextlib.suppress(ApplicationError):
                    ballots.ballot_submit(
                        voter=voters[operation[1]], campaign=campaign, choices=choices
                    )
            elif operation[0] == "withdraw":
                ballots.ballot_withdraw(voter=voters[operation[1]], campaign=campaign)
            elif operation[0] in ("hide", "show"):
                set_visible(ideas[operation[1]], operation[0] == "show")
            else:
                result_compute(campaign=campaign)
        assert_aggregate_equals_full_recount(campaign)

    check()


def test_the_pairwise_aggregate_equals_a_full_recount_after_random_answers(watermark):
    @EXAMPLES
    @given(
        operations=st.lists(
            st.one_of(
                st.tuples(
                    st.just("answer"),
                    st.integers(0, VOTERS - 1),
                    st.sampled_from(["left", "right", "skip", None]),  # None: left unanswered
                ),
                st.tuples(st.just("hide"), st.integers(0, 4)),
                st.tuples(st.just("show"), st.integers(0, 4)),
                st.tuples(st.just("update")),
            ),
            max_size=30,
        ),
        seed=st.integers(0, 1000),
    )
    def check(operations, seed):
        rng = random.Random(seed)
        campaign = CampaignFactory(voting_method="pairwise")
        ideas = [IdeaFactory(campaign=campaign) for _ in range(5)]
        voters = [UserFactory() for _ in range(VOTERS)]
        for operation in operations:
            if operation[0] == "answer":
                voter = voters[operation[1]]
                try:
                    prompt = pairwise.pairwise_issue(voter=voter, campaign=campaign, rng=rng)
                except Conflict:
                    continue  # fewer than two visible ideas
                if operation[2] is not None and prompt.answered_at is None:
                    pairwise.pairwise_answer(voter=voter, token=prompt.token, outcome=operation[2])
            elif operation[0] in ("hide", "show"):
                set_visible(ideas[operation[1]], operation[0] == "show")
            else:
                result_compute(campaign=campaign)
        assert_aggregate_equals_full_recount(campaign)

    check()


def test_the_check_repairs_and_reports_a_ballot_the_watermark_missed(caplog):
    campaign = CampaignFactory(voting_method="single")
    ideas = [IdeaFactory(campaign=campaign) for _ in range(2)]
    voter = UserFactory()
    ballots.ballot_submit(voter=voter, campaign=campaign, choices=[ideas[0].pk])
    result_compute(campaign=campaign)
    ballots.ballot_submit(voter=voter, campaign=campaign, choices=[ideas[1].pk])
    # As if the change had committed behind the watermark: the updates skip it...
    aggregate = LiveAggregate.objects.get(campaign=campaign)
    Ballot.objects.filter(campaign=campaign).update(
        updated_at=aggregate.ballots_since - timedelta(1)
    )
    assert result_compute(campaign=campaign).ranking[0] == ideas[0].pk
    # ...until the periodic full recount, which repairs and logs it.
    LiveAggregate.objects.filter(campaign=campaign).update(
        checked_at=aggregate.checked_at - timedelta(1)
    )
    assert aggregates_check_due() == 1
    assert "differed from a full recount" in caplog.text
    assert result_compute(campaign=campaign).ranking[0] == ideas[1].pk
    assert aggregates_check_due() == 0  # checked just now


def test_the_final_result_drops_the_aggregate():
    campaign = CampaignFactory(voting_method="approval")
    idea = IdeaFactory(campaign=campaign)
    ballots.ballot_submit(voter=UserFactory(), campaign=campaign, choices=[idea.pk])
    result_compute(campaign=campaign)
    assert LiveCount.objects.filter(campaign=campaign).exists()
    result_compute(campaign=campaign, final=True)
    assert not LiveAggregate.objects.filter(campaign=campaign).exists()
    assert not LiveCount.objects.filter(campaign=campaign).exists()


@pytest.mark.django_db(transaction=True)
def test_a_ballot_committed_after_an_update_that_began_before_it_is_counted(monkeypatch):
    """A voter's transaction open while the worker updates (its updated_at earlier than
    the update) commits afterwards: the next update still counts it."""
    monkeypatch.setattr(aggregates, "SAFETY_MARGIN", timedelta(0))
    campaign = CampaignFactory(voting_method="single")
    ideas = [IdeaFactory(campaign=campaign) for _ in range(2)]
    voter = UserFactory()
    ballots.ballot_submit(voter=voter, campaign=campaign, choices=[ideas[0].pk])
    ballot = Ballot.objects.get(campaign=campaign)
    result_compute(campaign=campaign)
    with psycopg.connect(database_url_for_current_test_database()) as other:
        # What ballot_submit does, its updated_at taken at the start of its transaction.
        other.execute(
            "UPDATE voting_ballot SET updated_at = clock_timestamp() WHERE id = %s", [ballot.pk]
        )
        other.execute("DELETE FROM voting_ballotchoice WHERE ballot_id = %s", [ballot.pk])
        other.execute(
            "INSERT INTO voting_ballotchoice (ballot_id, idea_id) VALUES (%s, %s)",
            [ballot.pk, ideas[1].pk],
        )
        assert result_compute(campaign=campaign).ranking[0] == ideas[0].pk  # not committed
        other.commit()
    assert result_compute(campaign=campaign).ranking[0] == ideas[1].pk
    assert aggregates.aggregate_check(campaign_id=campaign.pk, pairwise=False) == 0
