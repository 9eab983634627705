"""Votes on ideas: up/down, support and star ratings. Ballot campaigns are in
voting.ballots, pairwise surveys in voting.pairwise."""

import logging

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Conflict
from ideas.models import Idea
from voting import dirty
from voting.formats import format_for
from voting.models import Vote
from voting.rules import can_vote

logger = logging.getLogger(__name__)


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
    voting_format = format_for(idea.campaign)
    if voting_format.votes_per_idea:
        # A format voted otherwise is refused by can_vote ("wrong_method").
        voting_format.validate_vote(campaign=idea.campaign, value=value)
    can_vote.check(voter, idea)
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
    can_vote.check(voter, idea)
    with transaction.atomic():
        changed = (
            Vote.objects.filter(voter=voter, idea=idea)
            .exclude(value=Vote.Value.RETRACTED)
            .update(value=Vote.Value.RETRACTED, updated_at=timezone.now())
        )
        if changed:
            transaction.on_commit(lambda: dirty.mark_dirty(idea.pk))
