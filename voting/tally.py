"""Tallies: derived from the vote rows by the workers, never by the voters' requests."""

import time
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Max, Q, Sum
from django.db.models.expressions import RawSQL
from django.utils import timezone

from campaigns.models import Campaign
from ideas.models import Idea
from voting import dirty
from voting.formats import format_for, format_keys
from voting.methods.ratings import HOT_EPOCH, HOT_SECONDS_PER_DECADE
from voting.milestones import milestones_reached
from voting.models import IdeaTally, Vote

# A vote written by a transaction that began before a tally was computed may commit after
# it; reconciliation looks this far back so such a vote is never missed.
RECONCILE_LOOKBACK = timedelta(seconds=60)


def _id_array(ids: list[int]) -> RawSQL:
    """`IN (SELECT unnest(%s))` with one array parameter: a batch of 5,000 ids as an
    `IN (%s, %s, ...)` list costs more to build and parse than the query costs to run."""
    return RawSQL("SELECT unnest(%s::bigint[])", [ids])


def tally_recompute(*, idea_ids: Iterable[int]) -> int:
    """Recount the tallies of `idea_ids` from their vote rows; returns how many.

    Holds row locks on the tally rows (taken in id order, so two workers never deadlock)
    for the length of one grouped count; voters never take these locks. Idempotent."""
    ids = sorted(set(idea_ids))
    if not ids:
        return 0
    with transaction.atomic():
        missing = set(ids) - set(
            IdeaTally.objects.filter(idea_id__in=_id_array(ids)).values_list("idea_id", flat=True)
        )
        if missing:
            IdeaTally.objects.bulk_create(
                [
                    IdeaTally(idea_id=pk, campaign_id=campaign_id)
                    for pk, campaign_id in Idea.objects.filter(pk__in=missing).values_list(
                        "pk", "campaign_id"
                    )
                ],
                ignore_conflicts=True,
            )
        tallies = list(
            IdeaTally.objects.select_for_update(of=("self",))
            .annotate(idea_created_at=F("idea__created_at"))
            .filter(idea_id__in=_id_array(ids))
            .order_by("idea_id")
        )
        # A batch spans few campaigns: fetch them once, not one joined copy per tally.
        campaigns = Campaign.objects.in_bulk({tally.campaign_id for tally in tallies})
        for tally in tallies:
            tally.campaign = campaigns[tally.campaign_id]
        counts = {
            row["idea_id"]: row
            for row in Vote.objects.filter(idea_id__in=_id_array(ids))
            .values("idea_id")
            .annotate(
                up=Count("pk", filter=Q(value=Vote.Value.UP)),
                down=Count("pk", filter=Q(value=Vote.Value.DOWN)),
                rated=Count("pk", filter=Q(value__gte=1)),
                stars=Sum("value", filter=Q(value__gte=1), default=0),
                last=Max("updated_at"),
            )
        }
        now = timezone.now()
        for tally in tallies:
            row = counts.get(tally.idea_id, EMPTY_COUNTS)
            _apply_counts(tally, row, now=now)
            reached = [
                m
                for m in settings.FOULE_VOTE_MILESTONES
                if tally.highest_milestone < m <= tally.vote_count
            ]
            if reached:
                tally.highest_milestone = reached[-1]
                milestones_reached(idea_id=tally.idea_id, milestones=reached)
        _write_tallies(tallies)
    return len(tallies)


# The SQL type of each written column, for the VALUES list below.
TALLY_COLUMN_TYPES = {
    "upvotes": "integer", "downvotes": "integer", "score": "integer",
    "wilson_lower_bound": "double precision", "highest_milestone": "integer",
    "last_vote_at": "timestamptz", "computed_at": "timestamptz", "rating_sum": "integer",
    "method_score": "double precision", "hot_score": "double precision",
    "controversy": "double precision", "support_stage": "smallint",
    "support_deadline": "timestamptz", "support_status": "varchar",
    "exposure_score": "double precision",
}  # fmt: skip


