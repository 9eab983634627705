"""Votes on ideas: up/down, support and star ratings. Ballot campaigns are in
voting.ballots, pairwise surveys in voting.pairwise.

Each vote is one statement that checks every rule of `voting.rules.can_vote` and writes
(voting/vote_sql.py); the precise rules run only when it refuses, to raise the first
failing rule's error, the same as `can_vote.check`
(docs/decisions/0014-votes-in-one-statement.md)."""

import logging
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.authentication import TokenRefused, token_holds
from core.errors import ApplicationError, Conflict
from ideas.models import Idea
from ideas.rules import can_view_idea
from voting import dirty, vote_sql
from voting.formats import format_for
from voting.models import Vote
from voting.rules import can_vote

logger = logging.getLogger(__name__)


class IdeaNotFound(ApplicationError):
    """No such idea, or not one the voter may see: the doors answer 404."""

    status_code = 404
    code = "not_found"


class VoteSet(NamedTuple):
    """What `vote_set` answers: the value now stored (0: none) and the idea's tally as the
    workers last counted it (its columns), or None while the campaign hides its counts."""

    idea_id: int
    value: int
    tally: dict | None


def _mark_dirty_after_commit(idea_id: int) -> None:
    # Outside a transaction the statement has committed already, and this runs at once.
    transaction.on_commit(lambda: dirty.mark_dirty(idea_id))


def _limit_reached(limit: int) -> Conflict:
    return Conflict(
        _(
            "You have used all %(limit)d of your votes in this campaign. Withdraw "
            "one to vote for this idea."
        )
        % {"limit": limit},
        code="vote_limit_reached",
    )


@dataclass(frozen=True)
class _Ask:
    """One vote as its door knows it: ids always, the voter and idea objects if it has
    them; `token_hash`: the voter's API token, checked in the same statement."""

    voter_id: int | None
    idea_id: int
    voter: Any = None
    idea: Idea | None = None
    with_tally: bool = False
    token_hash: str | None = None

    @property
    def statement(self) -> dict:
        return {
            "voter_id": self.voter_id, "idea_id": self.idea_id,
            "with_tally": self.with_tally, "token_hash": self.token_hash,
        }  # fmt: skip


def _refusal_explained(ask: _Ask, *, casting: bool, value=None) -> Idea:
    """The statement refused: raise what the precise checks say, in the order the doors
    and the service have always made them (the token, the idea, the value for the
    campaign's format, then `can_vote`). Returns the idea if nothing refuses (the campaign
    limits votes per voter, or a condition refused what its rule allows)."""
    if ask.token_hash is not None and not token_holds(ask.token_hash):
        raise TokenRefused(_("Invalid token."))
    voter = ask.voter or get_user_model().objects.get(pk=ask.voter_id)
    idea = ask.idea
    if idea is None:
        idea = Idea.objects.select_related("campaign").filter(pk=ask.idea_id).first()
        if idea is None or not can_view_idea(voter, idea):
            raise IdeaNotFound(_("Not found."))
    voting_format = format_for(idea.campaign)
    if casting and voting_format.votes_per_idea:
        # A format voted otherwise is refused by can_vote ("wrong_method").
        voting_format.validate_vote(campaign=idea.campaign, value=value)
    can_vote.check(voter, idea)
    return idea


def _written_after_the_rules(idea: Idea, value) -> None:
    """The statement refused what the Python rules allow: expected for a format whose
    validation the statement cannot say (vote_sql.methods_taking), a disagreement between
    a rule and its SQL condition otherwise (tests/voting/test_rule_conditions.py)."""
    taken = vote_sql.methods_taking(value) if value is not None else ()
    expected = value is not None and idea.campaign.voting_method not in taken
    logger.log(
        logging.INFO if expected else logging.ERROR,
        "The statement refused a vote on idea %s that the rules of voting.vote_idea allow; "
        "written after the rules' check.",
        idea.pk,
    )


def _cast_counted(ask: _Ask, *, value: int, campaign_id: int, checked: bool):
    """The vote of a campaign with a per-voter limit: under the voter's advisory lock, the
    statement counts the voter's other votes and writes only below the limit. None if a
    condition refused."""
    with transaction.atomic():
        vote_sql.voter_lock(campaign_id=campaign_id, voter_id=ask.voter_id)
        outcome = vote_sql.vote_write(value=value, checked=checked, counted=True, **ask.statement)
        if outcome is not None and not outcome.written:
            raise _limit_reached(outcome.vote_limit)
        if outcome is not None:
            _mark_dirty_after_commit(ask.idea_id)
    return outcome


