"""The rules and the services agree in every cell (docs/decisions/0013-rules-with-reasons.md).

Each permission declared in a `rules.py` (core.permissions) is asked, as a predicate, for
every person of the matrix and every object of a set of campaign states, phases, privacy,
invitation lists, voting methods and idea statuses; then the service that does the action
is called with the same person and object, in a savepoint rolled back at once. In every
cell:

- predicate true  ⇔  the service refuses with none of the permission's rules and raises no
  NotAllowed at all (it may still refuse bad input, or a state the permission does not
  cover, like "not enough ideas to compare");
- predicate false ⇒  the service raises the first failing rule's error: that rule, its
  code and its HTTP status.

The people and the campaigns are built once for the module; the inputs given to services
are wrong where that stops them right after their permission check (an empty comment, an
unknown export kind), so that most cells write nothing."""

import copy
from dataclasses import dataclass
from datetime import timedelta

import pytest
import rules
from django.contrib.auth.models import AnonymousUser, Group
from django.db import transaction
from django.utils import timezone

from brands import rules as brand_rules
from brands.team import brand_update, invitation_create
from campaigns import rules as campaign_rules
from campaigns.lifecycle import campaign_archive, campaign_launch, campaign_reschedule
from campaigns.models import Campaign
from campaigns.services import campaign_follow_set
from core.errors import ApplicationError, NotAllowed
from ideas import rules as idea_rules
from ideas import services as idea_services
from ideas.models import Comment, Idea
from insights.exports import export_request
from tests.factories import (
    BrandFactory,
    BrandMembershipFactory,
    CampaignFactory,
    IdeaFactory,
    UserFactory,
)
from voting import rules as voting_rules
from voting.ballots import ballot_submit
from voting.models import IdeaTally
from voting.pairwise import pairwise_issue
from voting.services import vote_cast

DAY = timedelta(days=1)
# (submission opens, submission closes, voting opens, voting closes, results), in days.
SCHEDULES = {
    "upcoming": (1, 10, 11, 20, 21),
    "submission": (-1, 10, 11, 20, 21),
    "voting": (-10, -1, -1, 10, 11),
    "both": (-1, 10, -1, 20, 21),
    "between": (-10, -1, 1, 10, 11),
    "review": (-20, -10, -10, -1, 5),
    "closed": (-20, -10, -10, -2, -1),
}
# Each situation: its name, its schedule, and how it differs from a public up/down campaign.
SITUATIONS = [
    ("draft", "both", {"is_published": False}),
    *[(phase, phase, {}) for phase in SCHEDULES],
    ("archived", "closed", {"state": Campaign.State.ARCHIVED}),
    ("private-voting", "voting", {"is_private": True}),
    ("invitation-only", "both", {"is_invitation_only": True}),
    ("thirty-days-old", "both", {"minimum_account_age_days": 30}),
    ("support", "voting", {"voting_method": "support"}),
    ("star", "both", {"voting_method": "star"}),
    ("contest", "voting", {"voting_method": "contest"}),
    ("single", "voting", {"voting_method": "single"}),
    ("approval-closed", "closed", {"voting_method": "approval"}),
    ("ranked", "both", {"voting_method": "ranked"}),
    ("budget", "voting", {"voting_method": "budget", "budget_amount": 1000}),
    ("private-single", "voting", {"voting_method": "single", "is_private": True}),
    ("pairwise", "voting", {"voting_method": "pairwise"}),
    ("pairwise-between", "between", {"voting_method": "pairwise"}),
    ("private-pairwise", "both", {"voting_method": "pairwise", "is_private": True}),
]
# The situations moderation is asked about (the phase matters little to it).
MODERATED = ("draft", "both", "closed", "private-voting", "single")
# The situations a brand's campaign actions are asked about.
RUN = ("draft", "upcoming", "voting", "review", "closed", "archived")
STATUSES = (Idea.Status.PENDING, Idea.Status.PUBLISHED, Idea.Status.HIDDEN)
PEOPLE = (
    "anonymous", "unverified", "contributor", "idea_author", "owner", "manager", "moderator",
    "analyst", "site_moderator", "staff", "blocked",
)  # fmt: skip


