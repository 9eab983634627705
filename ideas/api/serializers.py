from rest_framework import serializers

from ideas.models import Idea
from voting.models import IdeaTally


class TallyOutputSerializer(serializers.ModelSerializer):
    vote_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = IdeaTally
        fields = [
            "upvotes",
            "downvotes",
            "score",
            "vote_count",
            "wilson_lower_bound",
            "rating_sum",
            "method_score",
            "hot_score",
            "controversy",
            "support_stage",
            "support_deadline",
            "support_status",
            "computed_at",
        ]


class AuthorOutputSerializer(serializers.Serializer):
    name = serializers.CharField(source="public_name")


class EmbargoedTallySerializer(TallyOutputSerializer):
    """The tally, or null while the campaign hides its counts (results embargo). Declared
    once on the idea serializer, so a page of 50 ideas builds its fields once, not 50
    times."""

    def to_representation(self, tally):
        if not self.context.get("counts_visible", True):
            return None
        return super().to_representation(tally)


class IdeaOutputSerializer(serializers.ModelSerializer):
    campaign = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    author = AuthorOutputSerializer(read_only=True)
    tally = EmbargoedTallySerializer(read_only=True, allow_null=True)
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Idea
        fields = [
            "id",
            "campaign",
            "title",
            "body",
            "body_html",
            "author",
            "created_at",
            "content_hash",
            "cost",
            "status",
            "answer",
            "tally",
            "url",
        ]


class IdeaInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=140)
    body = serializers.CharField(max_length=20000)
    cost = serializers.IntegerField(
        min_value=1,
        max_value=10**12,
        required=False,
        allow_null=True,
        help_text="Budget campaigns only: what the idea would cost.",
    )
    accept_terms = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Accept the campaign's current IP and confidentiality terms (required "
        "once per terms version before submitting).",
    )
