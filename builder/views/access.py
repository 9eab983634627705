"""Who may open the builder's pages, and where each step lives."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _

from campaigns import rules as campaign_rules
from campaigns.models import Campaign

STEP_TARGET = "builder-step"


def campaign_for_edit(request, slug: str) -> Campaign:
    campaign = get_object_or_404(Campaign.objects.select_related("brand"), slug=slug)
    if not campaign_rules.can_edit_campaign(request.user, campaign):
        if not campaign_rules.can_view_campaign(request.user, campaign):
            raise Http404
        raise PermissionDenied(_("Only the brand's owners and managers can edit this campaign."))
    return campaign


def step_url(campaign: Campaign, key: str) -> str:
    return reverse("builder:build_step", kwargs={"slug": campaign.slug, "step": key})


def is_step_swap(request) -> bool:
    return bool(request.htmx) and request.htmx.target == STEP_TARGET
