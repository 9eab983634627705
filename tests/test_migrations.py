"""The split of `campaigns/` (issue 9) moved models to `brands` and `insights` without moving
their tables: a database filled at the old schema migrates forward with every row, every
link between rows, and the permissions a group held on the moved models."""

from datetime import timedelta

import pytest
from django.utils import timezone

OLD = [("campaigns", "0006_verbose_names")]
NEW = [
    ("campaigns", "0007_brands_and_insights_moved_out"),
    ("brands", "0001_initial"),
    ("insights", "0001_initial"),
]

pytestmark = pytest.mark.django_db(transaction=True)


def _fill_old_schema(apps) -> dict:
    User = apps.get_model("accounts", "User")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    Brand = apps.get_model("campaigns", "Brand")
    BrandMembership = apps.get_model("campaigns", "BrandMembership")
    BrandInvitation = apps.get_model("campaigns", "BrandInvitation")
    Campaign = apps.get_model("campaigns", "Campaign")
    CampaignStats = apps.get_model("campaigns", "CampaignStats")
    CampaignExport = apps.get_model("campaigns", "CampaignExport")

    owner = User.objects.create(email="owner@example.com")
    analyst = User.objects.create(email="analyst@example.com")
    brands = [Brand.objects.create(name=f"Brand {n}", slug=f"brand-{n}") for n in range(3)]
    for brand in brands:
        BrandMembership.objects.create(brand=brand, user=owner, role="owner")
    BrandMembership.objects.create(brand=brands[0], user=analyst, role="analyst")
    now = timezone.now()
    BrandInvitation.objects.create(
        brand=brands[1],
        email="new@example.com",
        role="manager",
        token_hash="a" * 64,
        invited_by=owner,
        expires_at=now + timedelta(days=7),
    )
    campaign = Campaign.objects.create(brand=brands[0], title="Old", slug="old")
    CampaignStats.objects.create(campaign=campaign, figures={"votes": 12}, computed_at=now)
    CampaignExport.objects.create(
        campaign=campaign, requested_by=analyst, kind="ideas", format="csv"
    )
    # A group holding a permission on a moved model (what the admin checks).
    brand_type, _ = ContentType.objects.get_or_create(app_label="campaigns", model="brand")
    permission, _ = Permission.objects.get_or_create(
        content_type=brand_type, codename="view_brand", defaults={"name": "Can view brand"}
    )
    group = Group.objects.create(name="Brand readers")
    group.permissions.add(permission)
    return {"brand_ids": sorted(b.pk for b in brands), "campaign_id": campaign.pk}


def test_a_database_at_the_old_schema_migrates_forward_with_every_row_and_back(migrator):
    old_state = migrator.apply_initial_migration(OLD)
    before = _fill_old_schema(old_state.apps)

    new_state = migrator.apply_tested_migration(NEW)
    apps = new_state.apps
    Brand = apps.get_model("brands", "Brand")
    BrandMembership = apps.get_model("brands", "BrandMembership")
    BrandInvitation = apps.get_model("brands", "BrandInvitation")
    Campaign = apps.get_model("campaigns", "Campaign")
    CampaignStats = apps.get_model("insights", "CampaignStats")
    CampaignExport = apps.get_model("insights", "CampaignExport")
    Group = apps.get_model("auth", "Group")

    assert sorted(Brand.objects.values_list("pk", flat=True)) == before["brand_ids"]
    assert BrandMembership.objects.count() == 4
    assert BrandMembership.objects.filter(role="analyst", brand__slug="brand-0").exists()
    assert BrandInvitation.objects.get().brand.slug == "brand-1"
    campaign = Campaign.objects.get(pk=before["campaign_id"])
    assert campaign.brand.slug == "brand-0"
    assert CampaignStats.objects.get(campaign=campaign).figures == {"votes": 12}
    assert CampaignExport.objects.get().requested_by.email == "analyst@example.com"
    # The group's permission followed the model to its new app.
    permission = Group.objects.get(name="Brand readers").permissions.get()
    assert (permission.content_type.app_label, permission.codename) == ("brands", "view_brand")

    # Rolling back (a failed deploy) leaves the rows where the old code reads them.
    Brand.objects.create(name="Kept", slug="kept")
    old_state = migrator.apply_tested_migration(OLD)
    assert old_state.apps.get_model("campaigns", "Brand").objects.filter(slug="kept").exists()
