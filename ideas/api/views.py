from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.permissions import AllowAny, IsAuthenticatedOrReadOnly
from rest_framework.response import Response

from campaigns.models import Campaign
from campaigns.rules import can_view_campaign
from ideas import selectors, services
from ideas.api.serializers import IdeaInputSerializer, IdeaOutputSerializer


class CampaignIdeaListCreateView(generics.ListCreateAPIView):
    """Visible ideas of a campaign, best first; POST submits a new idea."""

    serializer_class = IdeaOutputSerializer
    permission_classes = [IsAuthenticatedOrReadOnly]

    def get_campaign(self) -> Campaign:
        campaign = get_object_or_404(Campaign.objects.select_related("brand"),
                                     slug=self.kwargs["slug"])
        if not can_view_campaign(self.request.user, campaign):
            raise Http404
        return campaign

    def get_queryset(self):
        return selectors.idea_list_ranked(campaign=self.get_campaign())

    @extend_schema(request=IdeaInputSerializer, responses={201: IdeaOutputSerializer})
    def post(self, request, *args, **kwargs):
        campaign = self.get_campaign()
        serializer = IdeaInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        idea = services.idea_submit(author=request.user, campaign=campaign,
                                    **serializer.validated_data)
        idea = selectors.idea_get_visible(pk=idea.pk)
        return Response(IdeaOutputSerializer(idea).data, status=status.HTTP_201_CREATED)


class IdeaDetailView(generics.RetrieveAPIView):
    """An idea with its tally. Hidden ideas are not found."""

    serializer_class = IdeaOutputSerializer
    permission_classes = [AllowAny]

    def get_object(self):
        idea = selectors.idea_get_visible(pk=self.kwargs["pk"])
        if idea is None:
            raise Http404
        return idea
