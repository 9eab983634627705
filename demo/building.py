"""Demo campaigns built the way a brand builds them: the builder's steps (draft, brief,
terms, format, schedule, rewards), then launched through the lifecycle."""

from datetime import datetime

from builder.format_step import campaign_format_update
from builder.services import (
    POINT_REASONS,
    PrizeRow,
    campaign_brief_update,
    campaign_rewards_update,
    campaign_schedule_update,
    campaign_terms_update,
    draft_create,
)
from campaigns.lifecycle import campaign_launch
from campaigns.models import Campaign
from demo.data import CONFIDENTIALITY, IP_TERMS
from jury.services import criteria_suggest, juror_add_member

Window = tuple[datetime, datetime]


def campaign_build(
    *,
    manager,
    brand,
    title: str,
    brief: str,
    submission: Window,
    voting: Window,
    options: dict | None = None,
    prizes: list[tuple[int, str]] | None = None,
    launch: bool = True,
) -> Campaign:
    """A campaign through every builder step, launched unless `launch` is false.
    `options` are the format step's: voting_method, budget_amount, support_stages."""
    options = options or {}
    campaign = draft_create(actor=manager, brand=brand, title=title)
    campaign = campaign_brief_update(campaign=campaign, actor=manager, brief=brief)
    campaign, _terms, _created = campaign_terms_update(
        campaign=campaign, actor=manager, ip_terms=IP_TERMS, confidentiality=CONFIDENTIALITY,
        is_private=False,
    )  # fmt: skip
    campaign = campaign_format_update(
        campaign=campaign,
        actor=manager,
        voting_method=options.get("voting_method", Campaign.VotingMethod.UPDOWN),
        ranked_method=Campaign.RankedMethod.SCHULZE,
        max_votes_per_voter=None,
        budget_amount=options.get("budget_amount"),
        support_stages=options.get("support_stages", []),
        results_embargo=False,
        candidates_from_brand=False,
    )
    campaign = campaign_schedule_update(
        campaign=campaign, actor=manager,
        submission_opens_at=submission[0], submission_closes_at=submission[1],
        voting_opens_at=voting[0], voting_closes_at=voting[1],
    )  # fmt: skip
    if prizes:
        campaign = campaign_rewards_update(
            campaign=campaign,
            actor=manager,
            points={reason: campaign.points_for(reason) for reason in POINT_REASONS},
            prizes=[PrizeRow(rank=rank, title=title) for rank, title in prizes],
        )
    if options.get("jury"):
        # A contest's jury: the suggested criteria, and the manager on it.
        criteria_suggest(campaign=campaign, actor=manager)
        juror_add_member(campaign=campaign, user=manager, actor=manager)
    if launch:
        campaign = campaign_launch(campaign=campaign, actor=manager)
    return campaign
