from django.db.models import Count, F, Q, QuerySet

from brands.models import Brand
from campaigns.models import Campaign
from ideas.models import Idea


def campaign_list_live() -> QuerySet[Campaign]:
    """Live campaigns with their brand and number of visible ideas: one query."""
    return (
        Campaign.objects.live()
        .select_related("brand")
        .annotate(idea_count=Count("ideas", filter=Q(ideas__status=Idea.Status.PUBLISHED)))
        .order_by("voting_closes_at", "id")
    )


def campaign_list_public() -> QuerySet[Campaign]:
    return (
        Campaign.objects.published()
        .select_related("brand")
        .annotate(idea_count=Count("ideas", filter=Q(ideas__status=Idea.Status.PUBLISHED)))
        .order_by("-voting_closes_at", "id")
    )


def campaign_progress(*, campaign: Campaign) -> dict[str, int]:
    """Ideas, votes and participants of a campaign: three counts whatever its size, kept
    for 30 s (on a million votes, counting distinct voters takes a noticeable moment)."""
    from django.core.cache import cache

    return cache.get_or_set(
        f"campaign-progress:{campaign.pk}", lambda: _campaign_progress(campaign), 30
    )


def campaign_progress_forget(*, campaign_id: int) -> None:
    """A new public idea shows in the figures at once (votes arrive through the workers'
    tallies and may wait for the 30 s)."""
    from django.core.cache import cache

    cache.delete(f"campaign-progress:{campaign_id}")


def _campaign_progress(campaign: Campaign) -> dict[str, int]:
    from django.db.models import Count

    from voting.models import Ballot, PairwisePrompt, Vote

    ideas = Idea.objects.visible().filter(campaign=campaign)
    votes = Vote.objects.filter(idea__campaign=campaign).exclude(value=0)
    if campaign.uses_ballots:
        ballots = (
            Ballot.objects.filter(campaign=campaign).annotate(n=Count("choices")).filter(n__gt=0)
        )
        vote_count = voters = ballots.count()
    elif campaign.voting_method == Campaign.VotingMethod.PAIRWISE:
        answered = PairwisePrompt.objects.filter(campaign=campaign, answered_at__isnull=False)
        vote_count = answered.count()
        voters = answered.values("voter_id").distinct().count()
    else:
        vote_count = votes.count()
        voters = votes.values("voter_id").distinct().count()
    return {"ideas": ideas.count(), "votes": vote_count, "participants": voters}


def brand_campaigns(*, brand: Brand, include_drafts: bool = False) -> QuerySet[Campaign]:
    """The brand's campaigns with their number of visible ideas: one query. Its team also
    sees its drafts (first)."""
    campaigns = Campaign.objects.filter(brand=brand)
    if not include_drafts:
        campaigns = campaigns.published()
    return campaigns.annotate(
        idea_count=Count("ideas", filter=Q(ideas__status=Idea.Status.PUBLISHED))
    ).order_by("is_published", F("voting_closes_at").desc(nulls_first=True), "id")


def brands_for_member(*, user) -> QuerySet[Brand]:
    if not user.is_authenticated:
        return Brand.objects.none()
    return Brand.objects.filter(memberships__user=user).order_by("name")


def campaign_list_all_annotated() -> QuerySet[Campaign]:
    return Campaign.objects.select_related("brand").annotate(
        idea_count=Count("ideas", filter=Q(ideas__status=Idea.Status.PUBLISHED))
    )


def campaign_history(*, campaign: Campaign) -> list[dict]:
    """The campaign's steps and schedule changes, oldest first: two queries."""
    from campaigns.models import CampaignTransition, ScheduleChange

    entries = [
        {"at": row.occurred_at, "kind": "transition", "row": row}
        for row in CampaignTransition.objects.filter(campaign=campaign).select_related("actor")
    ]
    entries += [
        {"at": row.created_at, "kind": "change", "row": row}
        for row in ScheduleChange.objects.filter(campaign=campaign).select_related("actor")
    ]
    return sorted(entries, key=lambda entry: entry["at"])


def campaign_notices(*, campaign: Campaign) -> list:
    """Schedule changes participants should read on the campaign page, newest first."""
    from campaigns.models import ScheduleChange

    return list(ScheduleChange.objects.filter(campaign=campaign).order_by("-created_at")[:5])


def is_following(*, campaign: Campaign, user) -> bool:
    from campaigns.models import CampaignFollow

    if not user.is_authenticated:
        return False
    return CampaignFollow.objects.filter(campaign=campaign, user=user).exists()


def campaign_top_ideas(*, campaign: Campaign, limit: int = 10) -> list[Idea]:
    """The ten best ideas in the campaign's tally order (one query); ballot campaigns
    follow their stored result's ranking (two queries)."""
    visible = campaign.ideas.filter(status=Idea.Status.PUBLISHED)
    if campaign.uses_ballots:
        from voting.models import CampaignResult

        ranking = (
            CampaignResult.objects.filter(campaign=campaign)
            .values_list("ranking", flat=True)
            .first()
        ) or []
        ranking = [pk for pk in ranking if isinstance(pk, int)][:limit]
        found = visible.select_related("tally").in_bulk(ranking)
        return [found[pk] for pk in ranking if pk in found]
    from voting.orders import ORDERS, order_names

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


def brands_of_member(*, user) -> list[Brand]:
    """The brands a user belongs to, for the header's link: one query."""
    if not user.is_authenticated:
        return []
    return list(Brand.objects.filter(memberships__user=user).order_by("name")[:5])
