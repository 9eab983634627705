from drf_spectacular.utils import extend_schema_field
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


class IdeaOutputSerializer(serializers.ModelSerializer):
    campaign = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    author = AuthorOutputSerializer(read_only=True)
    tally = serializers.SerializerMethodField()
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
            "tally",
            "url",
        ]

    @extend_schema_field(TallyOutputSerializer(allow_null=True))
    def get_tally(self, idea):
        if not self.context.get("counts_visible", True):
            return None  # results embargo: no counts until voting closes
        tally = getattr(idea, "tally", None)  # a missing reverse one-to-one raises AttributeError
        return TallyOutputSerializer(tally or IdeaTally(idea_id=idea.pk)).data


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
