"""A vote in one statement (voting/vote_sql.py): each rule of `can_vote` refuses through it
with its own error and writes nothing; the per-voter limit stays exact under its lock; a
vote costs one SQL statement; a format with a validation of its own still votes.

The same cases go through the three doors that vote: the service with the idea
(`vote_cast`, `vote_retract`: the pages), the service by ids (`vote_set`: the API) and the
API with a personal token, served by the fast path (voting/api/fast_path.py)."""

import logging
import threading
from datetime import timedelta

import pytest
from django.db import close_old_connections
from django.utils import timezone
from django.utils.translation import gettext_lazy

from campaigns.models import Campaign
from core.errors import Conflict
from ideas.models import Idea
from ideas.rules import can_view_idea
from tests.factories import CampaignFactory, IdeaFactory, UserFactory
from tests.voting.fast_path_client import fast_path_client
from voting import dirty, rules, vote_sql
from voting.formats import register, unregister
from voting.formats.base import PerIdeaFormat
from voting.models import IdeaTally, Vote
from voting.services import IdeaNotFound, vote_cast, vote_retract, vote_set

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)


def closed_campaign():
    now = timezone.now()
    return CampaignFactory(
        submission_opens_at=now - 20 * DAY,
        submission_closes_at=now - 10 * DAY,
        voting_opens_at=now - 10 * DAY,
        voting_closes_at=now - DAY,
    )


def support_stage_over():
    idea = IdeaFactory(campaign=CampaignFactory(voting_method="support"))
    IdeaTally.objects.filter(idea=idea).update(support_status="review")
    return UserFactory(), idea


# Each case fails exactly one rule of can_vote, its first failing one.
CASES = {
    "email_not_verified": lambda: (UserFactory(verified=False), IdeaFactory()),
    "account_age": lambda: (
        UserFactory(),
        IdeaFactory(campaign=CampaignFactory(minimum_account_age_days=30)),
    ),
    "invited": lambda: (
        UserFactory(email="someone@example.com"),
        IdeaFactory(
            campaign=CampaignFactory(
                is_invitation_only=True, invited_participants="@example.org\nx@example.com"
            )
        ),
    ),
    "private_campaign": lambda: (
        UserFactory(),
        IdeaFactory(campaign=CampaignFactory(is_private=True)),
    ),
    "idea_not_pending": lambda: (UserFactory(), IdeaFactory(status=Idea.Status.PENDING)),
    "idea_shown": lambda: (UserFactory(), IdeaFactory(status=Idea.Status.HIDDEN)),
    "voted_idea_by_idea": lambda: (
        UserFactory(),
        IdeaFactory(campaign=CampaignFactory(voting_method="approval")),
    ),
    "voting_closed": lambda: (UserFactory(), IdeaFactory(campaign=closed_campaign())),
    "support_closed": support_stage_over,
    "own_idea": lambda: (lambda idea: (idea.author, idea))(IdeaFactory()),
}
RULES = {rule.rule_name: rule for rule in rules.can_vote.rules}


def test_every_rule_of_a_vote_has_its_case():
    assert set(CASES) == set(RULES)


def case(name):
    voter, idea = CASES[name]()
    idea = Idea.objects.select_related("campaign").get(pk=idea.pk)
    rule = RULES[name]
    assert rules.can_vote.failing_rule(voter, idea) is rule  # the case is what it says
    return voter, idea, rule


def assert_refused_by(raised, rule, idea):
    error = raised.value
    assert (type(error), error.code, error.status_code) == (
        rule.error,
        rule.code,
        rule.error.status_code,
    )
    assert error.message == rule.message_for(idea)
    assert error.rule is rule


@pytest.mark.parametrize("name", CASES)
def test_the_statement_refuses_and_the_rule_says_why(name, django_capture_on_commit_callbacks):
    voter, idea, rule = case(name)

    assert vote_sql.vote_write(voter_id=voter.pk, idea_id=idea.pk, value=1) is None
    assert vote_sql.vote_withdraw(voter_id=voter.pk, idea_id=idea.pk) is None
    # By id, an idea the voter may not see does not exist (the API's 404).
    seen = can_view_idea(voter, idea)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(rule.error) as cast:
            vote_cast(voter=voter, idea=idea, value=1)
        with pytest.raises(rule.error if seen else IdeaNotFound) as by_id:
            vote_set(voter_id=voter.pk, idea_id=idea.pk, value=1)
        with pytest.raises(rule.error) as retracted:
            vote_retract(voter=voter, idea=idea)

    for raised in (cast, by_id, retracted) if seen else (cast, retracted):
        assert_refused_by(raised, rule, idea)
    assert not Vote.objects.exists()
    assert callbacks == [] and dirty.dirty_ids() == set()


@pytest.mark.parametrize("name", CASES)
def test_a_refused_change_or_withdrawal_keeps_the_earlier_vote(name):
    voter, idea, rule = case(name)
    now = timezone.now()
    Vote.objects.create(voter=voter, idea=idea, value=1, created_at=now, updated_at=now)

    for value in (1, 0):  # cast again (a valid value in every case), withdraw
        with pytest.raises(rule.error if can_view_idea(voter, idea) else IdeaNotFound):
            vote_set(voter_id=voter.pk, idea_id=idea.pk, value=value)

    assert list(Vote.objects.values_list("value", "updated_at")) == [(1, now)]


