"""Votes on ideas: up/down, support and star ratings. Ballot campaigns are in
voting.ballots, pairwise surveys in voting.pairwise."""

import logging

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.rules import is_verified
from campaigns.eligibility import check_eligible, check_votes_public
from campaigns.models import Campaign
from core.errors import ApplicationError, Conflict, NotAllowed
from ideas.models import Idea
from ideas.rules import is_idea_author, is_idea_visible
from voting import dirty
from voting.models import Vote
from voting.rules import is_support_open_for_idea, is_voting_open_for_idea

logger = logging.getLogger(__name__)

# What a vote may be worth, per method.
ALLOWED_VALUES = {
    Campaign.VotingMethod.UPDOWN: {1, -1},
    Campaign.VotingMethod.SUPPORT: {1},
    Campaign.VotingMethod.STAR: {1, 2, 3, 4, 5},
}
VALUE_MESSAGES = {
    Campaign.VotingMethod.UPDOWN: gettext_lazy("A vote is 1 (for) or -1 (against)."),
    Campaign.VotingMethod.SUPPORT: gettext_lazy("A support is 1."),
    Campaign.VotingMethod.STAR: gettext_lazy("A rating is a whole number of stars from 1 to 5."),
}


def _check_can_vote(*, voter, idea: Idea) -> None:
    """Raise the error that tells the voter why they may not vote (the same predicates
    as voting.rules.can_vote, checked one by one for a precise message)."""
    if not is_verified(voter):
        raise NotAllowed(
            _("Please verify your email address before voting."), code="email_not_verified"
        )
    check_eligible(user=voter, campaign=idea.campaign)
    check_votes_public(campaign=idea.campaign)
    if idea.status == Idea.Status.PENDING:
        raise Conflict(
            _("This idea is not open for votes yet: it waits for a moderator's approval."),
            code="idea_hidden",
        )
    if not is_idea_visible(voter, idea):
        raise Conflict(
            _("This idea is not open for votes: it has been hidden."), code="idea_hidden"
        )
    if idea.campaign.voting_method not in Campaign.IDEA_VOTE_METHODS:
        raise Conflict(
            _("This campaign is not voted idea by idea: use its ballot."), code="wrong_method"
        )
    if not is_voting_open_for_idea(voter, idea):
        raise Conflict(_("Voting is not open for this campaign."), code="voting_closed")
    if not is_support_open_for_idea(voter, idea):
        raise Conflict(
            _(
                "This idea no longer gathers support: its stage deadline has passed "
                "or it is in brand review."
            ),
            code="support_closed",
        )
    if is_idea_author(voter, idea):
        raise NotAllowed(_("You cannot vote for your own idea."), code="own_idea")


def _lock_voter_in_campaign(*, voter, campaign_id: int) -> None:
    """A transaction-scoped advisory lock on (campaign, voter): one voter's concurrent
    requests in one campaign queue up, so "count my votes, then add one" cannot race.
    Only that voter waits; other voters, and the idea, are never locked."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [campaign_id, voter.pk])


def vote_cast(*, voter, idea: Idea, value: int) -> Vote:
    """Record `voter`'s vote on `idea`, replacing any earlier one. The value depends on the
    campaign's method: +1/-1 (up/down), +1 (support), 1..5 (stars).

    One INSERT ... ON CONFLICT DO UPDATE against the (voter, idea) unique constraint: no
    counter row is locked, so many voters on one idea never wait for each other. With a
    per-voter limit, the voter's own advisory lock makes the count-then-insert exact. The
    idea is marked dirty after commit; a tally worker recounts it."""
    method = idea.campaign.voting_method
    if method in ALLOWED_VALUES and value not in ALLOWED_VALUES[method]:
        raise ApplicationError(str(VALUE_MESSAGES[method]), field="value")
    _check_can_vote(voter=voter, idea=idea)
    now = timezone.now()
    limit = idea.campaign.max_votes_per_voter
    with transaction.atomic():
        if limit:
            _lock_voter_in_campaign(voter=voter, campaign_id=idea.campaign_id)
            used = (
                Vote.objects.filter(voter=voter, idea__campaign_id=idea.campaign_id)
                .exclude(value=Vote.Value.RETRACTED)
                .exclude(idea=idea)
                .count()
            )
            if used >= limit:
                raise Conflict(
                    _(
                        "You have used all %(limit)d of your votes in this campaign. Withdraw "
                        "one to vote for this idea."
                    )
                    % {"limit": limit},
                    code="vote_limit_reached",
                )
        (vote,) = Vote.objects.bulk_create(
            [Vote(idea=idea, voter=voter, value=value, created_at=now, updated_at=now)],
            update_conflicts=True,
            unique_fields=["voter", "idea"],
            update_fields=["value", "updated_at"],
        )
        transaction.on_commit(lambda: dirty.mark_dirty(idea.pk))
    return vote


def vote_retract(*, voter, idea: Idea) -> None:
    """Withdraw `voter`'s vote on `idea`; nothing happens if there is none."""
    _check_can_vote(voter=voter, idea=idea)
    with transaction.atomic():
        changed = (
            Vote.objects.filter(voter=voter, idea=idea)
            .exclude(value=Vote.Value.RETRACTED)
            .update(value=Vote.Value.RETRACTED, updated_at=timezone.now())
        )
        if changed:
            transaction.on_commit(lambda: dirty.mark_dirty(idea.pk))
