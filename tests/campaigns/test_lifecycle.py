"""The lifecycle: each transition at its time, exactly once, however often beat fires;
launch checks; extending and closing windows early; who is told what."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from campaigns import lifecycle
from campaigns.models import Campaign, CampaignFollow, CampaignTransition, ScheduleChange
from core.errors import ApplicationError, Conflict, NotAllowed
from notifications.models import Notification
from tests.factories import (
    BrandMembershipFactory,
    CampaignFactory,
    CampaignTermsFactory,
    IdeaFactory,
    UserFactory,
)
from voting.services import vote_cast

pytestmark = pytest.mark.django_db

T0 = timezone.now().replace(microsecond=0) + timedelta(days=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def draft(**kwargs) -> Campaign:
    """A complete draft: ideas days 0-10, voting days 2-20, results day 22 (from T0)."""
    values = {
        "is_published": False,
        "submission_opens_at": T0,
        "submission_closes_at": T0 + 10 * DAY,
        "voting_opens_at": T0 + 2 * DAY,
        "voting_closes_at": T0 + 20 * DAY,
        "results_at": T0 + 22 * DAY,
        **kwargs,
    }
    campaign = CampaignFactory(**values)
    CampaignTermsFactory(campaign=campaign, version=1)
    return campaign


def manager_of(campaign: Campaign, role: str = "manager"):
    return BrandMembershipFactory(brand=campaign.brand, role=role).user


def states(campaign: Campaign) -> list[tuple[str, str, str]]:
    return list(
        CampaignTransition.objects.filter(campaign=campaign)
        .order_by("occurred_at", "id")
        .values_list("from_state", "to_state", "cause")
    )


def advance_twice(at) -> tuple[int, int]:
    """Beat fires twice at the same moment: the second run moves nothing."""
    with time_machine.travel(at, tick=False):
        return lifecycle.campaigns_advance_due(), lifecycle.campaigns_advance_due()


def test_each_transition_happens_at_its_time_exactly_once_even_when_beat_fires_twice():
    campaign = draft()
    manager = manager_of(campaign)
    with time_machine.travel(T0 - HOUR, tick=False):
        lifecycle.campaign_launch(campaign=campaign, actor=manager)
    campaign.refresh_from_db()
    assert (campaign.state, campaign.is_published) == ("scheduled", True)

    timeline = [
        (T0 - timedelta(seconds=1), "scheduled", 0),
        (T0, "submission", 1),
        (T0 + 2 * DAY, "submission", 0),  # voting opens, ideas still open: "open for ideas"
        (T0 + 10 * DAY - timedelta(seconds=1), "submission", 0),
        (T0 + 10 * DAY, "voting", 1),
        (T0 + 20 * DAY, "review", 1),
        (T0 + 22 * DAY - timedelta(seconds=1), "review", 0),
        (T0 + 22 * DAY, "results", 1),
        (T0 + 400 * DAY, "results", 0),  # archiving is the brand's decision
    ]
    for moment, expected_state, moved in timeline:
        assert advance_twice(moment) == (moved, 0), moment
        campaign.refresh_from_db()
        assert campaign.state == expected_state, moment

    assert states(campaign) == [
        ("draft", "scheduled", "person"),
        ("scheduled", "submission", "schedule"),
        ("submission", "voting", "schedule"),
        ("voting", "review", "schedule"),
        ("review", "results", "schedule"),
    ]
    moments = dict(
        CampaignTransition.objects.filter(campaign=campaign).values_list("to_state", "occurred_at")
    )
    assert moments["submission"] == T0
    assert moments["results"] == T0 + 22 * DAY
    launch = CampaignTransition.objects.get(campaign=campaign, to_state="scheduled")
    assert launch.actor == manager


def test_a_late_beat_still_records_every_step_once():
    campaign = draft()
    with time_machine.travel(T0 - HOUR, tick=False):
        lifecycle.campaign_launch(campaign=campaign, actor=manager_of(campaign))

    assert advance_twice(T0 + 21 * DAY) == (1, 0)  # beat was down for three weeks

    campaign.refresh_from_db()
    assert campaign.state == "review"
    assert [to for _from, to, _cause in states(campaign)] == [
        "scheduled", "submission", "voting", "review",
    ]  # fmt: skip


def test_an_election_without_submissions_skips_the_idea_phase():
    campaign = draft(
        voting_method="single", submission_opens_at=None, submission_closes_at=None, results_at=None
    )
    for title in ("Vanilla", "Pistachio"):
        IdeaFactory(campaign=campaign, title=title, is_candidate=True)
    with time_machine.travel(T0 - HOUR, tick=False):
        lifecycle.campaign_launch(campaign=campaign, actor=manager_of(campaign))

    assert advance_twice(T0 + 2 * DAY) == (1, 0)
    campaign.refresh_from_db()
    assert campaign.state == "voting"
    assert advance_twice(T0 + 20 * DAY) == (1, 0)
    campaign.refresh_from_db()
    # No results date: the results are out when voting closes (no review step to wait).
    assert campaign.state == "results"
    assert [to for _from, to, _cause in states(campaign)] == [
        "scheduled", "voting", "review", "results",
    ]  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_two_workers_advancing_at_once_record_each_step_once():
    campaign = draft()
    with time_machine.travel(T0 - HOUR, tick=False):
        lifecycle.campaign_launch(campaign=campaign, actor=manager_of(campaign))
    barrier = threading.Barrier(4)
    errors = []

    def advance():
        try:
            barrier.wait()
            lifecycle.campaign_advance(campaign_id=campaign.pk, now=T0 + 11 * DAY)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=advance) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert [to for _from, to, _cause in states(campaign)] == ["scheduled", "submission", "voting"]


# -- launch ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"voting_closes_at": T0 + DAY}, "voting_closes_at",
         "The voting window ends before it starts."),
        ({"no_terms": True}, "terms",
         "Set the IP and confidentiality terms contributors must accept."),
        ({"voting_method": "support", "support_stages": [[100, 60], [1000, 0]]}, "support_stages",
         "Every supporter threshold needs a deadline (days to reach it)."),
        ({"brief": ""}, "brief", "Write the brief: what problem, what kind of ideas."),
        ({"results_at": T0 + 19 * DAY}, "results_at",
         "Results cannot be published before voting closes."),
        ({"voting_method": "budget", "budget_amount": None}, "budget_amount",
         "A budget campaign needs a budget."),
    ],
)  # fmt: skip
def test_a_launch_is_refused_with_the_reason_and_nothing_changes(change, field, message):
    change = dict(change)
    no_terms = change.pop("no_terms", False)
    if field in ("voting_closes_at", "results_at"):
        # The database refuses such a schedule outright; the builder checks before saving.
        campaign = draft()
        for name, value in change.items():
            setattr(campaign, name, value)
    else:
        campaign = draft(**change)
        if no_terms:
            campaign.terms.all().delete()
    problems = lifecycle.launch_problems(campaign)
    assert (field, message) in problems
    if field in ("voting_closes_at", "results_at"):
        return  # not savable: nothing to launch
    with pytest.raises(ApplicationError) as raised:
        lifecycle.campaign_launch(campaign=campaign, actor=manager_of(campaign))
    assert (raised.value.field, raised.value.message, raised.value.code) == (
        field,
        message,
        "incomplete",
    )
    campaign.refresh_from_db()
    assert (campaign.state, campaign.is_published) == ("draft", False)
    assert CampaignTransition.objects.count() == 0


@pytest.mark.parametrize("role", ["moderator", "analyst"])
def test_only_owners_and_managers_launch(role):
    campaign = draft()
    with pytest.raises(NotAllowed):
        lifecycle.campaign_launch(campaign=campaign, actor=manager_of(campaign, role))
    with pytest.raises(NotAllowed):
        lifecycle.campaign_launch(campaign=campaign, actor=UserFactory())
    campaign.refresh_from_db()
    assert campaign.state == "draft"


def test_a_launched_campaign_cannot_be_launched_again():
    campaign = draft()
    manager = manager_of(campaign, "owner")
    lifecycle.campaign_launch(campaign=campaign, actor=manager)
    with pytest.raises(Conflict) as raised:  # the stale object still says "draft"
        lifecycle.campaign_launch(campaign=campaign, actor=manager)
    assert raised.value.message == "This campaign has already been launched."
    assert CampaignTransition.objects.filter(campaign=campaign).count() == 1


# -- the brand changes the schedule -----------------------------------------------------------


def running(**kwargs) -> tuple[Campaign, object]:
    campaign = draft(**kwargs)
    manager = manager_of(campaign)
    with time_machine.travel(T0 - HOUR, tick=False):
        lifecycle.campaign_launch(campaign=campaign, actor=manager)
    campaign.refresh_from_db()
    return campaign, manager


def test_extending_voting_moves_the_close_and_tells_participants_the_reason(
    django_capture_on_commit_callbacks,
):
    campaign, manager = running()
    voter = UserFactory()
    idea = IdeaFactory(campaign=campaign)
    new_end = T0 + 25 * DAY
    with time_machine.travel(T0 + 12 * DAY, tick=False):
        lifecycle.campaigns_advance_due()
        vote_cast(voter=voter, idea=idea, value=1)
        with django_capture_on_commit_callbacks() as callbacks:
            change = lifecycle.campaign_reschedule(
                campaign=campaign, actor=manager, window="voting", new_end=new_end,
                reason="So many good ideas: one more week.",
            )  # fmt: skip
    assert len(callbacks) == 1  # the task that tells participants, after commit
    campaign.refresh_from_db()
    assert campaign.voting_closes_at == new_end
    assert campaign.results_at == new_end  # results never before the close
    assert (change.kind, change.old_end, change.new_end) == ("extended", T0 + 20 * DAY, new_end)

    told = lifecycle.schedule_change_effects(campaign_id=campaign.pk, change_id=change.pk)
    assert told == 2  # the voter and the idea's author
    notification = Notification.objects.get(recipient=voter)
    assert notification.message == (
        f"The schedule of “{campaign.title}” changed: So many good ideas: one more week."
    )
    assert advance_twice(T0 + 21 * DAY) == (0, 0)  # the old close passes: still voting
    assert advance_twice(new_end) == (1, 0)


def test_closing_voting_early_moves_to_review_at_once():
    campaign, manager = running()
    with time_machine.travel(T0 + 12 * DAY, tick=False):
        lifecycle.campaigns_advance_due()
        lifecycle.campaign_reschedule(
            campaign=campaign, actor=manager, window="voting", new_end=None,
            reason="The jury has what it needs.",
        )  # fmt: skip
    campaign.refresh_from_db()
    assert campaign.state == "review"
    assert campaign.voting_closes_at == T0 + 12 * DAY
    assert not campaign.is_voting_open(now=T0 + 12 * DAY)
    change = ScheduleChange.objects.get()
    assert (change.window, change.kind, change.reason) == (
        "voting", "closed_early", "The jury has what it needs.",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("at", "window", "new_end", "reason", "error"),
    [
        (T0 + 12 * DAY, "voting", T0 + 15 * DAY, "Sooner",
         "An extension must end after the current end."),
        (T0 + 12 * DAY, "voting", T0 + 25 * DAY, "  ",
         "Say why: participants will read the reason."),
        (T0 + 12 * DAY, "submission", None, "Late", "This window is already over."),
        (T0 - HOUR, "voting", None, "Early",
         "This window has not opened yet: change its dates instead."),
        (T0 + 12 * DAY, "nonsense", None, "Why", "Choose a window."),
    ],
)  # fmt: skip
def test_a_bad_schedule_change_is_refused_and_nothing_changes(at, window, new_end, reason, error):
    campaign, manager = running()
    before = Campaign.objects.values().get(pk=campaign.pk)
    with time_machine.travel(at, tick=False), pytest.raises((ApplicationError, Conflict)) as raised:
        lifecycle.campaigns_advance_due()
        lifecycle.campaign_reschedule(
            campaign=campaign, actor=manager, window=window, new_end=new_end, reason=reason
        )
    assert raised.value.message == error
    after = Campaign.objects.values().get(pk=campaign.pk)
    for name in ("submission_closes_at", "voting_opens_at", "voting_closes_at", "results_at"):
        assert after[name] == before[name]
    assert ScheduleChange.objects.count() == 0


def test_an_analyst_cannot_change_the_schedule():
    campaign, _manager = running()
    with pytest.raises(NotAllowed):
        lifecycle.campaign_reschedule(
            campaign=campaign, actor=manager_of(campaign, "analyst"), window="voting",
            new_end=T0 + 30 * DAY, reason="Because",
        )  # fmt: skip
    assert ScheduleChange.objects.count() == 0


def test_archiving_needs_published_results():
    campaign, manager = running()
    with pytest.raises(Conflict):
        lifecycle.campaign_archive(campaign=campaign, actor=manager)
    advance_twice(T0 + 23 * DAY)
    with time_machine.travel(T0 + 30 * DAY, tick=False):
        lifecycle.campaign_archive(campaign=campaign, actor=manager, reason="Done")
    campaign.refresh_from_db()
    assert campaign.state == "archived"
    assert campaign.phase() == Campaign.Phase.ARCHIVED
    assert states(campaign)[-1] == ("results", "archived", "person")


# -- who is told --------------------------------------------------------------------------------


def test_followers_are_told_when_ideas_open_and_everyone_when_voting_opens_and_results_are_out():
    campaign, _manager = running()
    follower = UserFactory()
    CampaignFollow.objects.create(campaign=campaign, user=follower)

    advance_twice(T0)
    assert lifecycle.transition_effects(campaign_id=campaign.pk, to_state="submission") == 1
    assert lifecycle.transition_effects(campaign_id=campaign.pk, to_state="submission") == 1
    assert list(Notification.objects.values_list("recipient_id", "kind")) == [
        (follower.pk, "campaign_opened")
    ]  # told once, though the effects ran twice

    with time_machine.travel(T0 + HOUR, tick=False):
        idea = IdeaFactory(campaign=campaign)
    advance_twice(T0 + 10 * DAY)
    lifecycle.transition_effects(campaign_id=campaign.pk, to_state="voting")
    voter = UserFactory()
    with time_machine.travel(T0 + 11 * DAY, tick=False):
        vote_cast(voter=voter, idea=idea, value=1)
    advance_twice(T0 + 22 * DAY)
    lifecycle.transition_effects(campaign_id=campaign.pk, to_state="results")

    by_kind = {}
    lifecycle_kinds = ["campaign_opened", "voting_opened", "results_published"]
    for recipient, kind in Notification.objects.filter(kind__in=lifecycle_kinds).values_list(
        "recipient_id", "kind"
    ):
        by_kind.setdefault(kind, set()).add(recipient)
    assert by_kind == {
        "campaign_opened": {follower.pk},
        "voting_opened": {follower.pk, idea.author_id},
        "results_published": {follower.pk, idea.author_id, voter.pk},
    }
    assert CampaignTransition.objects.filter(effects_done_at__isnull=True).count() == 2
    # Launch and review have no effects task run here; the retry picks up steps left
    # without effects after five minutes.


def test_the_24_hours_reminder_is_sent_once_per_close_date():
    campaign, manager = running()
    idea = IdeaFactory(campaign=campaign)
    voter = UserFactory()
    with time_machine.travel(T0 + 12 * DAY, tick=False):
        lifecycle.campaigns_advance_due()
        vote_cast(voter=voter, idea=idea, value=1)
    with time_machine.travel(T0 + 18 * DAY, tick=False):
        assert lifecycle.campaigns_remind_voting_ending() == 0  # two days left
    with time_machine.travel(T0 + 19 * DAY + HOUR, tick=False):
        assert lifecycle.campaigns_remind_voting_ending() == 1
        assert lifecycle.campaigns_remind_voting_ending() == 0
    assert Notification.objects.filter(kind="voting_ending").count() == 2  # voter + author
    with time_machine.travel(T0 + 19 * DAY + 2 * HOUR, tick=False):
        lifecycle.campaign_reschedule(
            campaign=campaign, actor=manager, window="voting", new_end=T0 + 30 * DAY,
            reason="Extended",
        )  # fmt: skip
    with time_machine.travel(T0 + 29 * DAY + HOUR, tick=False):
        assert lifecycle.campaigns_remind_voting_ending() == 1  # the new close gets its own
    assert Notification.objects.filter(kind="voting_ending", recipient=voter).count() == 2


def test_prizes_go_to_the_top_ideas_when_results_are_published():
    from campaigns.models import CampaignPrize
    from rewards.models import LedgerEntry

    campaign, _manager = running()
    with time_machine.travel(T0 + HOUR, tick=False):
        first, second = IdeaFactory(campaign=campaign), IdeaFactory(campaign=campaign)
    CampaignPrize.objects.create(campaign=campaign, rank=1, title="A trip to Lyon")
    CampaignPrize.objects.create(campaign=campaign, rank=5, title="Nobody ranks fifth")
    with time_machine.travel(T0 + 11 * DAY, tick=False):
        for _ in range(2):
            vote_cast(voter=UserFactory(), idea=first, value=1)
        vote_cast(voter=UserFactory(), idea=second, value=1)
    advance_twice(T0 + 22 * DAY)
    lifecycle.transition_effects(campaign_id=campaign.pk, to_state="results")
    lifecycle.transition_effects(campaign_id=campaign.pk, to_state="results")

    prize = CampaignPrize.objects.get(rank=1)
    assert prize.awarded_idea_id == first.pk
    assert CampaignPrize.objects.get(rank=5).awarded_idea_id is None
    assert list(LedgerEntry.objects.filter(reason="prize").values_list("user_id", "points")) == [
        (first.author_id, 100)
    ]
    won = Notification.objects.get(kind="prize_won")
    assert won.recipient_id == first.author_id
    assert won.message == f"Your idea “{first.title}” won a prize: A trip to Lyon."
