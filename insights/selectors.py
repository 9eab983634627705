"""What the dashboard lists: the best ideas and those waiting for the brand's answer."""

from campaigns.models import Campaign
from ideas.models import Idea
from voting.formats import format_for
from voting.models import CampaignResult
from voting.orders import ORDERS, order_names


def campaign_top_ideas(*, campaign: Campaign, limit: int = 10) -> list[Idea]:
    """The ten best ideas in the campaign's tally order (one query); ballot campaigns
    follow their stored result's ranking (two queries)."""
    visible = campaign.ideas.filter(status=Idea.Status.PUBLISHED)
    if format_for(campaign).uses_ballots:
        ranking = (
            CampaignResult.objects.filter(campaign=campaign)
            .values_list("ranking", flat=True)
            .first()
        ) or []
        ranking = [pk for pk in ranking if isinstance(pk, int)][:limit]
        found = visible.select_related("tally").in_bulk(ranking)
        return [found[pk] for pk in ranking if pk in found]
    order = order_names(campaign.voting_method)[0]
    return list(
        visible.filter(tally__campaign=campaign)
        .select_related("tally")
        .order_by(*ORDERS[order][1])[:limit]
    )


def campaign_ideas_waiting_for_answer(*, campaign: Campaign, limit: int = 10) -> list[Idea]:
    """Published ideas without an answer, most supported first: the tally's index of up
    votes serves it, so the ten rows are found without sorting 100,000 ideas."""
    return list(
        campaign.ideas.filter(status=Idea.Status.PUBLISHED, answer="", is_candidate=False)
        .filter(tally__campaign=campaign)
        .select_related("tally")
        .order_by("-tally__upvotes", "-tally__idea_id")[:limit]
    )
