"""Each rule of a vote says the same in Python and in SQL (core.permissions: a rule's `q`).

The vote's statement (voting/vote_sql.py) checks the rules' SQL conditions and writes; the
Python tests run only to explain a refusal. So in every cell of a matrix of people × ideas
× campaign states, each rule of `voting.rules.can_vote` must hold in SQL exactly where its
test holds in Python, as must the statement's other conditions (the value a format takes,
the counts shown under a results embargo). Every rule is seen failing and holding
somewhere in the matrix, or it proves nothing."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.db import connection
from django.utils import timezone

from core.errors import ApplicationError
from core.permissions import Condition
from ideas.models import Idea
from tests.factories import BrandMembershipFactory, CampaignFactory, IdeaFactory, UserFactory
from voting.formats import all_formats
from voting.models import IdeaTally
from voting.rules import can_vote
from voting.vote_sql import COUNTS_VISIBLE, methods_taking

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)
# (voting opens, voting closes, results), in days from now.
WINDOWS = {
    "open": (-1, 10, 11),
    "upcoming": (2, 10, 11),
    "review": (-10, -1, 5),
    "closed": (-10, -2, -1),
    "closed-no-results-date": (-10, -2, None),
}
INVITED = (
    "  Alice@Example.org \r\n\n@invited.example\x0b"
    "carol@example.org\u2028\u00a0dave@EXAMPLE.org\u3000\n\n"
)


def _campaign(window="open", **changes):
    now = timezone.now()
    opens, closes, results = WINDOWS[window]
    dates = {
        "submission_opens_at": now - 20 * DAY,
        "submission_closes_at": now - 15 * DAY,
        "voting_opens_at": now + opens * DAY,
        "voting_closes_at": now + closes * DAY,
        "results_at": None if results is None else now + results * DAY,
    }
    return CampaignFactory(**{**dates, **changes})


def _situations() -> dict:
    """Campaign states that touch every rule of a vote."""
    return {
        "open": _campaign(),
        "upcoming": _campaign("upcoming"),
        "review": _campaign("review"),
        "closed": _campaign("closed", results_embargo=True),
        "closed-no-results-date": _campaign("closed-no-results-date", results_embargo=True),
        "embargo": _campaign(results_embargo=True),
        "draft": _campaign(is_published=False, state="draft"),
        "archived": _campaign(state="archived"),
        "no-window": _campaign(
            voting_opens_at=None, voting_closes_at=None, results_at=None, state="scheduled"
        ),
        "private": _campaign(is_private=True),
        "invitation-only": _campaign(is_invitation_only=True, invited_participants=INVITED),
        "invitation-only-empty": _campaign(is_invitation_only=True, invited_participants=""),
        "thirty-days-old": _campaign(minimum_account_age_days=30),
        "one-day-old": _campaign(minimum_account_age_days=1),
        "support": _campaign(voting_method="support", support_stages=[[5, 10], [9, 30]]),
        "star": _campaign(voting_method="star"),
        "contest": _campaign(voting_method="contest"),
        "approval": _campaign(voting_method="approval"),
        "pairwise": _campaign(voting_method="pairwise"),
    }


def _people(brand) -> dict:
    now = timezone.now()
    people = {
        "anonymous": AnonymousUser(),
        "unverified": UserFactory(verified=False),
        "new": UserFactory(),
        "two-days-old": UserFactory(date_joined=now - 2 * DAY),
        "old": UserFactory(date_joined=now - 400 * DAY),
        "invited": UserFactory(email="alice@example.org", date_joined=now - 400 * DAY),
        "invited-domain": UserFactory(email="Bob@Invited.Example"),
        "invited-spaced": UserFactory(email="dave@example.org"),
        "not-invited": UserFactory(email="carol@example.com"),
        "subdomain": UserFactory(email="eve@sub.invited.example"),
        "author": UserFactory(date_joined=now - 400 * DAY),
        "blocked": UserFactory(is_active=False),
    }
    people["moderator"] = UserFactory()
    people["moderator"].groups.add(Group.objects.get_or_create(name="Moderators")[0])
    people["owner"] = BrandMembershipFactory(brand=brand, role="owner").user
    return people


def _ideas(situations: dict, author) -> dict:
    ideas = {}
    for name, campaign in situations.items():
        for status in Idea.Status.values:
            ideas[f"{name}/{status}"] = IdeaFactory(campaign=campaign, author=author, status=status)
    support = situations["support"]
    now = timezone.now()
    stages = {
        "stage-over": {"support_status": "review"},
        "stage-expired": {"support_status": "expired"},
        "deadline-passed": {"support_deadline": now - DAY},
        "deadline-ahead": {"support_deadline": now + DAY},
    }
    for name, changes in stages.items():
        idea = ideas[f"support/{name}"] = IdeaFactory(campaign=support, author=author)
        IdeaTally.objects.filter(idea=idea).update(**changes)
    untallied = ideas["support/no-tally"] = IdeaFactory(campaign=support, author=author)
    IdeaTally.objects.filter(idea=untallied).delete()
    return ideas


def _sql_answers(conditions: list[Condition], *, user, idea) -> list[bool]:
    """Each condition asked of (user, idea) in SQL, over the rows the vote's statement
    names (a visitor not signed in has no voter row); NULL counts as false."""
    columns = ", ".join(f"COALESCE(({condition.sql}), false)" for condition in conditions)
    params = {"now": timezone.now(), "voter_id": user.pk, "idea_id": idea.pk}
    for condition in conditions:
        params.update(condition.values())
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns} FROM ideas_idea AS idea JOIN campaigns_campaign AS campaign"  # noqa: S608
            " ON campaign.id = idea.campaign_id LEFT JOIN accounts_user AS voter"
            " ON voter.id = %(voter_id)s WHERE idea.id = %(idea_id)s",
            params,
        )
        return list(cursor.fetchone())


def test_every_rule_of_a_vote_says_the_same_in_python_and_in_sql():
    situations = _situations()
    people = _people(situations["open"].brand)
    ideas = _ideas(situations, people["author"])
    rules = can_vote.rules
    disagreements, seen = [], {rule.rule_name: set() for rule in rules}
    for person, user in people.items():
        for label, idea in ideas.items():
            idea = Idea.objects.select_related("campaign").get(pk=idea.pk)
            in_sql = _sql_answers([rule.q for rule in rules], user=user, idea=idea)
            for rule, sql_holds in zip(rules, in_sql, strict=True):
                holds = rule._holds(user, idea)
                seen[rule.rule_name].add(holds)
                if holds is not sql_holds:
                    disagreements.append(f"{rule.rule_name}: {person} × {label}: {holds} in Python")
    assert disagreements == []
    # Each rule held somewhere and failed somewhere.
    assert {name: answers for name, answers in seen.items() if answers != {True, False}} == {}


def test_the_whole_permission_in_sql_is_the_conjunction_of_its_rules():
    situations = _situations()
    people = _people(situations["open"].brand)
    ideas = _ideas(situations, people["author"])
    allowed_somewhere = False
    for user in people.values():
        for idea in ideas.values():
            idea = Idea.objects.select_related("campaign").get(pk=idea.pk)
            (in_sql,) = _sql_answers([can_vote.condition()], user=user, idea=idea)
            assert in_sql is can_vote(user, idea), (user, idea.campaign.title)
            allowed_somewhere |= in_sql
    assert allowed_somewhere


def test_the_counts_shown_under_an_embargo_are_the_same_in_sql():
    situations = _situations()
    author = UserFactory()
    answers = set()
    for name, campaign in situations.items():
        idea = IdeaFactory(campaign=campaign, author=author)
        (in_sql,) = _sql_answers([COUNTS_VISIBLE], user=author, idea=idea)
        assert in_sql is campaign.are_counts_visible(), name
        answers.add(in_sql)
    assert answers == {True, False}


@pytest.mark.parametrize("value", [-2, -1, 0, 1, 2, 3, 4, 5, 6])
def test_the_values_a_format_takes_are_the_same_in_sql(value):
    """methods_taking(value), which the statement checks, names exactly the formats whose
    validation accepts the value."""
    campaign = CampaignFactory()
    accepting = set()
    for fmt in all_formats():
        if not fmt.votes_per_idea:
            continue
        try:
            fmt.validate_vote(campaign=campaign, value=value)
        except ApplicationError:
            continue
        accepting.add(fmt.key)
    assert set(methods_taking(value)) == accepting


@pytest.mark.parametrize("value", [None, "1", 1.0, True])
def test_a_value_that_is_no_int_is_taken_by_no_format_in_sql(value):
    assert methods_taking(value) == []
