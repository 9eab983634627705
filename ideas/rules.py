import rules

from accounts.rules import is_moderator, is_verified
from campaigns.rules import is_brand_member


@rules.predicate
def is_campaign_open_for_ideas(user, campaign) -> bool:
    return campaign is not None and campaign.is_submission_open()


@rules.predicate
def is_idea_visible(user, idea) -> bool:
    return idea is not None and idea.is_visible and idea.campaign.is_published


@rules.predicate
def is_idea_author(user, idea) -> bool:
    return idea is not None and user.is_authenticated and idea.author_id == user.pk


@rules.predicate
def is_idea_brand_member(user, idea) -> bool:
    return idea is not None and is_brand_member(user, idea.campaign.brand)


can_submit_idea = is_verified & is_campaign_open_for_ideas
can_view_idea = is_idea_visible | is_idea_author | is_idea_brand_member | is_moderator
can_hide_idea = is_moderator

rules.add_perm("ideas.submit_idea", can_submit_idea)
rules.add_perm("ideas.see_idea", can_view_idea)  # not Django's "view_idea"
