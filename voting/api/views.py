from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from campaigns.models import Campaign
from campaigns.rules import can_view_campaign
from core.ratelimit import rate_limit
from ideas.models import Idea
from ideas.rules import can_view_idea
from voting import ballots, pairwise, selectors, services
from voting.api.serializers import (
    BallotInputSerializer,
    BallotOutputSerializer,
    PairAnswerInputSerializer,
    PairSerializer,
    ResultOutputSerializer,
    VoteInputSerializer,
    VoteOutputSerializer,
)
from voting.results import audit_entries


class IdeaVoteView(APIView):
    """Your vote on an idea: PUT casts or changes it, DELETE withdraws it."""

    permission_classes = [IsAuthenticated]

    def get_idea(self, pk: int) -> Idea:
        # The tally comes in the same query: the response shows the workers' latest
        # recount, which a vote does not change (the worker recounts within a second).
        idea = Idea.objects.select_related("campaign", "tally").filter(pk=pk).first()
        if idea is None or not can_view_idea(self.request.user, idea):
            raise Http404
        return idea

    def respond(self, idea: Idea, value: int | None = None) -> Response:
        """`value` when the request just set it; else it is read."""
        if value is None:
            value = selectors.vote_value(voter=self.request.user, idea=idea)
        return Response(
            VoteOutputSerializer(
                {
                    "idea": idea.pk,
                    "value": value,
                    "tally": selectors.tally_for_idea(idea=idea)
                    if idea.campaign.are_counts_visible()
                    else None,
                }
            ).data
        )

    @extend_schema(responses=VoteOutputSerializer)
    def get(self, request, pk: int):
        return self.respond(self.get_idea(pk))

    @extend_schema(request=VoteInputSerializer, responses=VoteOutputSerializer)
    def put(self, request, pk: int):
        idea = self.get_idea(pk)
        serializer = VoteInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rate_limit(request, "vote")
        value = serializer.validated_data["value"]
        services.vote_cast(voter=request.user, idea=idea, value=value)
        return self.respond(idea, value)

    @extend_schema(request=None, responses=VoteOutputSerializer)
    def delete(self, request, pk: int):
        idea = self.get_idea(pk)
        rate_limit(request, "vote")
        services.vote_retract(voter=request.user, idea=idea)
        return self.respond(idea, 0)


def _campaign_or_404(request, slug: str):
    campaign = get_object_or_404(Campaign.objects.select_related("brand"), slug=slug)
    if not can_view_campaign(request.user, campaign):
        raise Http404
    return campaign


class CampaignBallotView(APIView):
    """Your ballot in a ballot campaign: PUT replaces it, DELETE empties it."""

    permission_classes = [IsAuthenticated]

    def respond(self, campaign) -> Response:
        choices, receipt = selectors.ballot_for_voter(voter=self.request.user, campaign=campaign)
        return Response(
            BallotOutputSerializer(
                {"campaign": campaign.slug, "choices": choices, "receipt": receipt}
            ).data
        )

    @extend_schema(responses=BallotOutputSerializer)
    def get(self, request, slug: str):
        return self.respond(_campaign_or_404(request, slug))

    @extend_schema(request=BallotInputSerializer, responses=BallotOutputSerializer)
    def put(self, request, slug: str):
        campaign = _campaign_or_404(request, slug)
        serializer = BallotInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rate_limit(request, "ballot")
        ballots.ballot_submit(
            voter=request.user, campaign=campaign, choices=serializer.validated_data["choices"]
        )
        return self.respond(campaign)

    @extend_schema(request=None, responses=BallotOutputSerializer)
    def delete(self, request, slug: str):
        campaign = _campaign_or_404(request, slug)
        rate_limit(request, "ballot")
        ballots.ballot_withdraw(voter=request.user, campaign=campaign)
        return self.respond(campaign)


def _idea_card(idea) -> dict:
    return {
        "id": idea.pk,
        "title": idea.title,
        "body_html": idea.body_html,
        "url": idea.get_absolute_url(),
    }


class CampaignPairView(APIView):
    """A pair of ideas to compare, with its one-time token."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=PairSerializer)
    def post(self, request, slug: str):
        campaign = _campaign_or_404(request, slug)
        prompt = pairwise.pairwise_issue(voter=request.user, campaign=campaign)
        return Response(
            PairSerializer(
                {
                    "token": prompt.token,
                    "left": _idea_card(prompt.left),
                    "right": _idea_card(prompt.right),
                }
            ).data
        )


class PairAnswerView(APIView):
    """Answer a pair: "left", "right" or "skip". Accepted once per token."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=PairAnswerInputSerializer, responses={204: None})
    def put(self, request, token: str):
        serializer = PairAnswerInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rate_limit(request, "pairwise_answer")
        pairwise.pairwise_answer(
            voter=request.user, token=token, outcome=serializer.validated_data["outcome"]
        )
        return Response(status=204)


class CampaignResultView(APIView):
    """The campaign's result by its method: live until the close, then final with the
    audit digest. Hidden (404) under a results embargo until voting closes."""

    permission_classes = [AllowAny]

    @extend_schema(responses=ResultOutputSerializer)
    def get(self, request, slug: str):
        campaign = _campaign_or_404(request, slug)
        result = selectors.result_for_campaign(campaign=campaign, viewer=request.user)
        if result is None:
            raise Http404
        return Response(
            ResultOutputSerializer(
                {
                    "campaign": campaign.slug,
                    "method": result.method,
                    "is_final": result.is_final,
                    "ranking": result.ranking,
                    "details": result.details,
                    "ballot_count": result.ballot_count,
                    "digest": result.digest,
                    "computed_at": result.computed_at,
                    "my_receipt": selectors.receipt_for_voter(
                        voter=request.user, campaign=campaign
                    ),
                }
            ).data
        )


class CampaignAuditView(APIView):
    """The published, anonymised list of counted votes of a closed campaign; its SHA-256
    over the canonical JSON is the result's digest."""

    permission_classes = [AllowAny]

    @extend_schema(responses={200: dict})
    def get(self, request, slug: str):
        campaign = _campaign_or_404(request, slug)
        result = selectors.result_for_campaign(campaign=campaign, viewer=request.user)
        if result is None or not result.is_final:
            raise Http404
        return Response({"digest": result.digest, "entries": audit_entries(campaign=campaign)})
