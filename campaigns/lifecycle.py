"""A campaign's lifecycle: launch, the steps its dates drive, and the brand's changes to
its schedule.

    draft → scheduled → submission (open for ideas) → voting → review → results → archived

`campaign_launch` takes a complete draft to "scheduled". From there `campaigns_advance_due`
(Celery beat, every 15 s) walks each campaign to the state its dates say, one step at a
time, under the campaign's row lock; each step is a CampaignTransition row whose unique
(campaign, to_state) makes it happen once, however often beat fires or however many
workers run it. After commit, a worker emits the step's event (`TRANSITION_EVENTS`,
docs/events.md): who is told, the results and the prizes are decided by the apps above.

Whether ideas or votes are accepted is decided by the dates to the second
(`Campaign.is_submission_open`, `is_voting_open`); the recorded state follows within the
beat interval and drives the notifications, the results publication and the history."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns import rules as campaign_rules
from campaigns import tasks  # tasks imports this module back: only names used at call time
from campaigns.models import Campaign, CampaignTransition, ScheduleChange
from core.errors import ApplicationError, Conflict
from core.events import ask, emit

State = Campaign.State
ORDER = [
    State.DRAFT,
    State.SCHEDULED,
    State.SUBMISSION,
    State.VOTING,
    State.REVIEW,
    State.RESULTS,
    State.ARCHIVED,
]
# States the schedule moves a campaign out of.
RUNNING = [State.SCHEDULED, State.SUBMISSION, State.VOTING, State.REVIEW]
VOTING_REMINDER_BEFORE = timedelta(hours=24)


# -- what the dates say --------------------------------------------------------------------


def state_starts(campaign: Campaign) -> dict[str, datetime]:
    """When each scheduled state begins. "Voting" begins when ideas close (or voting
    opens, whichever is later): while both are open the campaign is "open for ideas" (and
    its page says votes are open too)."""
    starts: dict[str, datetime] = {}
    if campaign.accepts_ideas:
        starts[State.SUBMISSION] = campaign.submission_opens_at
        starts[State.VOTING] = max(campaign.voting_opens_at, campaign.submission_closes_at)
    else:
        starts[State.VOTING] = campaign.voting_opens_at
    starts[State.REVIEW] = campaign.voting_closes_at
    starts[State.RESULTS] = campaign.publishes_results_at
    return starts


def due_state(campaign: Campaign, now: datetime | None = None) -> str:
    """The state a launched campaign should be in at `now`."""
    now = now or timezone.now()
    state = State.SCHEDULED
    for candidate, starts_at in state_starts(campaign).items():
        if starts_at <= now:
            state = candidate
    return state


def _index(state: str) -> int:
    return ORDER.index(state)


# -- checks before launch ------------------------------------------------------------------


def launch_problems(campaign: Campaign) -> list[tuple[str, str]]:
    """Everything that stops a draft from launching, as (field, message): the builder shows
    them on the preview, and `campaign_launch` refuses with the first."""
    problems: list[tuple[str, str]] = []
    now = timezone.now()
    if not campaign.title.strip():
        problems.append(("title", _("Give the campaign a title.")))
    if not campaign.brief.strip():
        problems.append(("brief", _("Write the brief: what problem, what kind of ideas.")))
    if not campaign.terms.exists():
        problems.append(
            ("terms", _("Set the IP and confidentiality terms contributors must accept."))
        )
    problems.extend(schedule_problems(campaign, now=now))
    # The format's own settings (a budget, supporter stages, a jury's criteria): voting
    # holds the formats and sits above campaigns, so it answers through core.events.
    for answer in ask("campaign.launch_problems", campaign=campaign):
        problems.extend(answer)
    if not campaign.accepts_ideas:
        candidates = campaign.ideas.filter(is_candidate=True).count()
        if candidates < 2:
            problems.append(
                (
                    "candidates",
                    _("An election without crowd submissions needs at least two candidates."),
                )
            )
    if campaign.is_invitation_only and not campaign.invited_participants.strip():
        problems.append(
            ("invited_participants", _("List who is invited to an invitation-only campaign."))
        )
    return problems


def schedule_problems(campaign: Campaign, *, now: datetime | None = None) -> list[tuple[str, str]]:
    """The schedule's own consistency, with a reason for each refusal."""
    problems: list[tuple[str, str]] = []
    if campaign.voting_opens_at is None or campaign.voting_closes_at is None:
        problems.append(("voting_opens_at", _("Set when voting opens and closes.")))
        return problems
    if campaign.voting_closes_at <= campaign.voting_opens_at:
        problems.append(("voting_closes_at", _("The voting window ends before it starts.")))
    if (campaign.submission_opens_at is None) != (campaign.submission_closes_at is None):
        problems.append(("submission_closes_at", _("Set both ends of the submission window.")))
    elif campaign.accepts_ideas:
        if campaign.submission_closes_at <= campaign.submission_opens_at:
            problems.append(
                ("submission_closes_at", _("The submission window ends before it starts."))
            )
        if campaign.voting_opens_at < campaign.submission_opens_at:
            problems.append(
                ("voting_opens_at", _("Voting cannot open before ideas can be submitted."))
            )
        if campaign.voting_closes_at < campaign.submission_closes_at:
            problems.append(
                ("voting_closes_at", _("Voting must not close before submissions close."))
            )
    if campaign.results_at is not None and campaign.results_at < campaign.voting_closes_at:
        problems.append(("results_at", _("Results cannot be published before voting closes.")))
    if now is not None and campaign.voting_closes_at <= now:
        problems.append(("voting_closes_at", _("The voting window is already over.")))
    return problems


