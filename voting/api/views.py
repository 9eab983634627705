from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import ValidationError
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
    vote_answer,
)


class IdeaVoteView(APIView):
    """Your vote on an idea: PUT casts or changes it, DELETE withdraws it. Served below
    Django's request stack for a personal token (voting/api/fast_path.py): the same
    service, rate limits and answers."""

    permission_classes = [IsAuthenticated]

    def get_idea(self, pk: int) -> Idea:
        # The tally comes in the same query: the response shows the workers' latest
        # recount, which a vote does not change (the worker recounts within a second).
        idea = Idea.objects.select_related("campaign", "tally").filter(pk=pk).first()
        if idea is None or not can_view_idea(self.request.user, idea):
            raise Http404
        return idea

    @extend_schema(responses=VoteOutputSerializer)
    def get(self, request, pk: int):
        idea = self.get_idea(pk)
        tally = selectors.tally_for_idea(idea=idea)
        return Response(
            VoteOutputSerializer(
                {
                    "idea": idea.pk,
                    "value": selectors.vote_value(voter=request.user, idea=idea),
                    "tally": tally if idea.campaign.are_counts_visible() else None,
                }
            ).data
        )

    def vote(self, request, pk: int, value: int) -> Response:
        """One statement checks and writes (voting.services.vote_set); the answer is what
        it returned, the idea is never loaded unless the vote is refused."""
        try:
            answer = services.vote_set(voter_id=request.user.pk, idea_id=pk, value=value)
        except services.IdeaNotFound:
            raise Http404 from None
        return Response(vote_answer(answer))

    @extend_schema(request=VoteInputSerializer, responses=VoteOutputSerializer)
    def put(self, request, pk: int):
        serializer = VoteInputSerializer(data=request.data)
        if not serializer.is_valid():
            self.get_idea(pk)  # an idea the voter may not see is a 404 before a bad value
            raise ValidationError(serializer.errors)
        rate_limit(request, "vote")
        return self.vote(request, pk, serializer.validated_data["value"])

    @extend_schema(request=None, responses=VoteOutputSerializer)
    def delete(self, request, pk: int):
        rate_limit(request, "vote")
        return self.vote(request, pk, 0)


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
