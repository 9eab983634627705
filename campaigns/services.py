from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils.crypto import get_random_string
from django.utils.text import slugify
from django.utils.translation import gettext as _

from brands import rules as brand_rules
from brands.models import Brand
from campaigns import lifecycle
from campaigns import rules as campaign_rules
from campaigns.models import Campaign, CampaignFollow
from core.errors import ApplicationError, NotAllowed
from core.markdown import render_markdown
from core.text import check_cleaned_length, clean_single_line


def _unique_slug(title: str) -> str:
    base = slugify(title)[:160] or "campaign"
    if not Campaign.objects.filter(slug=base).exists():
        return base
    return f"{base}-{get_random_string(6).lower()}"


def campaign_create(
    *,
    created_by,
    brand: Brand,
    title: str,
    brief: str,
    submission_opens_at: datetime,
    submission_closes_at: datetime,
    voting_opens_at: datetime,
    voting_closes_at: datetime,
    is_published: bool = True,
    voting_method: str = Campaign.VotingMethod.UPDOWN,
    ranked_method: str = "",
    max_votes_per_voter: int | None = None,
    budget_amount: int | None = None,
    support_stages: list[list[int]] | None = None,
    results_embargo: bool = False,
) -> Campaign:
    """Create a campaign for `brand`. Only a verified member of the brand may do so."""
    if not brand_rules.can_create_campaign_for_brand(created_by, brand):
        raise NotAllowed(
            _("Only verified members of %(brand)s can create its campaigns.")
            % {"brand": brand.name}
        )
    title = clean_single_line(title)
    if not title:
        raise ApplicationError(_("Give the campaign a title."), field="title")
    check_cleaned_length(
        title, max_length=Campaign._meta.get_field("title").max_length, field="title"
    )
    if submission_closes_at <= submission_opens_at:
        raise ApplicationError(
            _("Submissions must close after they open."), field="submission_closes_at"
        )
    if voting_closes_at <= voting_opens_at:
        raise ApplicationError(_("Voting must close after it opens."), field="voting_closes_at")
    if voting_closes_at < submission_opens_at:
        raise ApplicationError(
            _("Voting cannot end before submissions open."), field="voting_closes_at"
        )
    if voting_method not in Campaign.VotingMethod.values:
        raise ApplicationError(_("Choose a voting method."), field="voting_method")
    if voting_method == Campaign.VotingMethod.BUDGET and not budget_amount:
        raise ApplicationError(_("A budget campaign needs a budget."), field="budget_amount")
    if voting_method == Campaign.VotingMethod.SUPPORT and not support_stages:
        raise ApplicationError(
            _("A supporter-threshold campaign needs stages."), field="support_stages"
        )
    for _attempt in range(3):  # a concurrent campaign may take the slug; try a fresh one
        try:
            with transaction.atomic():
                campaign = Campaign.objects.create(
                    brand=brand,
                    title=title,
                    slug=_unique_slug(title),
                    brief=brief,
                    brief_html=render_markdown(brief),
                    submission_opens_at=submission_opens_at,
                    submission_closes_at=submission_closes_at,
                    voting_opens_at=voting_opens_at,
                    voting_closes_at=voting_closes_at,
                    created_by=created_by,
                    voting_method=voting_method,
                    ranked_method=ranked_method or Campaign.RankedMethod.SCHULZE,
                    max_votes_per_voter=max_votes_per_voter,
                    budget_amount=budget_amount,
                    support_stages=support_stages or [],
                    results_embargo=results_embargo,
                )
        except IntegrityError:
            continue
        if is_published:
            # The one-step form and the demo data publish at once; the builder goes through
            # lifecycle.campaign_launch and its checks instead.
            campaign = lifecycle.campaign_publish(campaign=campaign, actor=created_by)
        return campaign
    raise ApplicationError(_("Could not create the campaign, please try again."))


def campaign_follow_set(*, campaign: Campaign, user, following: bool) -> bool:
    """Follow (to hear when it opens, when voting opens and ends, when results are out) or
    stop following. Idempotent; returns whether the user now follows."""
    if following:
        campaign_rules.can_follow_campaign.check(user, campaign)
        CampaignFollow.objects.get_or_create(campaign=campaign, user=user)
        return True
    CampaignFollow.objects.filter(campaign=campaign, user=user).delete()
    return False


def campaign_follows_end_for_account(*, user) -> int:
    """Stop every follow of `user` (their account is being erased). Returns how many."""
    ended, _counts = CampaignFollow.objects.filter(user=user).delete()
    return ended


def campaign_invitation_lists_forget(*, emails: set[str]) -> int:
    """Take `emails` (an erased account's addresses) out of every campaign's list of
    invited participants: the lines that are exactly one of them, ignoring case and
    spaces; `@domain` lines and other addresses stay. Locks each campaign changed; returns
    how many changed."""
    wanted = {email.strip().lower() for email in emails if email and email.strip()}
    if not wanted:
        return 0
    changed = 0
    with transaction.atomic():
        for email in sorted(wanted):
            candidates = (
                Campaign.objects.select_for_update()
                .filter(invited_participants__icontains=email)
                .order_by("pk")
            )
            for campaign in candidates:
                lines = campaign.invited_participants.splitlines()
                kept = [line for line in lines if line.strip().lower() not in wanted]
                if len(kept) == len(lines):
                    continue
                campaign.invited_participants = "\n".join(kept)
                campaign.save(update_fields=["invited_participants"])
                changed += 1
    return changed
