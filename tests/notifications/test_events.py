"""Events have a home: the services emit, notifications decides who is told and with which
text (a template per kind), rewards pays the points and gives the prizes."""

import ast
from pathlib import Path

import pytest
from django.template.loader import get_template
from django.utils import timezone
from django.utils.translation import override

from campaigns import lifecycle
from campaigns.models import CampaignFollow, CampaignPrize, ScheduleChange
from core.events import emit, receiver_for, receivers, without
from ideas.models import Comment
from ideas.services import comment_post, idea_hide
from notifications import receivers as notification_receivers
from notifications.models import Notification
from notifications.texts import template_name
from rewards import receivers as reward_receivers
from rewards.models import LedgerEntry
from tests.factories import BrandMembershipFactory, CampaignFactory, IdeaFactory, UserFactory
from tests.support.schedule import close_voting
from voting import receivers as voting_receivers
from voting.services import vote_cast
from voting.tally import tally_recompute

ROOT = Path(__file__).resolve().parents[2]

# Every event that tells someone, pays points or sets off a step, and who receives it
# (docs/events.md has the same table, with the payloads).
RECEIVERS = {
    "campaign.submission_opened": [notification_receivers.campaign_opened],
    "campaign.voting_opened": [notification_receivers.voting_opened],
    "campaign.voting_ending": [notification_receivers.voting_ending],
    "campaign.results_published": [
        voting_receivers.results_publish,
        notification_receivers.results_published,
    ],
    "campaign.schedule_changed": [notification_receivers.schedule_changed],
    "results.published": [reward_receivers.prizes_for_the_winners],
    "prize.awarded": [notification_receivers.prize_won],
    "idea.published": [notification_receivers.idea_approved, reward_receivers.idea_published],
    "idea.answered": [notification_receivers.idea_answered],
    "idea.hidden": [notification_receivers.idea_hidden],
    "idea.vote_milestone": [
        notification_receivers.vote_milestone,
        reward_receivers.idea_first_vote,
    ],
    "idea.support_stage": [notification_receivers.support_changed],
    "idea.support_review": [notification_receivers.support_changed],
    "idea.support_expired": [notification_receivers.support_changed],
    "comment.posted": [reward_receivers.comment_posted],
}

# Today's texts, word for word (the bell, the list page and the API show them).
TEXTS = [
    ("vote_milestone", {"count": 1}, "Your idea “Vélos & co” received its first vote."),
    ("vote_milestone", {"count": 10}, "Your idea “Vélos & co” reached 10 votes."),
    ("support_stage", {"count": 1}, "Your idea “Vélos & co” reached 1 supporter."),
    ("support_stage", {"count": 50}, "Your idea “Vélos & co” reached 50 supporters."),
    (
        "support_review",
        {"count": 100},
        "Your idea “Vélos & co” reached 100 supporters: the brand will now review it.",
    ),
    (
        "support_expired",
        {"count": 100},
        "Your idea “Vélos & co” did not reach 100 supporters in time; it no longer gathers "
        "support.",
    ),
    ("results_published", {}, "The results of “Vélos & co” are out."),
    ("campaign_opened", {}, "“Vélos & co” is open for ideas."),
    ("voting_opened", {}, "Voting is open in “Vélos & co”."),
    ("voting_ending", {}, "24 hours left to vote in “Vélos & co”."),
    (
        "schedule_changed",
        {"reason": "<b>more</b> time"},
        "The schedule of “Vélos & co” changed: <b>more</b> time",
    ),
    ("idea_approved", {}, "Your idea “Vélos & co” was approved and is now public."),
    ("idea_answered", {"answer": "planned"}, "The brand answered “Vélos & co”: planned."),
    ("prize_won", {"prize": "A trip"}, "Your idea “Vélos & co” won a prize: A trip."),
    (
        "idea_hidden",
        {"reason": "Spam"},
        "Your idea “Vélos & co” was hidden by a moderator. Reason: Spam",
    ),
]


@pytest.fixture
def emitted():
    """Every event of the kinds above emitted during the test, as (kind, payload)."""
    seen = []

    def spy(event):
        seen.append((event.kind, event.payload))

    with without():  # afterwards, every kind has its receivers back, without the spy
        receiver_for(*RECEIVERS)(spy)
        yield seen
    assert not any(spy in receivers(kind) for kind in RECEIVERS)


def notifications_receivers():
    return {
        function
        for functions in RECEIVERS.values()
        for function in functions
        if function.__module__ == "notifications.receivers"
    }


# -- texts ---------------------------------------------------------------------------------


