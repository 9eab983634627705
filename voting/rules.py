"""Who may vote, cast a ballot or compare ideas, and why not (core.permissions). The
services (voting.services, voting.ballots, voting.pairwise) call `PERMISSION.check`; pages,
the API and `{% has_perm %}` ask the same declarations as predicates, so a page never
offers a vote that the service would refuse (tests/test_rules_agreement.py).

Each rule of a vote on an idea also carries its SQL condition (`q`, core.permissions), over
the rows the vote's statement joins (voting/vote_sql.py): `idea`, its `campaign`, and the
`voter` (accounts_user). The statement checks them all and writes; the Python tests run to
explain a refusal. tests/voting/test_rule_conditions.py holds each pair equal."""

import rules
from django.utils import timezone
from django.utils.translation import gettext_lazy

from accounts.rules import is_verified
from campaigns.rules import INVITED, OLD_ENOUGH
from core.errors import Conflict
from core.permissions import Condition, Permission, Rule
from ideas.models import Idea
from ideas.rules import is_idea_author, is_idea_visible
from voting.formats import format_for, format_keys
from voting.models import IdeaTally


@rules.predicate
def is_support_open_for_idea(user, idea) -> bool:
    """Supporter-threshold ideas take support only while active and before their stage
    deadline; every other method has no such stage."""
    if idea is None or not format_for(idea.campaign).has_support_stages:
        return True
    # Read fresh, not from idea.tally: the worker may have just changed it.
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
def is_voting_open_for_campaign(user, campaign) -> bool:
    return campaign is not None and campaign.is_voting_open()


def _of_campaign(idea):
    return idea.campaign


# -- the rules, each once ------------------------------------------------------------------

VERIFIED_TO_VOTE = Rule(
    "email_not_verified",
    gettext_lazy("Please verify your email address before voting."),
    is_verified,
    q="EXISTS (SELECT 1 FROM account_emailaddress AS address"
    " WHERE address.user_id = voter.id AND address.verified)",
)
# A private campaign's ideas are seen only by their authors and the brand, so the crowd
# cannot vote on them: no vote, ballot or comparison (a comparison would show two).
VOTES_PUBLIC = Rule(
    "private_campaign",
    gettext_lazy(
        "This campaign's ideas are private: the brand judges them, the crowd does not vote."
    ),
    lambda user, campaign: campaign is not None and not campaign.is_private,
    error=Conflict,
    q="NOT campaign.is_private",
)
VOTING_OPEN = Rule(
    "voting_closed",
    gettext_lazy("Voting is not open for this campaign."),
    is_voting_open_for_campaign,
    error=Conflict,
    # Campaign.is_voting_open
    q="campaign.is_published AND campaign.state <> 'archived'"
    " AND campaign.voting_opens_at <= %(now)s AND %(now)s < campaign.voting_closes_at",
)
IDEA_NOT_PENDING = Rule(
    "idea_hidden",
    gettext_lazy("This idea is not open for votes yet: it waits for a moderator's approval."),
    lambda user, idea: idea is not None and idea.status != Idea.Status.PENDING,
    error=Conflict,
    name="idea_not_pending",
    q="idea.status <> 'pending'",
)
IDEA_SHOWN = Rule(
    "idea_hidden",
    gettext_lazy("This idea is not open for votes: it has been hidden."),
    is_idea_visible,
    error=Conflict,
    name="idea_shown",
    q="idea.status = 'published' AND campaign.is_published AND NOT campaign.is_private",
)
VOTED_IDEA_BY_IDEA = Rule(
    "wrong_method",
    gettext_lazy("This campaign is not voted idea by idea: use its ballot."),
    lambda user, idea: idea is not None and format_for(idea.campaign).votes_per_idea,
    error=Conflict,
    name="voted_idea_by_idea",
    q=Condition(
        "campaign.voting_method = ANY(%(per_idea_methods)s)",
        per_idea_methods=lambda: format_keys(lambda fmt: fmt.votes_per_idea),
    ),
)
VOTED_BY_BALLOT = Rule(
    "wrong_method",
    gettext_lazy("This campaign is voted idea by idea, not with a ballot."),
    lambda user, campaign: campaign is not None and format_for(campaign).uses_ballots,
    error=Conflict,
    name="voted_by_ballot",
)
A_PAIRWISE_SURVEY = Rule(
    "wrong_method",
    gettext_lazy("This campaign is not a pairwise survey."),
    lambda user, campaign: campaign is not None and format_for(campaign).is_pairwise,
    error=Conflict,
    name="a_pairwise_survey",
)
SUPPORT_OPEN = Rule(
    "support_closed",
    gettext_lazy(
        "This idea no longer gathers support: its stage deadline has passed "
        "or it is in brand review."
    ),
    is_support_open_for_idea,
    error=Conflict,
    # Read fresh from the tally row, as the predicate does.
    q=Condition(
        "NOT campaign.voting_method = ANY(%(staged_methods)s) OR NOT EXISTS ("
        " SELECT 1 FROM voting_ideatally AS stage WHERE stage.idea_id = idea.id"
        " AND NOT (stage.support_status = 'active'"
        " AND (stage.support_deadline IS NULL OR %(now)s < stage.support_deadline)))",
        staged_methods=lambda: format_keys(lambda fmt: fmt.has_support_stages),
    ),
)
NOT_OWN_IDEA = Rule(
    "own_idea",
    gettext_lazy("You cannot vote for your own idea."),
    ~is_idea_author,
    q="idea.author_id IS DISTINCT FROM voter.id",
)

# -- the permissions: the first failing rule is the reason ---------------------------------

# On an idea (up/down, support, stars).
can_vote = Permission(
    "voting.vote_idea",
    VERIFIED_TO_VOTE,
    OLD_ENOUGH.of(_of_campaign),
    INVITED.of(_of_campaign),
    VOTES_PUBLIC.of(_of_campaign),
    IDEA_NOT_PENDING,
    IDEA_SHOWN,
    VOTED_IDEA_BY_IDEA,
    VOTING_OPEN.of(_of_campaign),
    SUPPORT_OPEN,
    NOT_OWN_IDEA,
)
# On a campaign: the voter, then the campaign.
can_submit_ballot = Permission(
    "voting.submit_ballot",
    VERIFIED_TO_VOTE,
    OLD_ENOUGH,
    INVITED,
    VOTES_PUBLIC,
    VOTED_BY_BALLOT,
    VOTING_OPEN,
)
# The campaign's side of a comparison: the campaign page offers the link to a visitor not
# yet signed in by this (they are asked to log in), to a signed-in one by can_compare_ideas.
takes_comparisons = Permission(
    "voting.takes_comparisons", VOTES_PUBLIC, A_PAIRWISE_SURVEY, VOTING_OPEN
)
can_compare_ideas = Permission(
    "voting.compare_ideas", VERIFIED_TO_VOTE, OLD_ENOUGH, INVITED, *takes_comparisons.rules
)


def offers_comparisons(user, campaign) -> bool:
    """Whether a page shows the link to compare ideas: to a visitor who may compare them,
    or who is not signed in yet (they are asked to log in, then the permission decides)."""
    if user is not None and user.is_authenticated:
        return can_compare_ideas(user, campaign)
    return takes_comparisons(user, campaign)


rules.add_perm("voting.vote_idea", can_vote)
rules.add_perm("voting.submit_ballot", can_submit_ballot)
rules.add_perm("voting.compare_ideas", can_compare_ideas)
