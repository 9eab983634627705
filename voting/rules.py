import rules
from django.utils import timezone

from accounts.rules import is_verified
from campaigns.rules import is_campaign_private, is_eligible_for_campaign
from ideas.rules import is_idea_author, is_idea_visible


@rules.predicate
def is_voting_open_for_idea(user, idea) -> bool:
    return idea is not None and idea.campaign.is_voting_open()


@rules.predicate
def is_support_open_for_idea(user, idea) -> bool:
    """Supporter-threshold ideas take support only while active and before their stage
    deadline; every other method has no such stage."""
    if idea is None or idea.campaign.voting_method != "support":
        return True
    from voting.models import IdeaTally  # read fresh: the worker may have just changed it

    state = (
        IdeaTally.objects.filter(idea_id=idea.pk)
        .values("support_status", "support_deadline")
        .first()
    )
    if state is None:
        return True
    if state["support_status"] != "active":
        return False
    deadline = state["support_deadline"]
    return deadline is None or timezone.now() < deadline


@rules.predicate
def is_eligible_for_idea_campaign(user, idea) -> bool:
    return idea is not None and is_eligible_for_campaign(user, idea.campaign)


@rules.predicate
def is_voting_open_for_campaign(user, campaign) -> bool:
    return campaign is not None and campaign.is_voting_open()


can_vote = (
    is_verified
    & is_idea_visible
    & is_voting_open_for_idea
    & is_support_open_for_idea
    & ~is_idea_author
    & is_eligible_for_idea_campaign
)
can_submit_ballot = (
    is_verified & is_voting_open_for_campaign & is_eligible_for_campaign & ~is_campaign_private
)

rules.add_perm("voting.vote_idea", can_vote)
rules.add_perm("voting.submit_ballot", can_submit_ballot)
