"""The incremental live count of a ballot or pairwise campaign (issue 11, part 2).

The results worker keeps, per campaign, the ballots grouped by their choices (`LiveCount`,
key = idea ids by rank then id) or the pairwise win matrix (key = [winner, loser, decided]),
updated from the ballots and answers changed since a watermark instead of counting every
ballot again on each tick. voting/aggregate_counts.py reads them as ballot_counts counts
the ballots, so a live result from the aggregate is the very result of a full count.

- A replaced or withdrawn ballot takes back what it counted before: `LiveBallot` holds the
  choices each ballot was last counted with, so applying a ballot is idempotent (nothing
  changes when its choices are those already counted). Voters write nothing here and share
  no row: only the worker, under the campaign's results lock, writes the aggregate.
- Ideas hidden later are filtered out when the aggregate is read (choices are kept whole),
  as ballot_counts filters them.
- The watermark never misses a row committed late: the next update reads again every
  ballot updated (answer given) since the start of the oldest transaction open in the
  database when this update began, less a margin for the web servers' clocks. Ballots are
  re-applied idempotently; answers read again are skipped by `LiveAnswer` (those already
  counted, kept while they may be read again).
- `aggregate_check` (from results_reconcile, every CHECK_EVERY) compares the aggregate with
  a full recount of the rows behind the watermark, logs any difference and repairs it.

Needs the results worker to see the other sessions' transactions in pg_stat_activity (the
same database role as the web processes, or pg_read_all_stats)."""

import logging
from datetime import UTC, datetime, timedelta

from django.db import connection
from django.utils import timezone

from voting.models import LiveAggregate

logger = logging.getLogger(__name__)

SAFETY_MARGIN = timedelta(seconds=5)
CHECK_EVERY = timedelta(minutes=10)
_BEGINNING = datetime(2000, 1, 1, tzinfo=UTC)  # before any ballot: a first update reads all

# A ballot's choices as counted: idea ids by rank then id (ballot_counts' order), empty
# when withdrawn.
_BALLOT_CHOICES = """
    SELECT ballot.id, ARRAY(
        SELECT choice.idea_id FROM voting_ballotchoice choice
        WHERE choice.ballot_id = ballot.id ORDER BY choice.rank, choice.idea_id
    ) AS choices
    FROM voting_ballot ballot
    WHERE ballot.campaign_id = %(campaign)s
      AND ballot.updated_at >= %(since)s AND ballot.updated_at < %(until)s
"""

# Apply the ballots read: each changed one takes its former choices out of the counts and
# adds its new ones, and is recorded with them. (changed ballots, count rows written)
_APPLY_BALLOTS = f"""
    WITH current AS ({_BALLOT_CHOICES}),
    changed AS (
        SELECT current.id, counted.choices AS before, current.choices AS after
        FROM current LEFT JOIN voting_liveballot counted ON counted.ballot_id = current.id
        WHERE counted.choices IS DISTINCT FROM current.choices
    ),
    recorded AS (
        INSERT INTO voting_liveballot (ballot_id, campaign_id, choices)
        SELECT id, %(campaign)s, after FROM changed
        ON CONFLICT (ballot_id) DO UPDATE SET choices = EXCLUDED.choices
    ),
    changes AS (
        SELECT before AS key, -1 AS change FROM changed WHERE cardinality(before) > 0
        UNION ALL
        SELECT after, 1 FROM changed WHERE cardinality(after) > 0
    ),
    counted AS (
        INSERT INTO voting_livecount (campaign_id, key, count)
        SELECT %(campaign)s, key, sum(change) FROM changes
        GROUP BY key HAVING sum(change) <> 0
        ON CONFLICT (campaign_id, key)
        DO UPDATE SET count = voting_livecount.count + EXCLUDED.count
        RETURNING 1
    )
    SELECT (SELECT count(*) FROM changed), (SELECT count(*) FROM counted)
"""  # noqa: S608 (constants)

