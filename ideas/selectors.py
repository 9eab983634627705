from django.db.models import QuerySet

from campaigns.models import Campaign
from ideas.models import Idea


def idea_list_ranked(*, campaign: Campaign) -> QuerySet[Idea]:
    """Visible ideas of a campaign, best first (score, then confidence, then newest).
    One query whatever the length: author and tally come in the same join."""
    return (
        Idea.objects.visible()
        .filter(campaign=campaign)
        .select_related("author", "tally", "campaign")
        .order_by("-tally__score", "-tally__wilson_lower_bound", "-id")
    )


def idea_get_visible(*, pk: int) -> Idea | None:
    return (
        Idea.objects.visible()
        .select_related("author", "tally", "campaign", "campaign__brand")
        .filter(pk=pk)
        .first()
    )
