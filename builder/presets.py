"""The campaign formats a brand picks from in the builder's "format" step.

A preset only fills sensible defaults (voting method and its options, moderation, points,
prizes, and window lengths when the schedule is still empty); the brand edits them all
afterwards. Each preset mirrors one real-world case of docs (ARCHITECTURE.md, "The
campaign formats")."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign
from voting.formats import get_format

VotingMethod = Campaign.VotingMethod


@dataclass(frozen=True)
class Window:
    """Default windows, in days from the start: ideas [0, submission_days), votes
    [voting_starts_after_days, voting_starts_after_days + voting_days)."""

    submission_days: int | None  # None: the brand enters the candidates, no crowd ideas
    voting_starts_after_days: int
    voting_days: int
    results_after_days: int | None = None  # after voting closes; None: at once


@dataclass(frozen=True)
class Preset:
    key: str
    label: str
    description: str
    voting_method: str
    window: Window
    moderation: str = Campaign.Moderation.POST
    ranked_method: str = Campaign.RankedMethod.SCHULZE
    max_votes_per_voter: int | None = None
    # Empty: the format's own default (VotingFormat.preset_defaults).
    budget_amount: int | None = None
    support_stages: list[list[int]] = field(default_factory=list)
    results_embargo: bool = False
    points: dict[str, int] = field(default_factory=dict)
    # (rank, title) rows, created only when the campaign has no prizes yet.
    prizes: tuple[tuple[int, str], ...] = ()


PRESETS: dict[str, Preset] = {
    preset.key: preset
    for preset in [
        Preset(
            key="idea_challenge",
            label=_("Idea challenge"),
            description=_(
                "The crowd posts ideas and votes them up or down while ideas keep coming "
                "(My Starbucks Idea)."
            ),
            voting_method=VotingMethod.UPDOWN,
            window=Window(submission_days=28, voting_starts_after_days=0, voting_days=35),
            points={"idea_published": 10, "idea_first_vote": 5, "comment_posted": 1},
        ),
        Preset(
            key="supporter_threshold",
            label=_("Supporter threshold"),
            description=_(
                "Each idea must gather 100, then 1,000, 5,000 and 10,000 supporters, each "
                "stage within its deadline; the brand reviews those that reach the top "
                "(LEGO Ideas)."
            ),
            voting_method=VotingMethod.SUPPORT,
            window=Window(submission_days=90, voting_starts_after_days=0, voting_days=365),
            points={"idea_published": 10, "idea_first_vote": 5, "comment_posted": 1},
        ),
        Preset(
            key="election",
            label=_("Election"),
            description=_(
                "The brand enters the candidates and the crowd elects one: single choice, "
                "approval, or ranked ballots counted by Schulze or instant runoff."
            ),
            voting_method=VotingMethod.SINGLE,
            # A week to enter the candidates, then two weeks of voting.
            window=Window(submission_days=None, voting_starts_after_days=7, voting_days=14),
            points={"idea_published": 0, "idea_first_vote": 0, "comment_posted": 1},
        ),
        Preset(
            key="creative_contest",
            label=_("Creative contest"),
            description=_(
                "Entries with pictures, approved by a moderator before they appear, scored "
                "by a jury on your criteria and rated with stars by the public; prizes for "
                "the best (logo and design contests)."
            ),
            voting_method=VotingMethod.CONTEST,
            moderation=Campaign.Moderation.PRE,
            window=Window(
                submission_days=30,
                voting_starts_after_days=30,
                voting_days=14,
                results_after_days=7,
            ),
            results_embargo=True,
            points={"idea_published": 20, "idea_first_vote": 5, "comment_posted": 1},
            prizes=((1, _("First prize")), (2, _("Second prize")), (3, _("Third prize"))),
        ),
        Preset(
            key="pairwise",
            label=_("Pairwise survey"),
            description=_(
                "Voters answer “which of these two is better?”; anyone may add an idea "
                "while the survey runs (All Our Ideas)."
            ),
            voting_method=VotingMethod.PAIRWISE,
            window=Window(submission_days=21, voting_starts_after_days=0, voting_days=28),
            points={"idea_published": 10, "idea_first_vote": 5, "comment_posted": 1},
        ),
        Preset(
            key="budget",
            label=_("Participatory budget"),
            description=_(
                "Proposals come with a cost; each voter spends a budget across them and "
                "the most supported proposals are funded until the money runs out."
            ),
            voting_method=VotingMethod.BUDGET,
            window=Window(submission_days=28, voting_starts_after_days=28, voting_days=21),
            points={"idea_published": 10, "idea_first_vote": 5, "comment_posted": 1},
        ),
    ]
}


def preset_settings(preset: Preset) -> dict:
    """The voting settings a preset gives a campaign: its own, else its format's defaults
    (a budget, supporter stages)."""
    defaults = get_format(preset.voting_method).preset_defaults
    budget = preset.budget_amount
    stages = preset.support_stages or defaults.get("support_stages", [])
    return {
        "voting_method": preset.voting_method,
        "ranked_method": preset.ranked_method,
        "max_votes_per_voter": preset.max_votes_per_voter,
        "budget_amount": budget if budget is not None else defaults.get("budget_amount"),
        "support_stages": [list(stage) for stage in stages],
        "results_embargo": preset.results_embargo,
    }


def is_election(voting_method: str) -> bool:
    """Elections (VotingFormat.is_election) may take their candidates from the brand."""
    try:
        return get_format(voting_method).is_election
    except KeyError:
        return False


def brand_enters_candidates(campaign: Campaign) -> bool:
    """An election without a submission window: its candidates come from the brand (the
    builder's "candidates" step), not from the crowd."""
    return is_election(campaign.voting_method) and not campaign.accepts_ideas


def stages_as_text(stages) -> str:
    """[[100, 60], [1000, 365]] -> "100/60, 1000/365" (what the format step shows)."""
    parts = []
    for stage in stages or []:
        if isinstance(stage, (list, tuple)) and len(stage) == 2:
            parts.append(f"{stage[0]}/{stage[1]}")
        elif isinstance(stage, (list, tuple)) and len(stage) == 1:
            parts.append(str(stage[0]))
    return ", ".join(parts)