@dataclass
class World:
    people: dict
    brand: object
    campaigns: dict  # situation -> Campaign
    ideas: dict  # (situation, status) -> Idea
    comments: dict  # situation -> a comment on its published idea


def _people(brand) -> dict:
    long_ago = timezone.now() - 400 * DAY
    people = {"anonymous": AnonymousUser(), "unverified": UserFactory(verified=False)}
    people["contributor"] = UserFactory(date_joined=long_ago)  # the only old account
    people["idea_author"] = UserFactory()
    for role in ("owner", "manager", "moderator", "analyst"):
        people[role] = BrandMembershipFactory(brand=brand, role=role).user
    people["site_moderator"] = UserFactory()
    people["site_moderator"].groups.add(Group.objects.get_or_create(name="Moderators")[0])
    people["staff"] = UserFactory(is_staff=True)
    people["staff"].groups.add(Group.objects.get_or_create(name="Staff")[0])
    # Blocking closes the doors (no login, no session, no token); the rules do not see it.
    people["blocked"] = UserFactory(is_active=False)
    return people


def _campaign(brand, people, phase: str, changes: dict) -> Campaign:
    now = timezone.now()
    opens, closes, voting_opens, voting_closes, results = SCHEDULES[phase]
    invited = f"{people['contributor'].email}\n{people['idea_author'].email}"
    return CampaignFactory(
        brand=brand,
        submission_opens_at=now + opens * DAY,
        submission_closes_at=now + closes * DAY,
        voting_opens_at=now + voting_opens * DAY,
        voting_closes_at=now + voting_closes * DAY,
        results_at=now + results * DAY,
        invited_participants=invited if changes.get("is_invitation_only") else "",
        **changes,
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once, in a transaction rolled back after the module's tests."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            brand = BrandFactory()
            people = _people(brand)
            campaigns, ideas, comments = {}, {}, {}
            for name, phase, changes in SITUATIONS:
                campaign = campaigns[name] = _campaign(brand, people, phase, changes)
                for status in STATUSES:
                    ideas[name, status] = IdeaFactory(
                        campaign=campaign, author=people["idea_author"], status=status, cost=100
                    )
                comments[name] = Comment.objects.create(
                    idea=ideas[name, Idea.Status.PUBLISHED],
                    author=people["contributor"],
                    body="Nice.",
                    body_html="<p>Nice.</p>",
                )
            # An idea whose support stage is over (it waits for the brand's review).
            over = IdeaFactory(campaign=campaigns["support"], author=people["idea_author"])
            IdeaTally.objects.filter(idea=over).update(support_status="review")
            ideas["support", "stage over"] = over
            yield World(people, brand, campaigns, ideas, comments)
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


class _Undo(Exception):
    """Raised after a service succeeded, to roll its writes back."""


def _attempt(call) -> ApplicationError | None:
    try:
        with transaction.atomic():
            call()
            raise _Undo
    except _Undo:
        return None
    except ApplicationError as error:
        return error


def _disagreements(world, permission, objects, call) -> list[str]:
    """Ask `permission` and its service about every person × object; say where they
    disagree. `call(user, obj)` does the action."""
    found = []
    registered = rules.perm_exists(permission.name)
    for label, obj in objects:
        for person in PEOPLE:
            user = world.people[person]
            cell = f"{permission.name} {person} × {label}"
            allowed = permission(user, obj)
            first = permission.failing_rule(user, obj)
            if allowed is not (first is None):
                found.append(f"{cell}: the predicate and its first failing rule differ")
            if registered and user.has_perm(permission.name, obj) is not allowed:
                found.append(f"{cell}: has_perm differs from the predicate")
            error = _attempt(lambda user=user, obj=obj: call(user, copy.copy(obj)))
            rule = getattr(error, "rule", None)
            if allowed and (isinstance(error, NotAllowed) or rule is not None):
                found.append(f"{cell}: allowed, but the service refused ({error.code})")
            elif not allowed and rule is not first:
                got = "nothing" if error is None else f"{error.code} ({error.message})"
                found.append(f"{cell}: expected {first.rule_name} ({first.code}), got {got}")
            elif not allowed and (error.code, error.status_code) != (
                first.code,
                first.error.status_code,
            ):
                found.append(f"{cell}: wrong code or status {error.code} {error.status_code}")
    return found


@pytest.fixture
def agree(world, db):
    """agree(permission, objects, call): assert that they agree in every cell."""

    def check(permission, objects, call) -> None:
        found = _disagreements(world, permission, objects, call)
        assert not found, f"{len(found)} disagreements:\n" + "\n".join(found[:30])

    return check


def campaigns(world, names=None) -> list:
    names = names or world.campaigns
    return [(name, world.campaigns[name]) for name in names]


def ideas(world, names=None) -> list:
    """The ideas of the situations `names` (all by default), labelled "situation/status"."""
    return [
        (f"{name}/{status}", idea)
        for (name, status), idea in world.ideas.items()
        if names is None or name in names
    ]


# -- voting --------------------------------------------------------------------------------


def test_vote_on_an_idea(world, agree):
    agree(
        voting_rules.can_vote,
        ideas(world),
        lambda user, idea: vote_cast(voter=user, idea=idea, value=1),
    )


def test_submit_a_ballot(world, agree):
    agree(
        voting_rules.can_submit_ballot,
        campaigns(world),
        lambda user, campaign: ballot_submit(voter=user, campaign=campaign, choices=[]),
    )


def test_compare_ideas(world, agree):
    agree(
        voting_rules.can_compare_ideas,
        campaigns(world),
        lambda user, campaign: pairwise_issue(voter=user, campaign=campaign),
    )


# -- ideas ---------------------------------------------------------------------------------


def test_submit_an_idea(world, agree):
    agree(
        idea_rules.can_submit_idea,
        campaigns(world),
        lambda user, campaign: idea_services.idea_submit(
            author=user, campaign=campaign, title="", body=""
        ),
    )


def test_comment_an_idea(world, agree):
    agree(
        idea_rules.can_comment_idea,
        ideas(world, MODERATED),
        lambda user, idea: idea_services.comment_post(idea=idea, author=user, body=""),
    )


@pytest.mark.parametrize(
    ("permission", "service"),
    [
        (
            idea_rules.can_approve_idea_now,
            lambda user, idea: idea_services.idea_approve(idea=idea, moderator=user),
        ),
        (
            idea_rules.can_answer_idea_now,
            lambda user, idea: idea_services.idea_answer(
                idea=idea, author=user, answer="none of them", note=""
            ),
        ),
        (
            idea_rules.can_hide_idea,
            lambda user, idea: idea_services.idea_hide(idea=idea, moderator=user, reason=""),
        ),
        (
            idea_rules.can_restore_idea,
            lambda user, idea: idea_services.idea_unhide(idea=idea, moderator=user),
        ),
        (
            idea_rules.can_edit_idea,
            lambda user, idea: idea_services.idea_edit_check(
                idea=idea, editor=user, title="", body="", reason=""
            ),
        ),
    ],
    ids=["approve", "answer", "hide", "restore", "edit"],
)
def test_moderate_an_idea(world, agree, permission, service):
    agree(permission, ideas(world, MODERATED), service)


@pytest.mark.parametrize(
    ("permission", "service"),
    [
        (idea_rules.can_hide_comment, idea_services.comment_hide),
        (idea_rules.can_show_comment, idea_services.comment_show),
    ],
    ids=["hide", "show"],
)
def test_moderate_a_comment(world, agree, permission, service):
    comments = [(name, world.comments[name]) for name in MODERATED]
    agree(permission, comments, lambda user, comment: service(comment=comment, moderator=user))


# -- campaigns -----------------------------------------------------------------------------


def test_follow_a_campaign(world, agree):
    agree(
        campaign_rules.can_follow_campaign,
        campaigns(world),
        lambda user, campaign: campaign_follow_set(campaign=campaign, user=user, following=True),
    )


@pytest.mark.parametrize(
    ("permission", "service"),
    [
        (
            campaign_rules.can_launch_campaign,
            lambda user, campaign: campaign_launch(campaign=campaign, actor=user),
        ),
        (
            campaign_rules.can_run_campaign,
            lambda user, campaign: campaign_reschedule(
                campaign=campaign, actor=user, window="voting", new_end=None, reason=""
            ),
        ),
        (
            campaign_rules.can_archive_campaign,
            lambda user, campaign: campaign_archive(campaign=campaign, actor=user),
        ),
        (
            campaign_rules.can_export_campaign,
            lambda user, campaign: export_request(
                campaign=campaign, user=user, kind="everything", format="csv"
            ),
        ),
    ],
    ids=["launch", "run", "archive", "export"],
)
def test_run_a_campaign(world, agree, permission, service):
    agree(permission, campaigns(world, RUN), service)


# -- brands --------------------------------------------------------------------------------


def test_manage_a_brand(world, agree):
    brands = [("brand", world.brand)]
    agree(
        brand_rules.can_manage_brand_team,
        brands,
        lambda user, brand: invitation_create(
            brand=brand, email="", role="manager", invited_by=user
        ),
    )
    agree(
        brand_rules.can_edit_brand,
        brands,
        lambda user, brand: brand_update(
            brand=brand, actor=user, name="", description="", website="", time_zone="Nowhere"
        ),
    )


def test_the_matrix_covers_the_states_and_refusals_it_claims(world, db):
    """The situations are what their names say, and every rule of the voting and idea
    permissions fails somewhere in the matrix (a rule never exercised proves nothing)."""
    phases = {name: world.campaigns[name].phase() for name in ("upcoming", "voting", "review")}
    assert phases == {"upcoming": "upcoming", "voting": "voting", "review": "review"}
    assert world.campaigns["archived"].phase() == "archived"
    assert world.campaigns["draft"].phase() == "draft"
    for permission, objects in [
        (voting_rules.can_vote, ideas(world)),
        (voting_rules.can_submit_ballot, campaigns(world)),
        (voting_rules.can_compare_ideas, campaigns(world)),
        (idea_rules.can_submit_idea, campaigns(world)),
        (idea_rules.can_answer_idea_now, ideas(world, MODERATED)),
        (idea_rules.can_approve_idea_now, ideas(world, MODERATED)),
    ]:
        failing = {
            permission.failing_rule(world.people[person], obj)
            for person in PEOPLE
            for _label, obj in objects
        }
        missing = {rule.rule_name for rule in permission.rules if rule not in failing}
        assert not missing, (permission.name, missing)


def test_the_pages_offer_comparisons_as_the_permission_says(world, db, client):
    """The campaign page and an idea's page show the link to compare ideas by
    voting.rules.offers_comparisons: to anyone not signed in yet (they log in first), else
    only to who may compare (not to an unverified account, never in a private campaign)."""
    people = world.people
    expected = {
        ("pairwise", "anonymous"): True,
        ("pairwise", "unverified"): False,
        ("pairwise", "contributor"): True,
        ("pairwise", "manager"): True,
        ("pairwise-between", "contributor"): False,
        ("private-pairwise", "anonymous"): False,
        ("private-pairwise", "manager"): False,
    }
    for (name, person), offered in expected.items():
        campaign, user = world.campaigns[name], people[person]
        assert voting_rules.offers_comparisons(user, campaign) is offered, (name, person)
        client.logout()
        if user.is_authenticated:
            client.force_login(user)
        idea = world.ideas[name, Idea.Status.PUBLISHED]
        for url in (campaign.get_absolute_url(), idea.get_absolute_url()):
            response = client.get(url)
            if response.status_code == 404:  # a private idea, to someone not of the brand
                continue
            shown = 'href="/campaigns/' + campaign.slug + '/compare/"' in response.content.decode()
            assert shown is offered, (name, person, url)
