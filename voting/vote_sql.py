"""A vote on an idea in one statement (docs/decisions/0014-votes-in-one-statement.md).

`vote_write` and `vote_withdraw` send one statement each that finds the idea, its campaign
and the voter, checks every rule of `voting.rules.can_vote` through its SQL condition,
checks the value against the campaign's format, and writes: `INSERT ... SELECT ... WHERE
<the rules> ON CONFLICT (voter_id, idea_id) DO UPDATE` (or the UPDATE that withdraws).
No row back means a rule refused; the services then ask the precise rules why. The
statement also answers what the API returns after a vote: the value stored and, when asked,
the idea's tally as the workers last counted it (none under a results embargo).

A campaign with a per-voter limit is counted under the voter's advisory lock
(docs/decisions/0005-one-voter-lock-for-vote-limits.md): the lock is taken by a statement of
its own, so that the counting statement, which starts after it, sees every vote committed
before the lock was granted. Without a limit nothing is locked and no transaction is opened:
the statement commits by itself."""

from functools import cache
from typing import Any, NamedTuple

import psycopg
from django.db import connection
from django.utils import timezone

from accounts.authentication import TOKEN_HOLDS
from core.permissions import Condition
from voting.formats import all_formats
from voting.formats.base import PerIdeaFormat
from voting.models import IdeaTally
from voting.rules import can_vote

# TallyOutputSerializer's columns, read beside the vote when the answer shows the tally.
TALLY_COLUMNS = (
    "upvotes", "downvotes", "score", "wilson_lower_bound", "rating_sum", "method_score",
    "hot_score", "controversy", "support_stage", "support_deadline", "support_status",
    "computed_at",
)  # fmt: skip
# An idea without its tally row yet shows an empty tally (voting.selectors.tally_for_idea).
EMPTY_TALLY = {name: IdeaTally._meta.get_field(name).get_default() for name in TALLY_COLUMNS}

# Campaign.are_counts_visible, in SQL (tests/voting/test_rule_conditions.py compares them).
COUNTS_VISIBLE = Condition(
    "COALESCE(NOT campaign.results_embargo OR (campaign.is_published"
    " AND %(now)s >= COALESCE(campaign.results_at, campaign.voting_closes_at)), false)"
)
# The voter's votes that count against the campaign's limit, the idea voted on excepted.
VOTES_USED = (
    "(SELECT count(*) FROM voting_vote AS mine JOIN ideas_idea AS mine_idea"
    " ON mine_idea.id = mine.idea_id WHERE mine.voter_id = target.voter_id"
    " AND mine_idea.campaign_id = target.campaign_id AND mine.value <> 0"
    " AND mine.idea_id <> target.idea_id)"
)
# A vote's statement is prepared on a connection from its second run (`_prepared_cursor`).
PREPARE_FROM_RUN = 1
# The voter's token, when the statement checks it (accounts.authentication.TOKEN_HOLDS).
TOKEN_ROW = "JOIN accounts_apitoken AS token ON token.key_hash = %(token_hash)s"  # noqa: S105
# The rows every rule's condition names.
ROWS = (
    "FROM ideas_idea AS idea JOIN campaigns_campaign AS campaign"
    " ON campaign.id = idea.campaign_id JOIN accounts_user AS voter ON voter.id = %(voter_id)s"
    " WHERE idea.id = %(idea_id)s"
)


class Outcome(NamedTuple):
    """What a vote's statement found and did. It returns no row at all when the idea does
    not exist or a rule refused; a row means every rule held."""

    campaign_id: int
    vote_limit: int | None
    counts_visible: bool
    written: bool  # False: a limited campaign's vote not tried yet, or its limit reached
    value: int | None
    vote_id: int | None
    created_at: Any
    updated_at: Any
    tally: dict | None  # asked with `with_tally`: the tally's columns


def methods_taking(value) -> list[str]:
    """The formats that take `value` as a vote on an idea: those whose validation is the
    per-idea one (value in `vote_values`). A format with a validation of its own is left
    out, so its votes go through its Python validation; so is any value but an int."""
    if type(value) is not int:
        return []
    return [
        fmt.key
        for fmt in all_formats()
        if fmt.votes_per_idea
        and type(fmt).validate_vote is PerIdeaFormat.validate_vote
        and value in fmt.vote_values
    ]


# The value's check: the campaign's format takes it (`methods_taking`).
VALUE_TAKEN = Condition("campaign.voting_method = ANY(%(methods)s)")


def _conditions(*, checked: bool, casting: bool) -> list[Condition]:
    """Every rule of can_vote and, casting, the value's check; none unless `checked`."""
    if not checked:
        return []
    return [can_vote.condition(), VALUE_TAKEN] if casting else [can_vote.condition()]


