import rules

from accounts.rules import is_moderator, is_verified


@rules.predicate
def is_brand_member(user, brand) -> bool:
    if not user or not user.is_authenticated or brand is None:
        return False
    return brand.memberships.filter(user=user).exists()


@rules.predicate
def is_any_brand_member(user) -> bool:
    return bool(user and user.is_authenticated and user.brand_memberships.exists())


@rules.predicate
def is_campaign_brand_member(user, campaign) -> bool:
    return campaign is not None and is_brand_member(user, campaign.brand)


@rules.predicate
def is_campaign_published(user, campaign) -> bool:
    return campaign is not None and campaign.is_published


can_create_campaign_for_brand = is_verified & is_brand_member
can_create_any_campaign = is_verified & is_any_brand_member
can_view_campaign = is_campaign_published | is_campaign_brand_member | is_moderator

rules.add_perm("campaigns.create_campaign", can_create_campaign_for_brand)
# Not "view_campaign": that name is Django's model permission, which the admin checks.
rules.add_perm("campaigns.see_campaign", can_view_campaign)
rules.add_rule("can_create_any_campaign", can_create_any_campaign)
