from django.db.models import QuerySet

from campaigns.models import Campaign
from ideas.models import Idea
from voting.orders import apply_order, order_name


def idea_list_ordered(
    *, campaign: Campaign, order: str | None = None, seed: str = ""
) -> tuple[QuerySet[Idea], str]:
    """Visible ideas of a campaign in the requested order if the campaign's method offers
    it (else its default), and the order used. One query whatever the length: author and
    tally come in the same join; every order but "random" reads an indexed tally column."""
    name = order_name(campaign.voting_method, order, counts_visible=campaign.are_counts_visible())
    # The campaign is filtered on the tally too, so that the tally's order indexes apply.
    # Through the campaign's related manager, each idea's `campaign` is this very object:
    # no campaign columns joined and loaded again on every row.
    queryset = (
        campaign.ideas.visible().filter(tally__campaign=campaign).select_related("author", "tally")
    )
    return apply_order(queryset, name, seed=seed), name


def idea_list_ranked(*, campaign: Campaign) -> QuerySet[Idea]:
    """Visible ideas of a campaign in its method's default order."""
    return idea_list_ordered(campaign=campaign)[0]


def idea_get_visible(*, pk: int) -> Idea | None:
    return (
        Idea.objects.visible()
        .select_related("author", "tally", "campaign", "campaign__brand")
        .filter(pk=pk)
        .first()
    )
