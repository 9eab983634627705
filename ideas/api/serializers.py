from rest_framework import serializers

from ideas.models import Idea
from voting.models import IdeaTally


class TallyOutputSerializer(serializers.ModelSerializer):
    vote_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = IdeaTally
        fields = ["upvotes", "downvotes", "score", "vote_count", "wilson_lower_bound",
                  "computed_at"]


class AuthorOutputSerializer(serializers.Serializer):
    name = serializers.CharField(source="public_name")


class IdeaOutputSerializer(serializers.ModelSerializer):
    campaign = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    author = AuthorOutputSerializer(read_only=True)
    tally = serializers.SerializerMethodField()
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Idea
        fields = ["id", "campaign", "title", "body", "body_html", "author", "created_at",
                  "content_hash", "tally", "url"]

    def get_tally(self, idea) -> TallyOutputSerializer:
        tally = getattr(idea, "tally", None)  # a missing reverse one-to-one raises AttributeError
        return TallyOutputSerializer(tally or IdeaTally(idea_id=idea.pk)).data


class IdeaInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=140)
    body = serializers.CharField(max_length=20000)
