from rest_framework import serializers

from brands.models import Brand
from campaigns.models import Campaign


class BrandOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Brand
        fields = ["slug", "name"]


class CampaignOutputSerializer(serializers.ModelSerializer):
    brand = BrandOutputSerializer(read_only=True)
    phase = serializers.SerializerMethodField()
    idea_count = serializers.IntegerField(read_only=True, default=0)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Campaign
        fields = [
            "id", "slug", "title", "brand", "state", "phase", "brief", "brief_html", "rules_html",
            "voting_method", "moderation", "is_private", "is_invitation_only",
            "minimum_account_age_days", "submission_opens_at", "submission_closes_at",
            "voting_opens_at", "voting_closes_at", "results_at", "idea_count", "url",
        ]  # fmt: skip

    def get_phase(self, campaign) -> str:
        return campaign.phase()

    def get_url(self, campaign) -> str:
        return campaign.get_absolute_url()