def _write_tallies(tallies: list[IdeaTally]) -> None:
    """One UPDATE ... FROM unnest(one array per column): a fixed 16 parameters whatever the
    batch size. Django's bulk_update writes a CASE per column that PostgreSQL evaluates
    row by row against every id (quadratic), and a VALUES list of thousands of rows costs
    more to build and parse than to run."""
    if not tallies:
        return
    columns = ["idea_id", *TALLY_FIELDS]
    types = {"idea_id": "bigint", **TALLY_COLUMN_TYPES}
    arrays = ", ".join(f"%s::{types[name]}[]" for name in columns)
    assignments = ", ".join(f"{name} = v.{name}" for name in TALLY_FIELDS)
    # Names come from TALLY_FIELDS, never from input; every value is a parameter.
    sql = (
        f"UPDATE {IdeaTally._meta.db_table} AS t SET {assignments} "  # noqa: S608
        f"FROM unnest({arrays}) AS v({', '.join(columns)}) WHERE t.idea_id = v.idea_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [[getattr(tally, name) for tally in tallies] for name in columns])


EMPTY_COUNTS = {"up": 0, "down": 0, "rated": 0, "stars": 0, "last": None}
TALLY_FIELDS = [
    "upvotes", "downvotes", "score", "wilson_lower_bound", "highest_milestone", "last_vote_at",
    "computed_at", "rating_sum", "method_score", "hot_score", "controversy", "support_stage",
    "support_deadline", "support_status", "exposure_score",
]  # fmt: skip


def _apply_counts(tally: IdeaTally, row: dict, *, now) -> None:
    """Write the counts of one idea into its tally, the way its campaign's format reads
    them (see VotingFormat.apply_counts)."""
    tally.last_vote_at = row["last"]
    tally.computed_at = now
    format_for(tally.campaign).apply_counts(tally, row, now=now)


def tally_drain_dirty(*, batch_size: int = 500, max_batches: int = 40) -> int:
    """Recount the ideas in the dirty set, a batch at a time; returns how many.

    If a batch fails, its ids go back into the set. If the worker dies mid-batch they are
    lost from Redis, and tally_reconcile recounts them from the vote rows."""
    done = 0
    for _batch in range(max_batches):
        popped = dirty.pop_dirty(batch_size)
        if not popped:
            break
        try:
            done += tally_recompute(idea_ids=[idea_id for idea_id, _marked_at in popped])
        except Exception:
            for idea_id, marked_at in popped:
                dirty.mark_dirty(idea_id, marked_at=marked_at)
            raise
        now = time.time()
        dirty.record_lags([now - marked_at for _idea_id, marked_at in popped])
    return done


def stale_idea_ids() -> list[int]:
    """Ideas whose tally is missing or older than (one lookback before) their newest vote."""
    return list(
        Vote.objects.filter(
            Q(idea__tally__isnull=True)
            | Q(idea__tally__computed_at__isnull=True)
            | Q(updated_at__gt=F("idea__tally__computed_at") - RECONCILE_LOOKBACK)
        )
        .values_list("idea_id", flat=True)
        .distinct()
    )


def tally_reconcile(*, batch_size: int = 500) -> int:
    ids = stale_idea_ids()
    for start in range(0, len(ids), batch_size):
        tally_recompute(idea_ids=ids[start : start + batch_size])
    return len(ids)


def support_expire_due() -> int:
    """Recount the active supporter-threshold ideas whose deadline has passed: the recount
    expires those that missed their stage (run by beat every minute). Returns how many."""
    ids = list(
        IdeaTally.objects.filter(
            campaign__voting_method__in=format_keys(lambda fmt: fmt.has_support_stages),
            support_status="active",
            support_deadline__lte=timezone.now(),
        ).values_list("idea_id", flat=True)
    )
    for start in range(0, len(ids), 500):
        tally_recompute(idea_ids=ids[start : start + 500])
    return len(ids)


def tally_recount_all(*, batch_size: int = 5000) -> int:
    """Recount the tally of every idea voted idea by idea from its vote rows; returns how
    many. For repairs, imports and restores: the workers' path is tally_drain_dirty.

    Up/down tallies are recounted by one grouped UPDATE ... FROM: the counts and every
    score derived from them (score, Wilson bound, hot, controversy, exposure) computed in
    SQL with the same floating-point operations as _apply_counts. The table is locked
    EXCLUSIVE for that statement (reads go on; the workers' recounts wait, so they cannot
    deadlock on its row locks). Ideas whose recount would reach a vote milestone, ideas
    without a tally row and the support and star methods (stage events, Bayesian
    average) go through tally_recompute, `batch_size` at a time, so their notifications
    and support events are exactly those of the incremental path."""
    idea_table, tally_table = Idea._meta.db_table, IdeaTally._meta.db_table
    vote_table, campaign_table = Vote._meta.db_table, Campaign._meta.db_table
    # Table names come from the models, never from input; every value is a parameter.
    sql = f"""
        UPDATE {tally_table} AS t SET
            upvotes = s.up, downvotes = s.down, score = s.up - s.down, last_vote_at = s.last,
            computed_at = %(now)s,
            wilson_lower_bound = CASE WHEN s.n = 0 THEN 0.0 ELSE
                ((s.phat + %(z2)s / (2 * s.n)::float8)
                 - %(z)s * sqrt((s.phat * (1 - s.phat) + %(z2)s / (4 * s.n)::float8)
                                / s.n::float8))
                / (1 + %(z2)s / s.n::float8) END,
            hot_score = round((
                sign((s.up - s.down)::float8) * log10(greatest(abs(s.up - s.down), 1)::float8)
                + (s.epoch - %(hot_epoch)s::float8) / %(hot_decade)s::float8)::numeric, 7)::float8,
            controversy = CASE WHEN s.up <= 0 OR s.down <= 0 THEN 0.0 ELSE
                power(s.n::float8, least(s.up, s.down)::float8 / greatest(s.up, s.down)::float8)
                END,
            exposure_score = (s.up + 1)::float8 / (t.impressions + 10)::float8
        FROM {campaign_table} AS c, (
            SELECT i.id AS idea_id, extract(epoch FROM i.created_at)::float8 AS epoch,
                   coalesce(v.up, 0) AS up, coalesce(v.down, 0) AS down,
                   coalesce(v.up + v.down, 0) AS n, v.last,
                   CASE WHEN v.up + v.down > 0
                        THEN v.up::float8 / (v.up + v.down)::float8 END AS phat
            FROM {idea_table} AS i LEFT JOIN (
                SELECT idea_id, count(*) FILTER (WHERE value = 1) AS up,
                       count(*) FILTER (WHERE value = -1) AS down, max(updated_at) AS last
                FROM {vote_table} GROUP BY idea_id
            ) AS v ON v.idea_id = i.id
        ) AS s
        WHERE t.idea_id = s.idea_id AND c.id = t.campaign_id
          AND c.voting_method = ANY(%(sql_formats)s)
          AND NOT EXISTS (SELECT 1 FROM unnest(%(milestones)s::integer[]) AS m
                          WHERE m > t.highest_milestone AND m <= s.n)
        RETURNING t.idea_id"""  # noqa: S608
    params = {
        "now": timezone.now(), "z": 1.96, "z2": 1.96 * 1.96, "hot_epoch": HOT_EPOCH,
        "hot_decade": HOT_SECONDS_PER_DECADE, "milestones": list(settings.FOULE_VOTE_MILESTONES),
        "sql_formats": format_keys(lambda fmt: fmt.recount_in_sql),
    }  # fmt: skip
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {tally_table} IN EXCLUSIVE MODE")
        cursor.execute(sql, params)
        done = {row[0] for row in cursor.fetchall()}
    rest = sorted(
        set(
            Idea.objects.filter(
                campaign__voting_method__in=format_keys(lambda fmt: fmt.votes_per_idea)
            ).values_list("pk", flat=True)
        )
        - done
    )
    for start in range(0, len(rest), batch_size):
        tally_recompute(idea_ids=rest[start : start + batch_size])
    return len(done) + len(rest)
