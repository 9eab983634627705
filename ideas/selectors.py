from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, F, Q, QuerySet

from brands.models import Brand
from campaigns.models import Campaign
from ideas.models import Idea
from ideas.rules import can_view_idea


def idea_get_visible(*, pk: int, viewer=None) -> Idea | None:
    """The idea if `viewer` may see it (public, or private/pending but theirs or their
    brand's), else None."""
    idea = (
        Idea.objects.select_related("author", "tally", "campaign", "campaign__brand")
        .filter(pk=pk)
        .first()
    )
    if idea is None or not can_view_idea(viewer or AnonymousUser(), idea):
        return None
    return idea


def idea_moderation_queue(*, campaign: Campaign) -> QuerySet[Idea]:
    """Ideas waiting for a moderator, oldest first (a partial index holds only them)."""
    return (
        Idea.objects.filter(campaign=campaign, status=Idea.Status.PENDING)
        .select_related("author")
        .order_by("created_at", "id")
    )


# -- campaigns with their number of visible ideas ----------------------------------------


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


def brand_campaigns(*, brand: Brand, include_drafts: bool = False) -> QuerySet[Campaign]:
    """The brand's campaigns with their number of visible ideas: one query. Its team also
    sees its drafts (first)."""
    campaigns = Campaign.objects.filter(brand=brand)
    if not include_drafts:
        campaigns = campaigns.published()
    return campaigns.annotate(
        idea_count=Count("ideas", filter=Q(ideas__status=Idea.Status.PUBLISHED))
    ).order_by("is_published", F("voting_closes_at").desc(nulls_first=True), "id")


def campaign_list_all_annotated() -> QuerySet[Campaign]:
    return Campaign.objects.select_related("brand").annotate(
        idea_count=Count("ideas", filter=Q(ideas__status=Idea.Status.PUBLISHED))
    )
