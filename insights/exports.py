"""Exports of a campaign's data (ideas, anonymised votes, comments, results) as CSV or XLSX,
built by a Celery worker with a progress counter the export page polls.

- `export_request` checks, writes the row and enqueues `insights.tasks.campaign_export_build`
  after commit.
- `export_build` streams the rows from the database in chunks (`.iterator(chunk_size=...)`:
  a server-side cursor, so a campaign is never loaded in memory), writes them to a temporary
  file, copies it to the private storage and marks the export done. It runs in autocommit:
  each progress UPDATE is committed at once (and visible to the page) and holds no lock.
- `exports_delete_expired` (beat) removes exports older than `EXPORT_RETENTION`, file and row.

The files hold a campaign's data: they live in `core.storage.private_storage`, which no URL
serves; only the download view, after `can_export_campaign`, reads them."""

from __future__ import annotations

import contextlib
import csv
import hashlib
import logging
import os
import tempfile
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from itertools import islice

from django.conf import settings
from django.core.files import File
from django.db import connection, transaction
from django.db.models import CharField, Exists, Func, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from accounts.models import public_name_for
from campaigns import rules
from campaigns.models import Campaign
from core.errors import ApplicationError, Conflict
from ideas.models import Comment, Idea
from insights.models import CampaignExport
from voting.audit import voter_receipt
from voting.formats import all_formats, format_for
from voting.formats.base import VotingFormat
from voting.models import Ballot, BallotChoice, CampaignResult, PairwisePrompt, Vote

logger = logging.getLogger(__name__)

MAX_ACTIVE_EXPORTS_PER_USER = 5
CHUNK_SIZE = 5000  # rows fetched per round trip, and rows between two progress updates
RECEIPT_CACHE_SIZE = 50_000
# An XLSX sheet holds 1,048,576 rows; one is the header. More rows continue on a new sheet.
XLSX_MAX_DATA_ROWS = 1_048_575
EXPORT_RETENTION = timedelta(days=7)
# An export still queued or running after this long lost its task (a flushed broker): it
# is marked failed, so that it stops counting against its requester's limit.
EXPORT_STALE_AFTER = timedelta(hours=6)

CONTENT_TYPES = {
    CampaignExport.Format.CSV: "text/csv; charset=utf-8",
    CampaignExport.Format.XLSX: (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ),
}

# Advisory lock keys: the single 64-bit form, whose key space does not overlap with the
# two-int form used by voting (campaign, voter) and results (0x5E5, campaign).
_REQUEST_LOCK = 0x4558_5051 << 32  # "EXPQ": one user's requests, one at a time
_BUILD_LOCK = 0x4558_5042 << 32  # "EXPB": one build of an export at a time

# Cells a spreadsheet would read as a formula (CSV injection): "=", "+", "-", "@", and the
# tab / carriage return some spreadsheets strip before looking at the first character.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# -- request -------------------------------------------------------------------------------


def export_request(
    *,
    campaign: Campaign,
    user,
    kind: str,
    format: str,  # noqa: A002 (the model's field name)
) -> CampaignExport:
    """Queue an export of `campaign` for `user`.

    Raises NotAllowed unless `can_export_campaign`, ApplicationError(field="kind"/"format")
    for an unknown kind or format, Conflict when the user already has
    MAX_ACTIVE_EXPORTS_PER_USER exports queued or running (counted under a per-user
    advisory lock, so two simultaneous requests cannot both pass the count). The build is
    enqueued after commit."""
    rules.can_export_campaign.check(user, campaign)
    if kind not in CampaignExport.Kind.values:
        raise ApplicationError(_("Choose what to export."), field="kind")
    if format not in CampaignExport.Format.values:
        raise ApplicationError(_("Choose CSV or XLSX."), field="format")
    from insights.tasks import campaign_export_build  # imported here: tasks import this module

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_REQUEST_LOCK | user.pk])
        active = CampaignExport.objects.filter(
            requested_by=user,
            status__in=[CampaignExport.Status.QUEUED, CampaignExport.Status.RUNNING],
        ).count()
        if active >= MAX_ACTIVE_EXPORTS_PER_USER:
            raise Conflict(
                _("You already have %(count)d exports in progress; wait until one of them is done.")
                % {"count": active}
            )
        export = CampaignExport.objects.create(
            campaign=campaign, requested_by=user, kind=kind, format=format
        )
        export_id = export.pk
        transaction.on_commit(lambda: campaign_export_build.delay(export_id))
    return export