def test_every_kind_has_a_template_rendered_in_english_and_french():
    for kind in Notification.Kind.values:
        get_template(template_name(kind))  # raises if missing
        notification = Notification(kind=kind, params={"title": "Vélos", "count": 3})
        for language in ("en", "fr"):
            with override(language):
                text = notification.message
            assert "Vélos" in text and "{" not in text and "%(" not in text, (kind, language)
            assert text != str(notification.get_kind_display())  # not the fallback


@pytest.mark.parametrize(("kind", "params", "text"), TEXTS)
def test_the_texts_are_todays_word_for_word_and_plain(kind, params, text):
    notification = Notification(kind=kind, params={"title": "Vélos & co", **params})
    assert notification.message == text  # not escaped: the page that shows it escapes it


def test_a_kind_whose_template_kept_its_message_id_speaks_french():
    notification = Notification(kind="results_published", params={"title": "Vélos"})
    with override("fr"):
        assert notification.message == "Les résultats de « Vélos » sont publiés."


def test_a_row_without_parameters_or_of_an_unknown_kind_still_has_a_text():
    assert Notification(kind="vote_milestone", params={}).message == "Your idea “” reached 0 votes."
    assert Notification(kind="gone", params={}).message == "gone"


# -- the receivers -------------------------------------------------------------------------


def test_each_event_kind_has_its_receivers_in_order():
    for kind, expected in RECEIVERS.items():
        assert [f for f in receivers(kind) if f in expected] == expected, kind


@pytest.mark.django_db
def test_campaign_events_tell_the_people_notifications_picks():
    campaign = CampaignFactory()
    follower, voter, commenter = UserFactory(), UserFactory(), UserFactory()
    CampaignFollow.objects.create(campaign=campaign, user=follower)
    idea = IdeaFactory(campaign=campaign)
    vote_cast(voter=voter, idea=idea, value=1)
    Comment.objects.create(idea=idea, author=commenter, body="Yes", body_html="Yes")
    payload = {
        "campaign_id": campaign.pk, "slug": campaign.slug, "title": campaign.title,
        "url": campaign.get_absolute_url(),
    }  # fmt: skip
    everyone = {follower.pk, voter.pk, commenter.pk, idea.author_id}

    assert emit("campaign.submission_opened", **payload).total() == 1
    assert emit("campaign.voting_opened", **payload).total() == 4
    assert emit("campaign.voting_ending", **payload, closes_at=1e9).total() == 4
    assert emit("campaign.schedule_changed", **payload, change_id=7, reason="Why").total() == 4
    assert emit("campaign.voting_opened", **payload).total() == 4  # offered again, told once

    def told(kind):
        return set(Notification.objects.filter(kind=kind).values_list("recipient_id", flat=True))

    assert told("campaign_opened") == {follower.pk}
    assert told("voting_opened") == told("voting_ending") == told("schedule_changed") == everyone
    assert Notification.objects.filter(kind="voting_opened").count() == 4
    assert set(Notification.objects.values_list("event_key", flat=True)) == {
        f"campaign:{campaign.pk}:submission", f"campaign:{campaign.pk}:voting",
        f"voting_ending:{campaign.pk}:1000000000", "schedule:7",
    }  # fmt: skip


@pytest.mark.django_db
def test_results_published_finalises_the_results_gives_the_prizes_and_tells_everyone():
    campaign = CampaignFactory()
    first, second = IdeaFactory(campaign=campaign), IdeaFactory(campaign=campaign)
    for _ in range(2):
        vote_cast(voter=UserFactory(), idea=first, value=1)
    vote_cast(voter=UserFactory(), idea=second, value=1)
    CampaignPrize.objects.create(campaign=campaign, rank=1, title="A trip")
    close_voting(campaign)
    payload = {
        "campaign_id": campaign.pk, "slug": campaign.slug, "title": campaign.title,
        "url": campaign.get_absolute_url(),
    }  # fmt: skip

    for _ in range(2):  # a retried task: nobody told or paid twice
        assert emit("campaign.results_published", **payload).total() == 5

    assert campaign.result.is_final
    prize = CampaignPrize.objects.get()
    assert prize.awarded_idea_id == first.pk
    assert list(LedgerEntry.objects.filter(reason="prize").values_list("user_id", "event_key")) == [
        (first.author_id, f"prize:{prize.pk}")
    ]
    won = Notification.objects.get(kind="prize_won")
    assert (won.recipient_id, won.event_key) == (first.author_id, f"prize:{prize.pk}")
    assert won.params == {"title": first.title, "prize": "A trip"}
    results = Notification.objects.filter(kind="results_published")
    assert results.count() == 5
    assert {n.url for n in results} == {f"/campaigns/{campaign.slug}/results/"}


