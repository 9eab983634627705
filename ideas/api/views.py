import hashlib

from django.core.cache import cache
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticatedOrReadOnly
from rest_framework.response import Response

from campaigns.models import Campaign
from campaigns.rules import can_view_campaign
from core.pagination import CachedCountPagination
from core.ratelimit import rate_limit
from ideas import selectors, services
from ideas.api.serializers import IdeaInputSerializer, IdeaOutputSerializer
from voting import selectors as voting_selectors
from voting.orders import ORDERS

LIST_CACHE_SECONDS = 2


class CampaignIdeaListCreateView(generics.ListCreateAPIView):
    """Visible ideas of a campaign, best first; POST submits a new idea."""

    serializer_class = IdeaOutputSerializer
    permission_classes = [IsAuthenticatedOrReadOnly]
    pagination_class = CachedCountPagination

    def get_campaign(self) -> Campaign:
        if getattr(self, "campaign", None) is None:  # once per request
            campaign = get_object_or_404(
                Campaign.objects.select_related("brand"), slug=self.kwargs["slug"]
            )
            if not can_view_campaign(self.request.user, campaign):
                raise Http404
            self.campaign = campaign
        return self.campaign

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "order",
                str,
                enum=list(ORDERS),
                description="Fits the campaign's method, else its default order.",
            ),
            OpenApiParameter("seed", str, description='Stable shuffle for order "random".'),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def list(self, request, *args, **kwargs):
        """A page of the list holds nothing personal, and the tallies it shows change at
        most once a second (the workers' recount), so a rendered page is shared for
        LIST_CACHE_SECONDS: a popular campaign's first page costs one cache read."""
        campaign = self.get_campaign()  # the visibility check always runs
        if campaign.is_private:  # each viewer sees their own ideas: nothing to share
            return super().list(request, *args, **kwargs)
        key = (
            "ideas-page:"
            + hashlib.sha256(
                f"{campaign.pk}|{campaign.are_counts_visible()}|{request.get_host()}|"
                f"{sorted(request.query_params.items())}".encode()
            ).hexdigest()
        )
        data = cache.get(key)
        if data is None:
            data = super().list(request, *args, **kwargs).data
            cache.set(key, data, LIST_CACHE_SECONDS)
        return Response(data)

    def get_queryset(self):
        self.campaign = self.get_campaign()
        order = self.request.query_params.get("order")
        if order and order not in ORDERS:
            raise ValidationError(
                {
                    "order": [
                        _("Unknown order. Choose one of: %(orders)s.")
                        % {"orders": ", ".join(ORDERS)}
                    ]
                }
            )
        queryset, _order = voting_selectors.idea_list_ordered(
            campaign=self.campaign,
            order=order,
            seed=self.request.query_params.get("seed", "")[:64],
            viewer=self.request.user,
        )
        return queryset

    def get_serializer_context(self):
        context = super().get_serializer_context()
        campaign = getattr(self, "campaign", None)
        context["counts_visible"] = campaign is None or campaign.are_counts_visible()
        return context

    @extend_schema(request=IdeaInputSerializer, responses={201: IdeaOutputSerializer})
    def post(self, request, *args, **kwargs):
        campaign = self.get_campaign()
        serializer = IdeaInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rate_limit(request, "idea_submit")
        idea = services.idea_submit(
            author=request.user, campaign=campaign, **serializer.validated_data
        )
        idea = selectors.idea_get_visible(pk=idea.pk, viewer=request.user)
        return Response(
            IdeaOutputSerializer(
                idea, context={"counts_visible": campaign.are_counts_visible()}
            ).data,
            status=status.HTTP_201_CREATED,
        )


class IdeaDetailView(generics.RetrieveAPIView):
    """An idea with its tally. Hidden ideas are not found."""

    serializer_class = IdeaOutputSerializer
    permission_classes = [AllowAny]

    def get_object(self):
        idea = selectors.idea_get_visible(pk=self.kwargs["pk"], viewer=self.request.user)
        if idea is None:
            raise Http404
        self.counts_visible = idea.campaign.are_counts_visible()
        return idea

    def get_serializer_context(self):
        return {
            **super().get_serializer_context(),
            "counts_visible": getattr(self, "counts_visible", True),
        }
