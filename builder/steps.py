"""The builder's steps, in order, and what it reads: which brands and drafts a user may
build, and each step's status (applies, complete) with the launch problems."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from brands import rules as brand_rules
from brands.models import Brand
from builder.editing import EDITABLE_STATES, State
from builder.presets import brand_enters_candidates
from campaigns import lifecycle
from campaigns.models import Campaign


def brands_for_builder(*, user) -> QuerySet[Brand]:
    """Brands the user may create campaigns for (owner or manager)."""
    if not user.is_authenticated:
        return Brand.objects.none()
    return Brand.objects.filter(
        memberships__user=user, memberships__role__in=brand_rules.RUNS_CAMPAIGNS
    ).order_by("name", "id")


def builder_drafts(*, user) -> QuerySet[Campaign]:
    """The drafts and scheduled campaigns of the brands the user runs: one query."""
    if not user.is_authenticated:
        return Campaign.objects.none()
    return (
        Campaign.objects.filter(
            state__in=EDITABLE_STATES,
            brand__memberships__user=user,
            brand__memberships__role__in=brand_rules.RUNS_CAMPAIGNS,
        )
        .select_related("brand")
        .order_by("-updated_at", "-id")
    )


@dataclass(frozen=True)
class Step:
    key: str
    label: str


STEPS = [
    Step("basics", gettext_lazy("Basics")),
    Step("brief", gettext_lazy("Brief")),
    Step("rules", gettext_lazy("Rules & eligibility")),
    Step("terms", gettext_lazy("Terms")),
    Step("schedule", gettext_lazy("Schedule")),
    Step("format", gettext_lazy("Format")),
    Step("candidates", gettext_lazy("Candidates")),
    Step("moderation", gettext_lazy("Moderation")),
    Step("rewards", gettext_lazy("Rewards")),
    Step("preview", gettext_lazy("Preview & launch")),
]


STEP_KEYS = [step.key for step in STEPS]


PROBLEM_STEPS = {
    "title": "basics",
    "brief": "brief",
    "invited_participants": "rules",
    "terms": "terms",
    "submission_opens_at": "schedule",
    "submission_closes_at": "schedule",
    "voting_opens_at": "schedule",
    "voting_closes_at": "schedule",
    "results_at": "schedule",
    "budget_amount": "format",
    "support_stages": "format",
    "candidates": "candidates",
}


def step_applies(campaign: Campaign | None, key: str) -> bool:
    """The candidates step exists only for elections whose candidates the brand enters."""
    if key == "candidates":
        return campaign is not None and brand_enters_candidates(campaign)
    return True


def problem_step(campaign: Campaign, field: str) -> str:
    step = PROBLEM_STEPS.get(field, "basics")
    if step == "candidates" and not step_applies(campaign, "candidates"):
        return "schedule"  # no submission window and not an election: fix the dates
    return step


@dataclass(frozen=True)
class StepStatus:
    key: str
    label: str
    number: int
    applies: bool
    is_complete: bool


def builder_status(campaign: Campaign | None) -> tuple[list[StepStatus], list[tuple]]:
    """Each step with whether it applies and is complete, and the launch problems as
    (step, field, message). Two or three queries (terms, candidates)."""
    if campaign is None:
        steps = [
            StepStatus(step.key, step.label, number, step_applies(None, step.key), False)
            for number, step in enumerate(STEPS, start=1)
        ]
        return steps, []
    problems = [
        (problem_step(campaign, field), field, message)
        for field, message in lifecycle.launch_problems(campaign)
    ]
    if campaign.state != State.DRAFT:
        problems = []  # launched: what launch would refuse no longer matters here
    troubled = {step for step, _field, _message in problems}
    complete = {
        "basics": bool(campaign.title.strip()),
        "brief": bool(campaign.brief.strip()),
        "rules": bool(campaign.rules.strip()),
        "terms": campaign.state != State.DRAFT or "terms" not in troubled,
        "schedule": campaign.voting_closes_at is not None,
        "format": True,
        "candidates": True,
        "moderation": True,
        "rewards": True,
        "preview": campaign.state != State.DRAFT,
    }
    steps = [
        StepStatus(
            step.key,
            step.label,
            number,
            step_applies(campaign, step.key),
            complete[step.key] and step.key not in troubled,
        )
        for number, step in enumerate(STEPS, start=1)
    ]
    return steps, problems


def next_step(campaign: Campaign, key: str) -> str:
    """The step after `key` that applies to this campaign."""
    index = STEP_KEYS.index(key)
    for following in STEP_KEYS[index + 1 :]:
        if step_applies(campaign, following):
            return following
    return STEP_KEYS[-1]