# -- launch --------------------------------------------------------------------------------


def campaign_launch(*, campaign: Campaign, actor) -> Campaign:
    """Take a complete draft to "scheduled" (public, with its countdown), then to whatever
    state its dates already say. Refuses, with the reason, a draft that is incomplete."""
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().select_related("brand").get(pk=campaign.pk)
        campaign_rules.can_launch_campaign.check(actor, campaign)
        problems = launch_problems(campaign)
        if problems:
            field, message = problems[0]
            raise ApplicationError(message, field=field, code="incomplete")
        now = timezone.now()
        _transition(campaign, State.SCHEDULED, now=now, actor=actor)
    return campaign_advance(campaign_id=campaign.pk)


def campaign_publish(*, campaign: Campaign, actor) -> Campaign:
    """Publish a draft whose schedule is consistent, without the builder's completeness
    checks (terms, brief): for the one-step form, the API and the demo data."""
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if campaign.state != State.DRAFT:
            return campaign
        problems = schedule_problems(campaign)
        if problems:
            field, message = problems[0]
            raise ApplicationError(message, field=field, code="invalid_schedule")
        _transition(campaign, State.SCHEDULED, now=timezone.now(), actor=actor)
    return campaign_advance(campaign_id=campaign.pk)


# -- the schedule's steps ------------------------------------------------------------------


def _transition(campaign: Campaign, to_state: str, *, now, actor=None, reason="") -> bool:
    """Record one step and move the campaign (caller holds the row lock). False if the
    campaign had already been there (the constraint decides)."""
    _row, created = CampaignTransition.objects.get_or_create(
        campaign=campaign,
        to_state=to_state,
        defaults={
            "from_state": campaign.state,
            "cause": CampaignTransition.Cause.PERSON
            if actor
            else CampaignTransition.Cause.SCHEDULE,
            "actor": actor,
            "reason": reason,
            "occurred_at": now,
        },
    )
    campaign.state = to_state
    campaign.is_published = to_state != State.DRAFT
    Campaign.objects.filter(pk=campaign.pk).update(
        state=to_state, is_published=campaign.is_published, updated_at=now
    )
    if created:
        campaign_id = campaign.pk
        transaction.on_commit(lambda: _after_transition(campaign_id, to_state))
    return created


def campaign_advance(*, campaign_id: int, now: datetime | None = None) -> Campaign:
    """Walk one campaign forward to the state its dates say, each intermediate step
    recorded (a campaign whose beat was down for a day still passes through voting).
    Never moves backwards; safe to run twice or concurrently (row lock + constraint)."""
    now = now or timezone.now()
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
        if campaign.state not in RUNNING:
            return campaign
        target = due_state(campaign, now)
        starts = state_starts(campaign)
        for state in ORDER[_index(campaign.state) + 1 : _index(target) + 1]:
            if state in starts:  # an election without submissions skips that step
                _transition(campaign, state, now=now)
    return campaign