@pytest.mark.parametrize("name", CASES)
def test_the_api_answers_each_refusal_as_before(name):
    """Through the fast path: the rule's code and message, or 404 where the voter may not
    see the idea (as the API always answered)."""
    voter, idea, rule = case(name)
    client = fast_path_client(voter)

    put = client.put(f"/api/v1/ideas/{idea.pk}/vote/", {"value": 1}, format="json")
    delete = client.delete(f"/api/v1/ideas/{idea.pk}/vote/")

    assert client.handler.answered == 2
    for response in (put, delete):
        if can_view_idea(voter, idea):
            assert response.status_code == rule.error.status_code
            assert response.json() == {"detail": rule.message_for(idea), "code": rule.code}
        else:
            assert response.status_code == 404
    assert not Vote.objects.exists()


def test_a_missing_idea_is_not_found_by_id():
    with pytest.raises(IdeaNotFound):
        vote_set(voter_id=UserFactory().pk, idea_id=2_000_000_000, value=1)
    assert vote_sql.vote_write(voter_id=UserFactory().pk, idea_id=10**15, value=1) is None


# --- what a vote costs --------------------------------------------------------------------


def test_a_vote_and_its_withdrawal_are_one_statement_each(django_assert_num_queries):
    idea, voter = IdeaFactory(), UserFactory()
    with django_assert_num_queries(1):
        vote_cast(voter=voter, idea=idea, value=1)
    with django_assert_num_queries(1):
        answer = vote_set(voter_id=voter.pk, idea_id=idea.pk, value=-1)
    with django_assert_num_queries(1):
        vote_retract(voter=voter, idea=idea)
    assert answer.value == -1 and answer.tally["upvotes"] == 0
    assert list(Vote.objects.values_list("value", flat=True)) == [0]


def test_the_answer_carries_the_tally_unless_an_embargo_hides_it():
    open_idea = IdeaFactory()
    IdeaTally.objects.filter(idea=open_idea).update(upvotes=7, downvotes=2, score=5)
    hidden = IdeaFactory(campaign=CampaignFactory(results_embargo=True))
    voter = UserFactory()

    shown = vote_set(voter_id=voter.pk, idea_id=open_idea.pk, value=1)
    embargoed = vote_set(voter_id=voter.pk, idea_id=hidden.pk, value=1)

    assert (shown.value, shown.tally["upvotes"], shown.tally["score"]) == (1, 7, 5)
    assert (embargoed.value, embargoed.tally) == (1, None)


# --- per-voter limits ---------------------------------------------------------------------


def test_a_limited_campaign_found_by_id_is_counted_under_the_lock():
    campaign = CampaignFactory(max_votes_per_voter=2)
    first, second, third = (IdeaFactory(campaign=campaign) for _ in range(3))
    voter = UserFactory()
    vote_set(voter_id=voter.pk, idea_id=first.pk, value=1)
    vote_set(voter_id=voter.pk, idea_id=second.pk, value=1)
    assert vote_set(voter_id=voter.pk, idea_id=second.pk, value=-1).value == -1

    with pytest.raises(Conflict) as refusal:
        vote_set(voter_id=voter.pk, idea_id=third.pk, value=1)

    assert (refusal.value.code, refusal.value.message) == (
        "vote_limit_reached",
        "You have used all 2 of your votes in this campaign. Withdraw one to vote for this idea.",
    )
    assert not Vote.objects.filter(idea=third).exists()
    vote_set(voter_id=voter.pk, idea_id=first.pk, value=0)
    assert vote_set(voter_id=voter.pk, idea_id=third.pk, value=1).value == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_votes_by_id_never_exceed_the_limit():
    campaign = CampaignFactory(max_votes_per_voter=3)
    ideas = [IdeaFactory(campaign=campaign) for _ in range(8)]
    voter = UserFactory()
    barrier = threading.Barrier(len(ideas))
    outcomes = []

    def vote(idea):
        barrier.wait()
        try:
            vote_set(voter_id=voter.pk, idea_id=idea.pk, value=1)
            outcomes.append("ok")
        except Conflict:
            outcomes.append("refused")
        finally:
            close_old_connections()

    threads = [threading.Thread(target=vote, args=(idea,)) for idea in ideas]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok"] * 3 + ["refused"] * 5
    assert Vote.objects.filter(voter=voter, value=1).count() == 3


# --- a format the statement leaves to Python ----------------------------------------------


class EvenFormat(PerIdeaFormat):
    """A format with a validation of its own (even stars only): the statement cannot say
    what it takes, so its votes go through the Python rules, then are written."""

    key = "test-even"
    label = gettext_lazy("Even stars")
    vote_values = frozenset({2, 4})

    def validate_vote(self, *, campaign, value):
        if value not in (2, 4):
            raise Conflict("Even stars only.", code="odd")


@pytest.fixture
def even_format():
    register(EvenFormat)
    yield
    unregister(EvenFormat.key)


def test_a_format_with_its_own_validation_votes_through_the_python_rules(
    even_format, caplog, django_capture_on_commit_callbacks
):
    idea = IdeaFactory(campaign=CampaignFactory(voting_method=EvenFormat.key))
    voter = UserFactory()

    with django_capture_on_commit_callbacks(execute=True), caplog.at_level(logging.INFO):
        vote = vote_cast(voter=voter, idea=idea, value=4)
    with pytest.raises(Conflict):
        vote_cast(voter=voter, idea=idea, value=3)

    assert vote.value == 4 and Vote.objects.get().value == 4
    assert dirty.dirty_ids() == {idea.pk}
    assert Campaign.objects.get(pk=idea.campaign_id).voting_method == EvenFormat.key
    assert "written after the rules' check" in caplog.text
