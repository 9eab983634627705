import rules

from accounts.rules import is_moderator, is_verified
from campaigns.rules import (
    can_moderate_campaign,
    can_see_private_ideas,
    is_campaign_manager,
    is_eligible_for_campaign,
    is_staff,
)


@rules.predicate
def is_campaign_open_for_ideas(user, campaign) -> bool:
    return campaign is not None and campaign.is_submission_open()


@rules.predicate
def is_eligible_for_campaign_of(user, campaign) -> bool:
    return is_eligible_for_campaign(user, campaign)


@rules.predicate
def is_idea_visible(user, idea) -> bool:
    """Published in a published campaign (a private campaign's ideas are not public)."""
    return (
        idea is not None
        and idea.is_visible
        and idea.campaign.is_published
        and not idea.campaign.is_private
    )


@rules.predicate
def is_idea_public_or_private_to_user(user, idea) -> bool:
    """Published, and either public or the user may see the campaign's private ideas."""
    return (
        idea is not None
        and idea.is_visible
        and idea.campaign.is_published
        and (not idea.campaign.is_private or can_see_private_ideas(user, idea.campaign))
    )


@rules.predicate
def is_idea_author(user, idea) -> bool:
    return idea is not None and user.is_authenticated and idea.author_id == user.pk


@rules.predicate
def is_idea_brand_member(user, idea) -> bool:
    return idea is not None and can_see_private_ideas(user, idea.campaign)


@rules.predicate
def is_idea_campaign_manager(user, idea) -> bool:
    return idea is not None and is_campaign_manager(user, idea.campaign)


@rules.predicate
def is_idea_campaign_moderator(user, idea) -> bool:
    return idea is not None and can_moderate_campaign(user, idea.campaign)


@rules.predicate
def is_comment_campaign_moderator(user, comment) -> bool:
    return comment is not None and can_moderate_campaign(user, comment.idea.campaign)


@rules.predicate
def is_idea_published(user, idea) -> bool:
    return idea is not None and idea.is_visible


@rules.predicate
def is_idea_pending(user, idea) -> bool:
    return idea is not None and idea.status == "pending"


can_submit_idea = is_verified & is_campaign_open_for_ideas & is_eligible_for_campaign_of
# The author always sees their idea (pending, hidden or private); the brand, moderators and
# staff see everything in the brand's campaigns.
can_view_idea = is_idea_visible | is_idea_author | is_idea_brand_member | is_moderator | is_staff
can_hide_idea = is_idea_campaign_moderator
can_approve_idea = is_idea_campaign_moderator
# A moderator corrects a title or description (ideas.services.idea_edit keeps the old text).
can_edit_idea = is_idea_campaign_moderator
can_answer_idea = is_verified & is_idea_campaign_manager
can_comment_idea = is_verified & is_idea_public_or_private_to_user
can_hide_comment = is_comment_campaign_moderator
# What the idea page offers now: a pending idea is approved before it is answered.
can_answer_idea_now = can_answer_idea & ~is_idea_pending
can_approve_idea_now = can_approve_idea & is_idea_pending

rules.add_perm("ideas.submit_idea", can_submit_idea)
rules.add_perm("ideas.see_idea", can_view_idea)  # not Django's "view_idea"
rules.add_perm("ideas.answer_idea", can_answer_idea)
rules.add_perm("ideas.approve_idea", can_approve_idea)
rules.add_perm("ideas.comment_idea", can_comment_idea)
