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
import logging
import os
import tempfile
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from itertools import islice

from django.core.files import File
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from campaigns import rules
from campaigns.models import Campaign
from core.errors import ApplicationError, Conflict
from insights.export_tables import (
    CHUNK_SIZE,
    Table,
    comments_table,
    ideas_table,
    results_table,
    votes_table,
)
from insights.models import CampaignExport

logger = logging.getLogger(__name__)

MAX_ACTIVE_EXPORTS_PER_USER = 5
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


def _table(export: CampaignExport) -> Table:
    builders = {
        CampaignExport.Kind.IDEAS: ideas_table,
        CampaignExport.Kind.VOTES: votes_table,
        CampaignExport.Kind.COMMENTS: comments_table,
        CampaignExport.Kind.RESULTS: results_table,
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
