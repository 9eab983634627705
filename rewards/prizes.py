"""Prizes for the top ideas of a campaign, awarded from its final ranking when its results
are published (voting emits "results.published")."""

from django.db import transaction

from campaigns.prizes import prize_mark_awarded, prizes_unawarded
from core.events import emit
from ideas.models import Idea
from rewards.models import LedgerEntry
from rewards.services import points_award_for_idea
from voting.models import CampaignResult


def prizes_award(*, campaign_id: int) -> int:
    """Give each prize (rank N) to the idea ranked N in the final result, credit it in the
    author's ledger and emit "prize.awarded" (notifications tells the author). Idempotent:
    a prize already awarded is kept, and the ledger entry and notification are keyed by
    the prize. Returns how many prizes this call gave."""
    result = CampaignResult.objects.filter(campaign_id=campaign_id, is_final=True).first()
    if result is None:
        return 0
    ranking = list(result.ranking)
    awarded = 0
    for prize in prizes_unawarded(campaign_id=campaign_id):
        if prize.rank > len(ranking):
            continue
        idea = Idea.objects.filter(pk=ranking[prize.rank - 1]).first()
        if idea is None:
            continue
        with transaction.atomic():
            if not prize_mark_awarded(prize=prize, idea_id=idea.pk):
                continue
            points_award_for_idea(
                user_id=idea.author_id, idea_id=idea.pk, campaign_id=campaign_id,
                event_key=f"prize:{prize.pk}", reason=LedgerEntry.Reason.PRIZE,
            )  # fmt: skip
            emit(
                "prize.awarded", prize_id=prize.pk, prize=prize.title, campaign_id=campaign_id,
                idea_id=idea.pk, author_id=idea.author_id, title=idea.title,
                url=idea.get_absolute_url(),
            )  # fmt: skip
        awarded += 1
    return awarded