@cache
def _statement(
    *, casting: bool, checked: bool, counted: bool, with_tally: bool, with_token: bool
) -> str:
    """The statement's text (its parameters are given at each call). The `target` row is
    the idea, its campaign and the voter, found only if every condition holds; with a
    token, only if the token still holds too (accounts.authentication.TOKEN_HOLDS)."""
    conditions = _conditions(checked=checked, casting=casting)
    rows = ROWS
    if with_token:
        conditions = [TOKEN_HOLDS, *conditions]
        rows = ROWS.replace(" WHERE ", f" {TOKEN_ROW} WHERE ")
    where = f" AND {Condition.all(*conditions).sql}" if conditions else ""
    target = (
        "SELECT idea.id AS idea_id, voter.id AS voter_id, campaign.id AS campaign_id,"
        " campaign.max_votes_per_voter AS vote_limit,"
        f" {COUNTS_VISIBLE.sql} AS counts_visible {rows}{where}"
    )
    tally_columns, tally_join = "", ""
    if with_tally:
        tally_columns = ", tally.idea_id IS NOT NULL" + "".join(
            f", tally.{name}" for name in TALLY_COLUMNS
        )
        tally_join = " LEFT JOIN voting_ideatally AS tally ON tally.idea_id = target.idea_id"
    if casting:
        limit = "target.vote_limit IS NULL"
        if counted:
            limit += f" OR {VOTES_USED} < target.vote_limit"
        written = (
            "INSERT INTO voting_vote (idea_id, voter_id, value, created_at, updated_at)"  # noqa: S608
            " SELECT target.idea_id, target.voter_id, %(value)s, %(now)s, %(now)s FROM target"
            f" WHERE {limit} ON CONFLICT (voter_id, idea_id) DO UPDATE"
            " SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at"
            " RETURNING id, value, created_at, updated_at"
        )
        answer = (
            "target.campaign_id, target.vote_limit, target.counts_visible, written.id,"
            " written.value, written.created_at, written.updated_at"
        )
        rows = "target LEFT JOIN written ON true"
    else:
        written = (
            "UPDATE voting_vote AS vote SET value = 0, updated_at = %(now)s FROM target"
            " WHERE vote.idea_id = target.idea_id AND vote.voter_id = target.voter_id"
            " AND vote.value <> 0 RETURNING vote.id"
        )
        answer = (
            "target.campaign_id, target.vote_limit, target.counts_visible,"
            " (SELECT min(id) FROM written), 0, NULL::timestamptz, NULL::timestamptz"
        )
        rows = "target"
    return (
        f"WITH target AS ({target}), written AS ({written})"  # noqa: S608 (constants only)
        f" SELECT {answer}{tally_columns} FROM {rows}{tally_join}"
    )


def _prepared_cursor():
    """A cursor that binds parameters on the server rather than in the text, so that a
    statement run often on a connection is prepared and PostgreSQL plans it once:
    planning this statement costs PostgreSQL more than running it.

    Django turns psycopg's preparation off (a pooler in transaction mode cannot keep
    prepared statements). Unless the database's OPTIONS set `prepare_threshold`
    themselves, the connection prepares a server-bound statement from its second run;
    the ORM's queries are bound in the text (psycopg's ClientCursor) and never prepared.
    While queries are logged (DEBUG, tests counting them), Django's own cursor is used:
    its log shows the statement's text, which a prepared statement's would not."""
    if connection.queries_logged:
        return connection.cursor()
    connection.ensure_connection()
    raw_connection = connection.connection
    if (
        raw_connection.prepare_threshold is None
        and "prepare_threshold" not in connection.settings_dict.get("OPTIONS", {})
        and issubclass(raw_connection.cursor_factory, psycopg.ClientCursor)
    ):
        raw_connection.prepare_threshold = PREPARE_FROM_RUN
    return connection.make_cursor(psycopg.Cursor(raw_connection))


def _run(*, casting: bool, checked: bool, counted: bool, with_tally: bool, token_hash, **values):
    sql = _statement(
        casting=casting, checked=checked, counted=counted, with_tally=with_tally,
        with_token=token_hash is not None,
    )  # fmt: skip
    params = {"now": timezone.now(), "token_hash": token_hash, **values}
    for condition in _conditions(checked=checked, casting=casting):
        params.update(condition.values())
    with _prepared_cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    tally = None
    if with_tally:
        tally = dict(zip(TALLY_COLUMNS, row[8:], strict=True)) if row[7] else dict(EMPTY_TALLY)
    return Outcome(
        campaign_id=row[0],
        vote_limit=row[1],
        counts_visible=row[2],
        written=row[3] is not None,
        vote_id=row[3],
        value=row[4],
        created_at=row[5],
        updated_at=row[6],
        tally=tally,
    )


def vote_write(
    *,
    voter_id: int,
    idea_id: int,
    value: int,
    checked: bool = True,
    counted: bool = False,
    with_tally: bool = False,
    token_hash: str | None = None,
) -> Outcome | None:
    """Cast or change the vote in one statement. `checked`: with every rule of can_vote
    and the value's check (False only once the Python rules have allowed it). `counted`:
    a campaign with a limit is counted and written (the caller holds the voter's lock,
    `voter_lock`); otherwise such a campaign's vote is not written (`written` False).
    `token_hash`: the voter's token, checked in the same statement (whatever `checked`).
    None: no such idea, or a condition refused (a value no format takes is refused
    without a statement: it may not even fit the column)."""
    methods = methods_taking(value)
    if checked and not methods:
        return None
    return _run(
        casting=True, checked=checked, counted=counted, with_tally=with_tally,
        token_hash=token_hash, voter_id=voter_id, idea_id=idea_id, value=value, methods=methods,
    )  # fmt: skip


def vote_withdraw(
    *,
    voter_id: int,
    idea_id: int,
    checked: bool = True,
    with_tally: bool = False,
    token_hash: str | None = None,
) -> Outcome | None:
    """Withdraw the vote (value 0, the row kept) in one statement, checking every rule of
    can_vote when `checked`. A row back means the rules held; `written` says whether
    there was a vote to withdraw."""
    return _run(
        casting=False, checked=checked, counted=False, with_tally=with_tally,
        token_hash=token_hash, voter_id=voter_id, idea_id=idea_id,
    )  # fmt: skip


def voter_lock(*, campaign_id: int, voter_id: int) -> None:
    """The transaction-scoped advisory lock on (campaign, voter): one voter's concurrent
    votes in one campaign queue up, so "count my votes, then add one" cannot race. Only
    that voter waits; other voters, and the idea, are never locked. Call it inside
    `transaction.atomic()`, before `vote_write(counted=True)`."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [campaign_id, voter_id])