# Count the answers given since the watermark and not yet counted.
_APPLY_ANSWERS = """
    WITH fresh AS (
        SELECT prompt.id, prompt.answered_at,
               CASE WHEN outcome = 'left' THEN left_id ELSE right_id END AS winner,
               CASE WHEN outcome = 'left' THEN right_id ELSE left_id END AS loser,
               CASE WHEN outcome IN ('left', 'right') THEN 1 ELSE 0 END AS decided
        FROM voting_pairwiseprompt prompt
        WHERE prompt.campaign_id = %(campaign)s AND prompt.answered_at >= %(since)s
          AND NOT EXISTS (SELECT 1 FROM voting_liveanswer seen WHERE seen.prompt_id = prompt.id)
    ),
    seen AS (
        INSERT INTO voting_liveanswer (prompt_id, campaign_id, answered_at)
        SELECT id, %(campaign)s, answered_at FROM fresh
    ),
    counted AS (
        INSERT INTO voting_livecount (campaign_id, key, count)
        SELECT %(campaign)s, ARRAY[winner, loser, decided], count(*) FROM fresh
        GROUP BY winner, loser, decided
        ON CONFLICT (campaign_id, key)
        DO UPDATE SET count = voting_livecount.count + EXCLUDED.count
        RETURNING 1
    )
    SELECT (SELECT count(*) FROM fresh), (SELECT count(*) FROM counted)
"""

# What the counts should be: ballots grouped by the choices they were counted with, or the
# answers counted (those behind the watermark, and those recorded since).
_EXPECTED_BALLOTS = """
    SELECT choices, count(*) FROM voting_liveballot
    WHERE campaign_id = %(campaign)s AND cardinality(choices) > 0 GROUP BY choices
"""
_EXPECTED_ANSWERS = """
    SELECT ARRAY[CASE WHEN outcome = 'left' THEN left_id ELSE right_id END,
                 CASE WHEN outcome = 'left' THEN right_id ELSE left_id END,
                 CASE WHEN outcome IN ('left', 'right') THEN 1 ELSE 0 END], count(*)
    FROM voting_pairwiseprompt prompt
    WHERE prompt.campaign_id = %(campaign)s AND prompt.answered_at IS NOT NULL
      AND (prompt.answered_at < %(since)s
           OR EXISTS (SELECT 1 FROM voting_liveanswer seen WHERE seen.prompt_id = prompt.id))
    GROUP BY 1
"""
_STORED = "SELECT key, count FROM voting_livecount WHERE campaign_id = %(campaign)s"


def _execute(sql: str, params: dict) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def _watermark() -> datetime:
    """Every transaction that has not committed yet began after this time (less the
    margin): what it writes carries a later updated_at or answered_at. This session's own
    transaction is left out (its writes are already visible to it)."""
    _execute("SELECT pg_stat_clear_snapshot()", {})  # pg_stat_activity is read once a transaction
    rows = _execute(
        """SELECT least(clock_timestamp(), min(xact_start)) FROM pg_stat_activity
           WHERE datname = current_database() AND pid <> pg_backend_pid()
             AND backend_type = 'client backend' AND xact_start IS NOT NULL""",
        {},
    )
    return rows[0][0] - SAFETY_MARGIN


def _apply_ballots(campaign_id: int, *, since: datetime, until: datetime) -> int:
    """Apply the ballots updated in [since, until); how many had changed."""
    changed, _rows = _execute(
        _APPLY_BALLOTS, {"campaign": campaign_id, "since": since, "until": until}
    )[0]
    _execute(
        "DELETE FROM voting_livecount WHERE campaign_id = %(campaign)s AND count = 0",
        {"campaign": campaign_id},
    )
    return changed


def _apply_answers(campaign_id: int, *, since: datetime, watermark: datetime) -> int:
    """Count the answers given since `since` not yet counted; forget the counted answers
    that the next update (from `watermark`) will not read again. How many were counted."""
    fresh, _rows = _execute(_APPLY_ANSWERS, {"campaign": campaign_id, "since": since})[0]
    _execute(
        """DELETE FROM voting_liveanswer
           WHERE campaign_id = %(campaign)s AND answered_at < %(watermark)s""",
        {"campaign": campaign_id, "watermark": watermark},
    )
    return fresh


