from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from ideas.models import Idea
from ideas.rules import can_view_idea
from voting import selectors, services
from voting.api.serializers import VoteInputSerializer, VoteOutputSerializer


class IdeaVoteView(APIView):
    """Your vote on an idea: PUT casts or changes it, DELETE withdraws it."""

    permission_classes = [IsAuthenticated]

    def get_idea(self, pk: int) -> Idea:
        idea = Idea.objects.select_related("campaign").filter(pk=pk).first()
        if idea is None or not can_view_idea(self.request.user, idea):
            raise Http404
        return idea

    def respond(self, idea: Idea) -> Response:
        return Response(
            VoteOutputSerializer(
                {
                    "idea": idea.pk,
                    "value": selectors.vote_value(voter=self.request.user, idea=idea),
                    "tally": selectors.tally_for_idea(idea=idea),
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
        services.vote_cast(voter=request.user, idea=idea, value=serializer.validated_data["value"])
        return self.respond(idea)

    @extend_schema(request=None, responses=VoteOutputSerializer)
    def delete(self, request, pk: int):
        idea = self.get_idea(pk)
        services.vote_retract(voter=request.user, idea=idea)
        return self.respond(idea)