def campaigns_advance_due(*, now: datetime | None = None) -> int:
    """Beat's entry point: advance every running campaign whose next step is due. Returns
    how many moved. The scan reads only running campaigns' dates."""
    now = now or timezone.now()
    moved = 0
    for campaign in Campaign.objects.filter(state__in=RUNNING).only(
        "pk", "state", "submission_opens_at", "submission_closes_at", "voting_opens_at",
        "voting_closes_at", "results_at",
    ):  # fmt: skip
        if _index(due_state(campaign, now)) > _index(campaign.state):
            campaign_advance(campaign_id=campaign.pk, now=now)
            moved += 1
    return moved


def campaign_archive(*, campaign: Campaign, actor, reason: str = "") -> Campaign:
    """Archive a campaign whose results are out: it stays readable, nothing changes."""
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().select_related("brand").get(pk=campaign.pk)
        campaign_rules.can_archive_campaign.check(actor, campaign)
        if campaign.state == State.ARCHIVED:
            return campaign
        if campaign.state != State.RESULTS:
            raise Conflict(
                _("Only a campaign whose results are published can be archived."),
                code="not_finished",
            )
        _transition(campaign, State.ARCHIVED, now=timezone.now(), actor=actor, reason=reason)
    return campaign


# -- the brand changes the schedule --------------------------------------------------------

WINDOW_FIELDS = {
    ScheduleChange.Window.SUBMISSION: ("submission_opens_at", "submission_closes_at"),
    ScheduleChange.Window.VOTING: ("voting_opens_at", "voting_closes_at"),
    ScheduleChange.Window.REVIEW: ("voting_closes_at", "results_at"),
}


def campaign_reschedule(
    *, campaign: Campaign, actor, window: str, new_end: datetime | None, reason: str
) -> ScheduleChange:
    """Extend a window (`new_end` later than its end) or close it early (`new_end` None:
    now). The reason is shown on the campaign page and sent to participants. Later windows
    move with an extension only as far as they must (voting never closes before ideas do;
    results never come before voting closes)."""
    now = timezone.now()
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().select_related("brand").get(pk=campaign.pk)
        campaign_rules.can_run_campaign.check(actor, campaign)
        reason = (reason or "").strip()
        if not reason:
            raise ApplicationError(
                _("Say why: participants will read the reason."), field="reason", code="required"
            )
        if window not in WINDOW_FIELDS:
            raise ApplicationError(_("Choose a window."), field="window")
        start_field, end_field = WINDOW_FIELDS[window]
        start, end = getattr(campaign, start_field), getattr(campaign, end_field)
        if window == ScheduleChange.Window.REVIEW:
            end = campaign.publishes_results_at
        if start is None or end is None:
            raise Conflict(_("This campaign has no such window."), code="no_window")
        if now >= end:
            raise Conflict(_("This window is already over."), code="window_over")
        if new_end is None:  # close early
            kind = ScheduleChange.Kind.CLOSED_EARLY
            new_end = max(now, start)
            if now < start:
                raise Conflict(
                    _("This window has not opened yet: change its dates instead."),
                    code="window_not_open",
                )
        else:
            kind = ScheduleChange.Kind.EXTENDED
            if new_end <= end:
                raise ApplicationError(
                    _("An extension must end after the current end."), field="new_end"
                )
        change = ScheduleChange.objects.create(
            campaign=campaign, window=window, kind=kind, old_end=end, new_end=new_end,
            reason=reason, actor=actor,
        )  # fmt: skip
        _apply_window_end(campaign, window, new_end, kind)
        problems = schedule_problems(campaign)
        if problems:
            raise ApplicationError(problems[0][1], field="new_end")
        campaign.save(
            update_fields=[
                "submission_closes_at", "voting_opens_at", "voting_closes_at", "results_at",
                "updated_at",
            ]
        )  # fmt: skip
        campaign_id, change_id = campaign.pk, change.pk
        transaction.on_commit(lambda: _schedule_changed(campaign_id, change_id))
    campaign_advance(campaign_id=campaign.pk)  # a window closed now moves on at once
    return change


def _apply_window_end(campaign: Campaign, window: str, new_end: datetime, kind: str) -> None:
    if window == ScheduleChange.Window.SUBMISSION:
        campaign.submission_closes_at = new_end
        if kind == ScheduleChange.Kind.EXTENDED and campaign.voting_closes_at < new_end:
            campaign.voting_closes_at = new_end
        if kind == ScheduleChange.Kind.CLOSED_EARLY and campaign.voting_opens_at > new_end:
            # Ideas closed early: voting need not wait for the old date.
            campaign.voting_opens_at = new_end
    elif window == ScheduleChange.Window.VOTING:
        campaign.voting_closes_at = new_end
        if campaign.submission_closes_at and campaign.submission_closes_at > new_end:
            campaign.submission_closes_at = new_end  # no idea after the vote is over
    else:
        campaign.results_at = new_end
    if campaign.results_at is not None and campaign.results_at < campaign.voting_closes_at:
        campaign.results_at = campaign.voting_closes_at