def aggregate_update(*, campaign_id: int, pairwise: bool) -> int:
    """Bring the campaign's aggregate up to date (built from every ballot or answer the
    first time). Call under the campaign's results lock, inside a transaction. How many
    ballots or answers were applied."""
    watermark = _watermark()
    aggregate, _created = LiveAggregate.objects.get_or_create(
        campaign_id=campaign_id,
        defaults={
            "ballots_since": _BEGINNING, "answers_since": _BEGINNING, "checked_at": timezone.now()
        },
    )  # fmt: skip
    # Never backwards: the former watermark's promise still holds (and the answers before
    # it are no longer in LiveAnswer, so reading them again would count them twice).
    if pairwise:
        watermark = max(watermark, aggregate.answers_since)
        applied = _apply_answers(campaign_id, since=aggregate.answers_since, watermark=watermark)
        aggregate.answers_since = watermark
    else:
        watermark = max(watermark, aggregate.ballots_since)
        applied = _apply_ballots(
            campaign_id, since=aggregate.ballots_since, until=datetime.max.replace(tzinfo=UTC)
        )
        aggregate.ballots_since = watermark
    aggregate.save(update_fields=["ballots_since", "answers_since"])
    return applied


def aggregate_check(*, campaign_id: int, pairwise: bool) -> int:
    """Compare the aggregate with a full recount of the rows behind its watermark (the
    reconciliation, like the tallies'): ballots whose choices changed unseen, counts that
    differ from the ballots or answers counted. Logs and repairs any difference, which it
    returns (0: the aggregate was right). Call under the campaign's results lock."""
    aggregate_update(campaign_id=campaign_id, pairwise=pairwise)
    aggregate = LiveAggregate.objects.get(campaign_id=campaign_id)
    params = {"campaign": campaign_id, "since": aggregate.answers_since}
    missed = 0
    if not pairwise:
        missed = _apply_ballots(campaign_id, since=_BEGINNING, until=aggregate.ballots_since)
        missed += _execute(
            """WITH gone AS (
                   DELETE FROM voting_liveballot counted WHERE campaign_id = %(campaign)s
                   AND NOT EXISTS (SELECT 1 FROM voting_ballot WHERE id = counted.ballot_id)
                   RETURNING 1)
               SELECT count(*) FROM gone""",
            params,
        )[0][0]
    expected = _EXPECTED_ANSWERS if pairwise else _EXPECTED_BALLOTS
    differing = _execute(
        f"""WITH expected AS ({expected}), stored AS ({_STORED})
            SELECT count(*) FROM ((TABLE expected EXCEPT TABLE stored)
                                  UNION ALL (TABLE stored EXCEPT TABLE expected)) differing""",  # noqa: S608
        params,
    )[0][0]
    if differing:
        _execute("DELETE FROM voting_livecount WHERE campaign_id = %(campaign)s", params)
        _execute(
            f"""INSERT INTO voting_livecount (campaign_id, key, count)
                SELECT %(campaign)s, key, count FROM ({expected}) expected (key, count)""",  # noqa: S608
            params,
        )
    LiveAggregate.objects.filter(campaign_id=campaign_id).update(checked_at=timezone.now())
    if missed or differing:
        logger.error(
            "live aggregate of campaign %s differed from a full recount: %s ballots missed, "
            "%s counts repaired",
            campaign_id, missed, differing,
        )  # fmt: skip
    return missed + differing


def aggregates_due_for_check() -> list[int]:
    """Campaigns whose aggregate was last checked more than CHECK_EVERY ago."""
    return list(
        LiveAggregate.objects.filter(checked_at__lt=timezone.now() - CHECK_EVERY)
        .order_by("checked_at")
        .values_list("campaign_id", flat=True)
    )


def aggregate_drop(*, campaign_id: int) -> None:
    """Forget the campaign's aggregate (once its final result is computed)."""
    params = {"campaign": campaign_id}
    for table in ("voting_livecount", "voting_liveballot", "voting_liveanswer"):
        _execute(f"DELETE FROM {table} WHERE campaign_id = %(campaign)s", params)  # noqa: S608
    LiveAggregate.objects.filter(campaign_id=campaign_id).delete()