# -- reads ---------------------------------------------------------------------------------


def exports_for_campaign(*, campaign: Campaign, limit: int = 50) -> list[CampaignExport]:
    """The campaign's latest exports, newest first (one query)."""
    return list(
        CampaignExport.objects.filter(campaign=campaign).select_related("requested_by")[:limit]
    )


def export_filename(export: CampaignExport) -> str:
    """The name a download is saved under."""
    stamp = timezone.localtime(export.created_at).strftime("%Y%m%d-%H%M")
    return f"{export.campaign.slug}-{export.kind}-{stamp}.{export.format}"


# -- build ---------------------------------------------------------------------------------


def export_build(*, export_id: int) -> CampaignExport | None:
    """Build the export's file. Idempotent: a done export is left alone; a queued, running
    (a re-delivered task whose worker died) or failed one starts again from row 0, its
    previous file removed. A second build of the same export running at the same time
    (session advisory lock) returns at once.

    Never raises for a failure of the build itself: the export is marked failed with a
    readable error (a re-raised exception would only make the task run again, and fail
    again). Must not run inside a transaction if the page is to see the progress."""
    export = CampaignExport.objects.select_related("campaign").filter(pk=export_id).first()
    if export is None or export.status == CampaignExport.Status.DONE:
        return export
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [_BUILD_LOCK | export_id])
        if not cursor.fetchone()[0]:
            return export  # another worker is building it
    try:
        return _build_locked(export)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [_BUILD_LOCK | export_id])


def _build_locked(export: CampaignExport) -> CampaignExport:
    export.refresh_from_db(fields=["status", "file"])  # as it is now that we hold the lock
    if export.status == CampaignExport.Status.DONE:
        return export
    old_file = export.file.name
    if old_file:  # a build that saved its file but died before it was marked done
        export.file.storage.delete(old_file)
    CampaignExport.objects.filter(pk=export.pk).update(
        status=CampaignExport.Status.RUNNING, rows_done=0, rows_total=0, error="", file=""
    )
    saved_name = ""
    temporary = None
    try:
        table = _table(export)
        CampaignExport.objects.filter(pk=export.pk).update(rows_total=table.count)
        temporary = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed in finally)
            prefix="foule-export-", suffix=f".{export.format}", delete=False
        )
        temporary.close()
        written = _write(export, table, temporary.name)
        with open(temporary.name, "rb") as handle:
            saved_name = export.file.storage.save(
                export.file.field.generate_filename(export, _stored_name(export)),
                File(handle),
            )
        finished = CampaignExport.objects.filter(
            pk=export.pk, status=CampaignExport.Status.RUNNING
        ).update(
            status=CampaignExport.Status.DONE,
            file=saved_name,
            rows_done=written,
            rows_total=written,
            finished_at=timezone.now(),
        )
        if not finished:  # marked failed (stale) or deleted meanwhile: keep no orphan
            export.file.storage.delete(saved_name)
    except Exception as error:
        logger.exception("export %s failed", export.pk)
        if saved_name:
            export.file.storage.delete(saved_name)
        CampaignExport.objects.filter(pk=export.pk).update(
            status=CampaignExport.Status.FAILED,
            error=_("The export failed (%(reason)s). Please request it again.")
            % {"reason": f"{type(error).__name__}: {error}"[:500]},
            file="",
            finished_at=timezone.now(),
        )
    finally:
        if temporary is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary.name)
    export.refresh_from_db()
    return export


