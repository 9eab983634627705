"""What voting does when the apps below it report something (core/events.py)."""

from __future__ import annotations

from campaigns.models import Campaign
from core.events import Event, emit, receiver_for
from ideas.models import Idea
from voting.formats import format_choices, format_for
from voting.list_cache import idea_list_changed
from voting.models import IdeaTally
from voting.results import results_finalize_campaign
from voting.support import first_deadline


@receiver_for("idea.created")
def tally_open(event: Event) -> None:
    """Every new idea (submitted or a brand's candidate) gets its empty tally row, in the
    same transaction: the ranked list of a campaign is then one indexed join."""
    campaign = Campaign.objects.only("voting_method", "support_stages").get(pk=event["campaign_id"])
    deadline = None
    if format_for(campaign).has_support_stages:
        created_at = Idea.objects.values_list("created_at", flat=True).get(pk=event["idea_id"])
        deadline = first_deadline(stages=campaign.support_stages, published_at=created_at)
    IdeaTally.objects.create(
        idea_id=event["idea_id"], campaign_id=campaign.pk, support_deadline=deadline
    )


@receiver_for("idea.published", "idea.hidden")
def idea_list_renew(event: Event) -> None:
    """An idea entered or left its campaign's list: the lists shared between visitors are
    rendered again (a hidden idea disappears at once, not at the end of their life)."""
    idea_list_changed(campaign_id=event["campaign_id"])


@receiver_for("campaign.results_published")
def results_publish(event: Event) -> None:
    """The campaign reached its results date: its final result is computed (once; usually
    already done when voting closed) and announced as "results.published", on which
    rewards gives the prizes."""
    campaign = Campaign.objects.get(pk=event["campaign_id"])
    result = results_finalize_campaign(campaign=campaign)
    emit("results.published", campaign_id=campaign.pk, result_id=result.pk)


@receiver_for("idea.cost_checked")
def idea_cost_clean(event: Event) -> int | None:
    """The cost a submitted idea keeps, by its campaign's format (ideas/services.py asks)."""
    return format_for(event["campaign"]).clean_idea_cost(
        campaign=event["campaign"], cost=event["cost"]
    )


@receiver_for("campaign.voting_methods")
def voting_methods(event: Event) -> list[tuple[str, str]]:
    """The choices of Campaign.voting_method: every registered format."""
    return format_choices()


@receiver_for("campaign.launch_problems")
def format_launch_problems(event: Event) -> list[tuple[str, str]]:
    """What the campaign's format needs before launch (campaigns/lifecycle.py asks)."""
    return format_for(event["campaign"]).launch_problems(campaign=event["campaign"])
