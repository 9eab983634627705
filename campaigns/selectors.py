from django.db.models import Count, Q, QuerySet

from campaigns.models import Brand, Campaign
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


def brands_for_member(*, user) -> QuerySet[Brand]:
    if not user.is_authenticated:
        return Brand.objects.none()
    return Brand.objects.filter(memberships__user=user).order_by("name")


def campaign_list_all_annotated() -> QuerySet[Campaign]:
    return Campaign.objects.select_related("brand").annotate(
        idea_count=Count("ideas", filter=Q(ideas__status=Idea.Status.PUBLISHED))
    )
