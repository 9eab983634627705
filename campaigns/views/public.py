import secrets

from django.conf import settings
from django.core.cache import cache
from django.http import Http404
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_safe

from brands import rules as brand_rules
from brands.models import Brand
from campaigns import rules as campaign_rules
from campaigns import selectors
from campaigns.models import Campaign
from campaigns.views.idea_list import (
    CSRF_PLACEHOLDER,
    ballot_idea_list,
    idea_list_for_visitor,
    shared_key,
)
from core.markdown import render_markdown
from ideas import selectors as idea_selectors
from ideas.rules import can_submit_idea
from insights.visits import visit_record
from voting import selectors as voting_selectors
from voting.formats import format_for
from voting.impressions import impressions_record
from voting.rules import VOTES_PUBLIC, offers_comparisons
from voting.selectors import ballot_for_voter, idea_list_ordered, result_for_campaign


@require_safe
def home(request):
    return render(
        request, "campaigns/home.html", {"campaigns": idea_selectors.campaign_list_live()}
    )


@require_safe
def brand_detail(request, slug: str):
    brand = get_object_or_404(Brand, slug=slug)
    is_member = brand_rules.is_brand_member(request.user, brand)
    return render(
        request,
        "campaigns/brand.html",
        {
            "brand": brand,
            "description_html": render_markdown(brand.description),
            "campaigns": idea_selectors.brand_campaigns(brand=brand, include_drafts=is_member),
            "is_member": is_member,
            "can_edit_brand": brand_rules.can_edit_brand(request.user, brand),
        },
    )


def _visible_campaign(request, slug: str) -> Campaign:
    campaign = get_object_or_404(Campaign.objects.select_related("brand"), slug=slug)
    if not campaign_rules.can_view_campaign(request.user, campaign):
        raise Http404
    return campaign


@require_safe
def campaign_detail(request, slug: str):
    campaign = _visible_campaign(request, slug)
    visit_record(request=request, campaign=campaign)
    if request.GET.get("order") == "random" and not request.session.get("shuffle_seed"):
        # A per-visitor seed keeps the "random" order stable while they page through;
        # only visitors who ask for it get a session for it.
        request.session["shuffle_seed"] = secrets.token_hex(8)
    seed = str(request.session.get("shuffle_seed", ""))
    voting_format = format_for(campaign)
    shows_ballot = voting_format.uses_ballots and VOTES_PUBLIC(request.user, campaign)
    ideas = []  # the ballot's candidates
    if voting_format.uses_ballots:  # a ballot lists every candidate
        queryset, order = idea_list_ordered(
            campaign=campaign, order=request.GET.get("order"), seed=seed, viewer=request.user
        )
        ideas = list(queryset)
        idea_list = None
        if not shows_ballot:
            idea_list = ballot_idea_list(request, campaign=campaign, ideas=ideas, order=order)
        shown_ids = [idea.pk for idea in ideas]
    else:
        idea_list = idea_list_for_visitor(
            request, campaign=campaign, voting_format=voting_format, seed=seed,
            is_team=campaign_rules.can_see_private_ideas(request.user, campaign),
        )  # fmt: skip
        shown_ids = idea_list.idea_ids
    impressions_record(idea_ids=shown_ids)
    choices, receipt = ballot_for_voter(voter=request.user, campaign=campaign)
    draft = (
        request.session.pop(f"ballot_draft:{campaign.pk}", None)
        if voting_format.uses_ballots
        else None
    )
    if draft is not None:
        choices = [pk for pk in draft if isinstance(pk, int)]
    context = {
        "campaign": campaign,
        "format": voting_format,
        "ideas": ideas,
        "idea_list": idea_list,
        "my_choices": choices,
        "my_ranks": {pk: index + 1 for index, pk in enumerate(choices)},
        "my_receipt": receipt,
        # A ballot campaign shows its ballot (with the voter's choices) unless private.
        "shows_ballot": shows_ballot,
    }
    if request.user.is_authenticated or not campaign.is_published:
        context.update(_header_context(request, campaign))
    else:
        context["campaign_header"] = _shared_header(request, campaign)
    return render(request, "campaigns/detail.html", context)


def _header_context(request, campaign: Campaign) -> dict:
    """What templates/campaigns/_campaign_header.html shows and the visitor may do."""
    return {
        "can_submit": can_submit_idea(request.user, campaign),
        "has_result": result_for_campaign(campaign=campaign, viewer=request.user) is not None,
        "progress": voting_selectors.campaign_progress(campaign=campaign),
        "next_deadline": campaign.next_deadline(),
        "notices": selectors.campaign_notices(campaign=campaign),
        "following": selectors.is_following(campaign=campaign, user=request.user),
        "can_follow": campaign_rules.can_follow_campaign(request.user, campaign),
        "can_edit": campaign_rules.can_edit_campaign(request.user, campaign),
        "can_view_dashboard": campaign_rules.can_view_dashboard(request.user, campaign),
        "can_export": campaign_rules.can_export_campaign(request.user, campaign),
        "prizes": list(campaign.prizes.all()),
        "eligibility_refusal": _eligibility_refusal(request.user, campaign),
        "can_compare": offers_comparisons(request.user, campaign),
    }


def _shared_header(request, campaign: Campaign) -> SafeString:
    """The header as every visitor not signed in sees it, rendered once a tally interval
    (its progress, countdown and notices are no staler than the idea list below it)."""
    key = "campaign-header:" + shared_key(campaign, "header")
    header = cache.get(key)
    if header is None:
        context = {
            "campaign": campaign,
            "csrf_token": CSRF_PLACEHOLDER,
            **_header_context(request, campaign),
        }
        header = render_to_string("campaigns/_campaign_header.html", context, request=request)
        cache.set(key, header, max(1.0, settings.FOULE_TALLY_INTERVAL))
    # Rendered as anyone not signed in; a form it may hold gets this visitor's token.
    return mark_safe(header.replace(CSRF_PLACEHOLDER, get_token(request)))  # noqa: S308


def _eligibility_refusal(user, campaign: Campaign) -> str:
    """Why a signed-in, verified visitor may not take part, said before they try."""
    if not user.is_authenticated:
        return ""
    return campaign_rules.ELIGIBLE.why_not(user, campaign)