def _stored_name(export: CampaignExport) -> str:
    return f"{export.campaign.slug}-{export.kind}-{export.pk}.{export.format}"


class Table:
    """A header, the number of rows expected, and the rows (a lazy iterator)."""

    def __init__(self, *, header: list[str], count: int, rows: Iterable[list]):
        self.header = header
        self.count = count
        self.rows = rows


def _table(export: CampaignExport) -> Table:
    builders = {
        CampaignExport.Kind.IDEAS: _ideas_table,
        CampaignExport.Kind.VOTES: _votes_table,
        CampaignExport.Kind.COMMENTS: _comments_table,
        CampaignExport.Kind.RESULTS: _results_table,
    }
    return builders[export.kind](export.campaign)


def _write(export: CampaignExport, table: Table, path: str) -> int:
    """Write the table to `path`; update rows_done every CHUNK_SIZE rows. Returns the
    number of data rows written."""
    progress = _Progress(export.pk)
    rows = (_clean_row(row) for row in progress.counting(table.rows))
    if export.format == CampaignExport.Format.CSV:
        with open(path, "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(table.header)
            writer.writerows(rows)
    else:
        write_xlsx(path=path, header=table.header, rows=rows)
    return progress.done


def write_xlsx(*, path: str, header: list[str], rows: Iterable[list]) -> None:
    """A streamed workbook (write-only: rows go to disk as they come). A sheet holds the
    header and XLSX_MAX_DATA_ROWS rows; more continue on "Sheet 2", and so on. An empty
    table is one sheet with the header."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    rows = iter(rows)
    number = 0
    while True:
        first = next(rows, None)
        if first is None and number:
            break
        number += 1
        sheet = workbook.create_sheet(title=_("Sheet %(number)d") % {"number": number})
        sheet.append(header)
        if first is None:
            break
        sheet.append(first)
        for row in islice(rows, XLSX_MAX_DATA_ROWS - 1):
            sheet.append(row)
    workbook.save(path)


class _Progress:
    def __init__(self, export_id: int):
        self.export_id = export_id
        self.done = 0

    def counting(self, rows: Iterable[list]) -> Iterator[list]:
        for row in rows:
            yield row
            self.done += 1
            if self.done % CHUNK_SIZE == 0:
                # A plain UPDATE, committed at once (autocommit): no lock held.
                CampaignExport.objects.filter(
                    pk=self.export_id, status=CampaignExport.Status.RUNNING
                ).update(rows_done=self.done)


def _clean_row(row: list) -> list:
    return [
        value if value.__class__ is int or value.__class__ is float else _clean_cell(value)
        for value in row
    ]


def _clean_cell(value):
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str):
        # Control characters neither XML nor Excel accept are dropped.
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value.startswith(_FORMULA_STARTS):
            return "'" + value
    return value


class IsoUtc(Func):
    """A timestamp as ISO 8601 text in UTC, to the microsecond, formatted by PostgreSQL
    (no datetime object per row): 2025-03-04T05:06:07.000000Z."""

    template = "to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
    output_field = CharField()


def _public_name(pk: int, display_name: str, erased_at) -> str:
    """User.public_name, from the columns (no model instance per row)."""
    return public_name_for(pk=pk, display_name=display_name, is_erased=erased_at is not None)


def _chunked_iterator(queryset, *fields) -> Iterator[tuple]:
    return queryset.values_list(*fields).iterator(chunk_size=CHUNK_SIZE)


# -- ideas ---------------------------------------------------------------------------------


def _ideas_table(campaign: Campaign) -> Table:
    voting_format = format_for(campaign)
    extra_header = [header for header, _field in voting_format.idea_export_columns]
    extra_fields = [field for _header, field in voting_format.idea_export_columns]
    header = ["id", "title", "author", "status", "answer", "created_at",
              "upvotes", "downvotes", "score", *extra_header, "url", "content_hash"]  # fmt: skip
    queryset = Idea.objects.filter(campaign=campaign).order_by("pk")
    placeholder = 987654321
    url_pattern = settings.SITE_URL.rstrip("/") + reverse(
        "ideas:detail", kwargs={"pk": placeholder}
    )
    url_before, url_after = url_pattern.split(str(placeholder))

    def rows():
        for (pk, title, author_id, display_name, erased_at, status, answer, created_at, up,
             down, score, *extra, content_hash) in _chunked_iterator(
            queryset, "pk", "title", "author_id", "author__display_name", "author__erased_at",
            "status", "answer", IsoUtc("created_at"), "tally__upvotes", "tally__downvotes",
            "tally__score", *extra_fields, "content_hash",
        ):  # fmt: skip
            extra = voting_format.export_idea_values(extra)
            yield [pk, title, _public_name(author_id, display_name, erased_at), status, answer,
                   created_at, up or 0, down or 0, score or 0, *extra,
                   f"{url_before}{pk}{url_after}", content_hash]  # fmt: skip

    return Table(header=header, count=queryset.count(), rows=rows())


# -- votes (anonymised) --------------------------------------------------------------------


def _votes_table(campaign: Campaign) -> Table:
    """What was counted, as in voting.results.audit_entries, with no account id or email:
    per-idea votes under the voter's HMAC receipt for this campaign, ballots under their
    receipt, pairwise answers under the SHA-256 of their prompt's token."""
    voting_format = format_for(campaign)
    if voting_format.votes_per_idea:
        votes = (
            Vote.objects.filter(idea__campaign=campaign)
            .exclude(value=Vote.Value.RETRACTED)
            .order_by("pk")
        )

        def vote_rows():
            # A voter votes on many ideas: their receipt (an HMAC) is computed once, in a
            # bounded cache.
            receipts: dict[int, str] = {}
            for voter_id, idea_id, value, created_at in _chunked_iterator(
                votes, "voter_id", "idea_id", "value", IsoUtc("created_at")
            ):
                receipt = receipts.get(voter_id)
                if receipt is None:
                    if len(receipts) >= RECEIPT_CACHE_SIZE:
                        receipts.clear()
                    receipt = voter_receipt(campaign_id=campaign.pk, voter_id=voter_id)
                    receipts[voter_id] = receipt
                yield [receipt, idea_id, value, created_at]

        return Table(
            header=["receipt", "idea_id", "value", "created_at"],
            count=votes.count(),
            rows=vote_rows(),
        )
    if voting_format.is_pairwise:
        prompts = PairwisePrompt.objects.filter(
            campaign=campaign, answered_at__isnull=False
        ).order_by("pk")

        def prompt_rows():
            for token, left, right, outcome, answered_at in _chunked_iterator(
                prompts, "token", "left_id", "right_id", "outcome", IsoUtc("answered_at")
            ):
                receipt = hashlib.sha256(token.encode()).hexdigest()[:32]
                yield [receipt, left, right, outcome, answered_at]

        return Table(
            header=["receipt", "left_idea_id", "right_idea_id", "outcome", "answered_at"],
            count=prompts.count(),
            rows=prompt_rows(),
        )
    # Ballots: one row per ballot with at least one choice, its choices best first.
    choices = BallotChoice.objects.filter(ballot__campaign=campaign).order_by(
        "ballot_id", "rank", "idea_id"
    )
    ballots = Ballot.objects.filter(campaign=campaign).filter(
        Exists(BallotChoice.objects.filter(ballot=OuterRef("pk")))
    )

    def ballot_rows():
        current, receipt, cast_at, ideas = None, "", None, []
        for ballot_id, ballot_receipt, updated_at, idea_id in _chunked_iterator(
            choices, "ballot_id", "ballot__receipt", IsoUtc("ballot__updated_at"), "idea_id"
        ):
            if ballot_id != current:
                if current is not None:
                    yield [receipt, " ".join(map(str, ideas)), len(ideas), cast_at]
                current, receipt, cast_at, ideas = ballot_id, ballot_receipt, updated_at, []
            ideas.append(idea_id)
        if current is not None:
            yield [receipt, " ".join(map(str, ideas)), len(ideas), cast_at]

    return Table(
        header=["receipt", "choices", "choice_count", "cast_at"],
        count=ballots.count(),
        rows=ballot_rows(),
    )


# -- comments ------------------------------------------------------------------------------


def _comments_table(campaign: Campaign) -> Table:
    """The body as its author typed it (Markdown is plain text), never the HTML."""
    comments = Comment.objects.filter(idea__campaign=campaign).order_by("pk")

    def rows():
        for (pk, idea_id, author_id, display_name, erased_at, created_at, body,
             status) in _chunked_iterator(
            comments, "pk", "idea_id", "author_id", "author__display_name", "author__erased_at",
            IsoUtc("created_at"), "body", "status",
        ):  # fmt: skip
            yield [pk, idea_id, _public_name(author_id, display_name, erased_at), created_at,
                   body, status]  # fmt: skip

    return Table(
        header=["id", "idea_id", "author", "created_at", "body", "status"],
        count=comments.count(),
        rows=rows(),
    )


# -- results -------------------------------------------------------------------------------


def _results_table(campaign: Campaign) -> Table:
    """The stored result (voting.models.CampaignResult), by the method's own figures. The
    brand may export it before it is published (it reviews it). Without a result: the
    header and one note row."""
    result = CampaignResult.objects.filter(campaign=campaign).first()
    method = result.method if result else format_for(campaign).result_method(campaign=campaign)
    voting_format = _format_of_result(campaign, method)
    figures = voting_format.result_columns(method=method)
    header = ["rank", "idea_id", "title", *figures]
    if result is None:
        note = _("No result has been computed for this campaign yet.")
        return Table(header=header, count=1, rows=iter([["", "", note] + [""] * len(figures)]))
    ranking = [pk for pk in result.ranking if isinstance(pk, int)]
    details = result.details or {}

    def rows():
        for start in range(0, len(ranking), CHUNK_SIZE):
            ids = ranking[start : start + CHUNK_SIZE]
            titles = dict(Idea.objects.filter(pk__in=ids).values_list("pk", "title"))
            for offset, pk in enumerate(ids):
                rank = start + offset + 1
                values = voting_format.result_row(method=method, details=details, pk=pk)
                yield [rank, pk, titles.get(pk, ""), *values]

    return Table(header=header, count=len(ranking), rows=rows())


def _format_of_result(campaign: Campaign, method: str) -> VotingFormat:
    """The format that stored a result of `method` (the campaign's, unless its method
    was changed since)."""
    voting_format = format_for(campaign)
    if method in voting_format.result_methods():
        return voting_format
    for other in all_formats():
        if method in other.result_methods():
            return other
    return voting_format


# -- retention -----------------------------------------------------------------------------


def exports_delete_expired(*, now: datetime | None = None) -> int:
    """Delete exports older than EXPORT_RETENTION, file then row; mark failed those
    queued or running for longer than EXPORT_STALE_AFTER (their task was lost). Safe to
    run twice. Returns the number of exports deleted."""
    now = now or timezone.now()
    CampaignExport.objects.filter(
        status__in=[CampaignExport.Status.QUEUED, CampaignExport.Status.RUNNING],
        created_at__lt=now - EXPORT_STALE_AFTER,
    ).update(
        status=CampaignExport.Status.FAILED,
        error=_("The export did not finish in time. Please request it again."),
        finished_at=now,
    )
    deleted = 0
    expired = CampaignExport.objects.filter(created_at__lt=now - EXPORT_RETENTION)
    for export in expired.only("pk", "file").iterator(chunk_size=500):
        if export.file.name:
            export.file.storage.delete(export.file.name)
        deleted += CampaignExport.objects.filter(pk=export.pk).delete()[0]
    return deleted
