"""Who may submit, see, answer, moderate and comment ideas, and why not
(core.permissions). ideas.services calls `PERMISSION.check`; the pages ask the same
declarations as predicates (tests/test_rules_agreement.py holds them to it)."""

import rules
from django.utils.translation import gettext_lazy

from accounts.rules import is_moderator, is_verified
from campaigns.rules import (
    INVITED,
    OLD_ENOUGH,
    can_moderate_campaign,
    can_see_private_ideas,
    is_campaign_manager,
    is_staff,
)
from core.errors import Conflict
from core.permissions import Permission, Rule


@rules.predicate
def is_campaign_open_for_ideas(user, campaign) -> bool:
    return campaign is not None and campaign.is_submission_open()


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


def _moderators_only(name: str, message, test=is_idea_campaign_moderator) -> Permission:
    """A moderator's action on an idea (or, with its test, a comment), refused with its
    own message."""
    return Permission(f"ideas.{name}", Rule("permission_denied", message, test, name=name))


can_submit_idea = Permission(
    "ideas.submit_idea",
    Rule(
        "permission_denied",
        gettext_lazy("Please verify your email address before submitting an idea."),
        is_verified,
        name="verified_to_submit",
    ),
    Rule(
        "conflict",
        gettext_lazy("This campaign is not accepting ideas at the moment."),
        is_campaign_open_for_ideas,
        error=Conflict,
        name="submission_open",
    ),
    OLD_ENOUGH,
    INVITED,
)
# The author always sees their idea (pending, hidden or private); the brand, moderators and
# staff see everything in the brand's campaigns. No reason: the doors answer 404.
can_view_idea = is_idea_visible | is_idea_author | is_idea_brand_member | is_moderator | is_staff

# A pending idea is approved before it is answered; only a pending one is approved.
can_approve_idea = Rule(
    "permission_denied",
    gettext_lazy("Only the campaign's moderators can approve ideas."),
    is_idea_campaign_moderator,
    name="approves_ideas",
)
IDEA_PENDING = Rule(
    "not_pending",
    gettext_lazy("This idea is not waiting for moderation."),
    is_idea_pending,
    error=Conflict,
)
can_approve_idea_now = Permission("ideas.approve_idea", can_approve_idea, IDEA_PENDING)
can_answer_idea = Rule(
    "permission_denied",
    gettext_lazy("Only the brand's owners and managers can answer ideas."),
    is_verified & is_idea_campaign_manager,
    name="answers_ideas",
)
IDEA_APPROVED = Rule(
    "not_published",
    gettext_lazy("Approve the idea before answering it."),
    ~is_idea_pending,
    error=Conflict,
)
can_answer_idea_now = Permission("ideas.answer_idea", can_answer_idea, IDEA_APPROVED)

can_comment_idea = Permission(
    "ideas.comment_idea",
    Rule(
        "permission_denied",
        gettext_lazy("Please verify your email address before commenting."),
        is_verified,
        name="verified_to_comment",
    ),
    Rule(
        "comments_closed",
        gettext_lazy("Comments are not open on this idea."),
        is_idea_public_or_private_to_user,
        error=Conflict,
    ),
)

can_hide_idea = _moderators_only("hide_idea", gettext_lazy("Only moderators can hide ideas."))
can_restore_idea = _moderators_only(
    "restore_idea", gettext_lazy("Only moderators can restore ideas.")
)
# A moderator corrects a title or description (ideas.services.idea_edit keeps the old text).
can_edit_idea = _moderators_only(
    "edit_idea", gettext_lazy("Only the campaign's moderators can edit ideas.")
)
can_hide_comment = _moderators_only(
    "hide_comment",
    gettext_lazy("Only the campaign's moderators can hide comments."),
    is_comment_campaign_moderator,
)
can_show_comment = _moderators_only(
    "show_comment",
    gettext_lazy("Only the campaign's moderators can show comments again."),
    is_comment_campaign_moderator,
)

rules.add_perm("ideas.submit_idea", can_submit_idea)
rules.add_perm("ideas.see_idea", can_view_idea)  # not Django's "view_idea"
rules.add_perm("ideas.answer_idea", can_answer_idea_now)
rules.add_perm("ideas.approve_idea", can_approve_idea_now)
rules.add_perm("ideas.comment_idea", can_comment_idea)
