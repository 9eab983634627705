from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils.crypto import get_random_string
from django.utils.text import slugify
from django.utils.translation import gettext as _

from campaigns import rules as campaign_rules
from campaigns.models import Brand, Campaign
from core.errors import ApplicationError, NotAllowed
from core.markdown import render_markdown


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
) -> Campaign:
    """Create a campaign for `brand`. Only a verified member of the brand may do so."""
    if not campaign_rules.can_create_campaign_for_brand(created_by, brand):
        raise NotAllowed(_("Only verified members of %(brand)s can create its campaigns.")
                         % {"brand": brand.name})
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
    for _attempt in range(3):  # a concurrent campaign may take the slug; try a fresh one
        try:
            with transaction.atomic():
                return Campaign.objects.create(
                    brand=brand,
                    title=title.strip(),
                    slug=_unique_slug(title),
                    brief=brief,
                    brief_html=render_markdown(brief),
                    submission_opens_at=submission_opens_at,
                    submission_closes_at=submission_closes_at,
                    voting_opens_at=voting_opens_at,
                    voting_closes_at=voting_closes_at,
                    is_published=is_published,
                    created_by=created_by,
                )
        except IntegrityError:
            continue
    raise ApplicationError(_("Could not create the campaign, please try again."))