# -- what each step sets off --------------------------------------------------------------

# The event each recorded step emits (docs/events.md); receivers in the apps above decide
# who is told and what else happens (voting publishes the final result, rewards gives the
# prizes, notifications tells the participants).
TRANSITION_EVENTS = {
    State.SCHEDULED: "campaign.launched",
    State.SUBMISSION: "campaign.submission_opened",
    State.VOTING: "campaign.voting_opened",
    State.REVIEW: "campaign.voting_closed",
    State.RESULTS: "campaign.results_published",
    State.ARCHIVED: "campaign.archived",
}
EFFECTS_RETRY_AFTER = timedelta(minutes=5)


def _campaign_payload(campaign: Campaign) -> dict:
    return {
        "campaign_id": campaign.pk,
        "slug": campaign.slug,
        "title": campaign.title,
        "url": campaign.get_absolute_url(),
    }


def _after_transition(campaign_id: int, to_state: str) -> None:
    """After commit: hand the step's consequences to a worker (a big campaign has a
    million people to tell)."""
    tasks.campaign_transition_effects.delay(campaign_id, to_state)


def transition_effects(*, campaign_id: int, to_state: str) -> int:
    """Emit the step's event (its receivers tell the people concerned; at "results" they
    publish the final result and award the prizes), then mark the step done. Returns how
    many people were told. Idempotent: every receiver's write has a key per event, so a
    worker killed half way and the retry tell each person once."""
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None:
        return 0
    told = 0
    if to_state in TRANSITION_EVENTS:
        told = emit(TRANSITION_EVENTS[to_state], **_campaign_payload(campaign)).total()
    CampaignTransition.objects.filter(campaign=campaign, to_state=to_state).update(
        effects_done_at=timezone.now()
    )
    return told


def transitions_retry_effects(*, now: datetime | None = None) -> int:
    """Steps recorded more than a few minutes ago whose consequences are not done (the
    worker died, the broker lost the task) are handed to a worker again."""
    now = now or timezone.now()
    stale = CampaignTransition.objects.filter(
        effects_done_at__isnull=True, occurred_at__lte=now - EFFECTS_RETRY_AFTER
    ).values_list("campaign_id", "to_state")[:100]
    for campaign_id, to_state in stale:
        tasks.campaign_transition_effects.delay(campaign_id, to_state)
    return len(stale)


def _schedule_changed(campaign_id: int, change_id: int) -> None:
    tasks.campaign_schedule_changed.delay(campaign_id, change_id)


def schedule_change_effects(*, campaign_id: int, change_id: int) -> int:
    """Emit "campaign.schedule_changed" (participants read the reason); returns how many
    people were told."""
    change = ScheduleChange.objects.select_related("campaign").filter(pk=change_id).first()
    if change is None:
        return 0
    return emit(
        "campaign.schedule_changed", **_campaign_payload(change.campaign),
        change_id=change.pk, reason=change.reason,
    ).total()  # fmt: skip


def campaigns_remind_voting_ending(*, now: datetime | None = None) -> int:
    """ "24 hours left to vote": "campaign.voting_ending" once per campaign and close date
    (an extended window gets a new reminder). Its receivers key what they write by the
    close date, so a worker that dies half way, or two at once, still tell each person
    once; the mark written after them only spares the next scans."""
    now = now or timezone.now()
    due = Campaign.objects.filter(
        is_published=True,
        state__in=[State.SUBMISSION, State.VOTING],
        voting_opens_at__lte=now,
        voting_closes_at__gt=now,
        voting_closes_at__lte=now + VOTING_REMINDER_BEFORE,
    ).filter(
        Q(voting_reminder_sent_for__isnull=True)
        | ~Q(voting_reminder_sent_for=F("voting_closes_at"))
    )
    sent = 0
    for campaign in due:
        emit(
            "campaign.voting_ending", **_campaign_payload(campaign),
            closes_at=campaign.voting_closes_at.timestamp(),
        )  # fmt: skip
        Campaign.objects.filter(pk=campaign.pk).update(
            voting_reminder_sent_for=campaign.voting_closes_at
        )
        sent += 1
    return sent
