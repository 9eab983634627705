"""Prizes for the top ideas of a campaign, awarded from its final ranking."""

from django.db import transaction
from django.utils import timezone

from campaigns.models import Campaign, CampaignPrize


def prizes_award(*, campaign: Campaign) -> int:
    """Give each prize (rank N) to the idea ranked N in the final result, tell its author
    and credit the prize in the ledger. Idempotent: a prize already awarded is kept, and
    the notification and ledger entry are keyed by the prize."""
    from ideas.models import Idea
    from notifications.models import Notification
    from notifications.services import notification_create
    from rewards.models import LedgerEntry
    from rewards.services import points_award
    from voting.models import CampaignResult

    result = CampaignResult.objects.filter(campaign=campaign, is_final=True).first()
    if result is None:
        return 0
    awarded = 0
    ranking = list(result.ranking)
    for prize in CampaignPrize.objects.filter(campaign=campaign, awarded_idea__isnull=True):
        if prize.rank > len(ranking):
            continue
        idea = Idea.objects.filter(pk=ranking[prize.rank - 1]).select_related("campaign").first()
        if idea is None:
            continue
        with transaction.atomic():
            updated = CampaignPrize.objects.filter(pk=prize.pk, awarded_idea__isnull=True).update(
                awarded_idea=idea, awarded_at=timezone.now()
            )
            if not updated:
                continue
            points_award(
                user=idea.author, event_key=f"prize:{prize.pk}", reason=LedgerEntry.Reason.PRIZE,
                idea=idea,
            )  # fmt: skip
            notification_create(
                recipient=idea.author, kind=Notification.Kind.PRIZE_WON,
                event_key=f"prize:{prize.pk}", params={"title": idea.title, "prize": prize.title},
                url=idea.get_absolute_url(),
            )  # fmt: skip
        awarded += 1
    return awarded
