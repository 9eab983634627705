import rules

from accounts.rules import is_verified
from ideas.rules import is_idea_author, is_idea_visible


@rules.predicate
def is_voting_open_for_idea(user, idea) -> bool:
    return idea is not None and idea.campaign.is_voting_open()


can_vote = is_verified & is_idea_visible & is_voting_open_for_idea & ~is_idea_author

rules.add_perm("voting.vote_idea", can_vote)