@pytest.mark.django_db
def test_idea_events_tell_the_author_and_pay_the_points():
    idea = IdeaFactory()
    payload = {
        "idea_id": idea.pk, "campaign_id": idea.campaign_id, "author_id": idea.author_id,
        "title": idea.title, "url": idea.get_absolute_url(),
    }  # fmt: skip
    emit("idea.published", **payload, moderated=False)
    assert not Notification.objects.exists()  # published at once: nothing to say
    emit("idea.published", **payload, moderated=True)
    emit("idea.vote_milestone", **payload, count=1)
    emit("idea.vote_milestone", **payload, count=10)
    emit("idea.support_review", **payload, count=100)
    emit("idea.hidden", **payload, reason="Spam", hidden_at=1e9)
    emit("comment.posted", **payload, comment_id=3)

    assert sorted(Notification.objects.values_list("kind", "event_key")) == [
        ("idea_approved", f"idea_approved:{idea.pk}"),
        ("idea_hidden", f"idea_hidden:{idea.pk}:1000000000"),
        ("support_review", f"idea_support:{idea.pk}:review:100"),
        ("vote_milestone", f"idea_votes:{idea.pk}:1"),
        ("vote_milestone", f"idea_votes:{idea.pk}:10"),
    ]
    assert set(Notification.objects.values_list("recipient_id", flat=True)) == {idea.author_id}
    assert sorted(LedgerEntry.objects.values_list("event_key", "points")) == [
        ("comment:3", 1), (f"idea_first_vote:{idea.pk}", 5), (f"idea_published:{idea.pk}", 10),
    ]  # fmt: skip


# -- the emitters emit, and pick nobody ----------------------------------------------------


@pytest.mark.django_db
def test_the_services_emit_their_events(emitted):
    campaign = CampaignFactory()
    idea = IdeaFactory(campaign=campaign)
    moderator = BrandMembershipFactory(brand=campaign.brand, role="moderator").user
    commenter = UserFactory()
    comment_post(idea=idea, author=commenter, body="Nice")
    vote_cast(voter=UserFactory(), idea=idea, value=1)
    tally_recompute(idea_ids=[idea.pk])
    idea_hide(idea=idea, moderator=moderator, reason="Off topic")

    kinds = [kind for kind, _payload in emitted]
    assert kinds == ["comment.posted", "idea.vote_milestone", "idea.hidden"]
    assert emitted[0][1]["author_id"] == commenter.pk
    assert emitted[1][1]["count"] == 1
    assert emitted[2][1]["reason"] == "Off topic"


@pytest.mark.django_db
def test_the_lifecycle_picks_no_recipient():
    """With notifications not listening, the lifecycle's steps, reminders and schedule
    changes tell nobody: who is told is decided in notifications only."""
    campaign = CampaignFactory()
    CampaignFollow.objects.create(campaign=campaign, user=UserFactory())
    idea = IdeaFactory(campaign=campaign)
    vote_cast(voter=UserFactory(), idea=idea, value=1)
    change = ScheduleChange.objects.create(
        campaign=campaign, window="voting", kind="extended", old_end=timezone.now(),
        new_end=timezone.now(), reason="Why",
    )  # fmt: skip

    with without(*notifications_receivers()):
        for state in ("submission", "voting"):
            assert lifecycle.transition_effects(campaign_id=campaign.pk, to_state=state) == 0
        assert lifecycle.schedule_change_effects(campaign_id=campaign.pk, change_id=change.pk) == 0
        assert not Notification.objects.exists()

    # Listening again: the same steps tell the follower, the voter and the author.
    assert lifecycle.transition_effects(campaign_id=campaign.pk, to_state="voting") == 3
    assert lifecycle.schedule_change_effects(campaign_id=campaign.pk, change_id=change.pk) == 3


MY_DOMAIN_MODULES = [
    "campaigns/lifecycle.py",
    "campaigns/prizes.py",
    "campaigns/tasks.py",
    "voting/milestones.py",
    "ideas/services.py",
]


@pytest.mark.parametrize("path", MY_DOMAIN_MODULES)
def test_emitters_import_neither_notifications_nor_rewards_nor_inside_functions(path):
    tree = ast.parse((ROOT / path).read_text())
    forbidden = {"notifications", "rewards"}
    if path.startswith("campaigns/"):
        forbidden |= {"ideas", "voting", "jury"}
    imported = [
        (node.module or "").split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
    ] + [
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    ]
    assert forbidden.isdisjoint(imported), path
    in_functions = [
        node.lineno
        for function in ast.walk(tree)
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef)
        for node in ast.walk(function)
        if isinstance(node, ast.Import | ast.ImportFrom)
    ]
    assert in_functions == [], path
