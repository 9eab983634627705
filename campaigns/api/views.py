from django.http import Http404
from rest_framework import generics
from rest_framework.permissions import AllowAny

from campaigns.api.serializers import CampaignOutputSerializer
from campaigns.rules import can_view_campaign
from ideas import selectors as idea_selectors


class CampaignListView(generics.ListAPIView):
    """Published campaigns, those closing soonest first."""

    serializer_class = CampaignOutputSerializer
    permission_classes = [AllowAny]

    def get_queryset(self):
        return idea_selectors.campaign_list_public().order_by("voting_closes_at", "id")


class CampaignDetailView(generics.RetrieveAPIView):
    serializer_class = CampaignOutputSerializer
    permission_classes = [AllowAny]
    lookup_field = "slug"

    def get_queryset(self):
        return idea_selectors.campaign_list_all_annotated()

    def get_object(self):
        campaign = super().get_object()
        if not can_view_campaign(self.request.user, campaign):
            raise Http404
        return campaign