def _not_written(ask: _Ask) -> ApplicationError:
    """Allowed by every rule, yet not written: the token stopped holding, or the idea
    went, since the check."""
    if ask.token_hash is not None:
        return TokenRefused(_("Invalid token."))
    return IdeaNotFound(_("Not found."))


def _cast(ask: _Ask, value):
    if isinstance(value, bool):  # an int to Python and to the format's check, not to SQL
        value = int(value)
    # A value that is no int never reaches the statement: its validation explains it.
    if ask.voter_id is not None and type(value) is int:
        idea = ask.idea
        limited = idea is not None and bool(idea.campaign.max_votes_per_voter)
        campaign_id = idea.campaign_id if idea is not None else None
        if not limited:
            outcome = vote_sql.vote_write(value=value, **ask.statement)
            if outcome is not None and outcome.written:
                _mark_dirty_after_commit(ask.idea_id)
                return outcome
            if outcome is not None:  # every rule held; the campaign limits votes
                limited, campaign_id = True, outcome.campaign_id
        if limited:
            outcome = _cast_counted(ask, value=value, campaign_id=campaign_id, checked=True)
            if outcome is not None:
                return outcome
    idea = _refusal_explained(ask, casting=True, value=value)
    _written_after_the_rules(idea, value)
    outcome = _cast_counted(ask, value=value, campaign_id=idea.campaign_id, checked=False)
    if outcome is None:
        raise _not_written(ask)
    return outcome


def _withdraw(ask: _Ask):
    if ask.voter_id is not None:
        outcome = vote_sql.vote_withdraw(**ask.statement)
        if outcome is not None:
            if outcome.written:
                _mark_dirty_after_commit(ask.idea_id)
            return outcome
    idea = _refusal_explained(ask, casting=False)
    _written_after_the_rules(idea, None)
    outcome = vote_sql.vote_withdraw(checked=False, **ask.statement)
    if outcome is None:
        raise _not_written(ask)
    if outcome.written:
        _mark_dirty_after_commit(ask.idea_id)
    return outcome


def vote_cast(*, voter, idea: Idea, value: int) -> Vote:
    """Record `voter`'s vote on `idea`, replacing any earlier one. The value depends on the
    campaign's method: +1/-1 (up/down), +1 (support), 1..5 (stars).

    One statement checks every rule of can_vote and the value and writes, with an
    INSERT ... ON CONFLICT DO UPDATE against the (voter, idea) unique constraint: no
    counter row is locked, so many voters on one idea never wait for each other. Refused:
    the error of the first failing rule (`can_vote.check`), nothing written. With a
    per-voter limit, the voter's own advisory lock makes the count-then-insert exact. The
    idea is marked dirty after commit; a tally worker recounts it."""
    voter_id = voter.pk if voter.is_authenticated else None
    outcome = _cast(_Ask(voter_id, idea.pk, voter=voter, idea=idea), value)
    return Vote(
        pk=outcome.vote_id,
        idea=idea,
        voter=voter,
        value=outcome.value,
        created_at=outcome.created_at,
        updated_at=outcome.updated_at,
    )


def vote_retract(*, voter, idea: Idea) -> None:
    """Withdraw `voter`'s vote on `idea`; nothing happens if there is none. Refused as
    vote_cast is (the same rules), in one statement."""
    voter_id = voter.pk if voter.is_authenticated else None
    _withdraw(_Ask(voter_id, idea.pk, voter=voter, idea=idea))


def vote_set(*, voter_id: int, idea_id: int, value: int, token_hash: str | None = None) -> VoteSet:
    """The API's vote by ids: cast `value`, or withdraw with 0, loading neither the voter
    nor the idea unless the statement refuses (then: IdeaNotFound for an idea that does
    not exist or the voter may not see, else the error vote_cast would raise). With
    `token_hash`, the same statement checks that the voter's API token still holds
    (accounts.authentication.TOKEN_HOLDS), and TokenRefused says it does not. Answers
    with what the statement returned, the tally included."""
    ask = _Ask(voter_id, idea_id, with_tally=True, token_hash=token_hash)
    outcome = _withdraw(ask) if value == 0 else _cast(ask, value)
    return VoteSet(
        idea_id=idea_id,
        value=outcome.value,
        tally=outcome.tally if outcome.counts_visible else None,
    )
