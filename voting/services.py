import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.rules import is_verified
from core.errors import ApplicationError, Conflict, NotAllowed
from ideas.models import Idea
from ideas.rules import is_idea_author, is_idea_visible
from voting import dirty
from voting.models import Vote
from voting.rules import is_voting_open_for_idea

logger = logging.getLogger(__name__)


def _check_can_vote(*, voter, idea: Idea) -> None:
    """Raise the error that tells the voter why they may not vote (the same predicates
    as voting.rules.can_vote, checked one by one for a precise message)."""
    if not is_verified(voter):
        raise NotAllowed(_("Please verify your email address before voting."),
                         code="email_not_verified")
    if not is_idea_visible(voter, idea):
        raise Conflict(_("This idea is not open for votes: it has been hidden."),
                       code="idea_hidden")
    if not is_voting_open_for_idea(voter, idea):
        raise Conflict(_("Voting is not open for this campaign."), code="voting_closed")
    if is_idea_author(voter, idea):
        raise NotAllowed(_("You cannot vote for your own idea."), code="own_idea")


def vote_cast(*, voter, idea: Idea, value: int) -> Vote:
    """Record `voter`'s vote on `idea` (+1 or -1), replacing any earlier one.

    One INSERT ... ON CONFLICT DO UPDATE against the (voter, idea) unique constraint: no
    counter row is locked, so many voters on one idea never wait for each other. The
    idea is marked dirty after commit; a tally worker recounts it."""
    if value not in (Vote.Value.UP, Vote.Value.DOWN):
        raise ApplicationError(_("A vote is 1 (for) or -1 (against)."), field="value")
    _check_can_vote(voter=voter, idea=idea)
    now = timezone.now()
    with transaction.atomic():
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
