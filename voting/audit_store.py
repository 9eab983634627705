"""A final result's audit list, stored once in numbered gzip chunks (`AuditChunk`), and its
digest computed as a stream.

The digest is the SHA-256 of exactly the bytes `voting.audit.audit_digest` hashes: the
canonical JSON of each entry (sorted keys, no spaces, ASCII), joined by commas inside
brackets. Each chunk holds CHUNK_ENTRIES of those lines, one per line, as a complete gzip
member: the chunks concatenated in order are the whole list as one gzip file of JSON lines
(what the API's download sends without decompressing anything), and an auditor recomputes
the digest from its lines. Nothing here holds more than one chunk."""

import gzip
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db.models import Count, Subquery, Sum

from voting.models import AuditChunk, CampaignResult

CHUNK_ENTRIES = 10_000
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"))


def canonical_line(entry: dict) -> bytes:
    """One entry as `audit_digest` serialises it inside the list."""
    return _CANONICAL.encode(entry).encode()


class DigestStream:
    """SHA-256 of "[" + ",".join(lines) + "]", fed one line at a time."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256(b"[")
        self.count = 0

    def add(self, line: bytes) -> None:
        if self.count:
            self._hash.update(b",")
        self._hash.update(line)
        self.count += 1

    def hexdigest(self) -> str:
        closed = self._hash.copy()
        closed.update(b"]")
        return closed.hexdigest()


def stream_digest(entries: Iterable[dict]) -> tuple[str, int]:
    """(digest, number of entries) of entries streamed from the database."""
    digest = DigestStream()
    for entry in entries:
        digest.add(canonical_line(entry))
    return digest.hexdigest(), digest.count


def _chunk(result: CampaignResult, number: int, lines: list[bytes]) -> AuditChunk:
    data = b"".join(line + b"\n" for line in lines)
    # mtime=0: the same list always gives the same bytes.
    compressed = gzip.compress(data, compresslevel=6, mtime=0)
    return AuditChunk(result=result, number=number, entry_count=len(lines), data=compressed)


def audit_chunks_write(*, result: CampaignResult, entries: Iterable[dict]) -> tuple[str, int]:
    """Replace `result`'s chunks by `entries` (streamed) and return (digest, number of
    entries). Chunk 1 is written even when there is no entry. Call it inside the
    transaction that holds the campaign's results lock (voting.results)."""
    AuditChunk.objects.filter(result=result).delete()
    chunk_entries = CHUNK_ENTRIES  # read at each call: tests make chunks small
    digest = DigestStream()
    lines: list[bytes] = []
    number = 1
    for entry in entries:
        line = canonical_line(entry)
        digest.add(line)
        lines.append(line)
        if len(lines) == chunk_entries:
            _chunk(result, number, lines).save(force_insert=True)
            number, lines = number + 1, []
    if lines or number == 1:
        _chunk(result, number, lines).save(force_insert=True)
    return digest.hexdigest(), digest.count


def chunk_lines(data: bytes | memoryview) -> list[bytes]:
    return gzip.decompress(bytes(data)).splitlines()


def has_chunks(*, result_id: int) -> bool:
    return AuditChunk.objects.filter(result_id=result_id, number=1).exists()


def iter_chunk_data(*, result_id: int) -> Iterator[bytes]:
    """The stored gzip members in order, one query and one chunk in memory at a time."""
    number = 1
    while True:
        data = (
            AuditChunk.objects.filter(result_id=result_id, number=number)
            .values_list("data", flat=True)
            .first()
        )
        if data is None:
            return
        yield bytes(data)
        number += 1


def chunks_digest(*, result_id: int) -> tuple[str, int]:
    """(digest, number of entries) recomputed from the stored chunks."""
    digest = DigestStream()
    for data in iter_chunk_data(result_id=result_id):
        for line in chunk_lines(data):
            digest.add(line)
    return digest.hexdigest(), digest.count


@dataclass(frozen=True)
class AuditPage:
    number: int
    lines: list[bytes]  # canonical JSON, one entry each
    total: int  # entries in the whole list
    pages: int


def audit_page(*, result_id: int, number: int) -> AuditPage | None:
    """Chunk `number` with the list's totals, in one query (None: no such chunk)."""
    chunks = AuditChunk.objects.filter(result_id=result_id).order_by().values("result_id")
    row = (
        AuditChunk.objects.filter(result_id=result_id, number=number)
        .annotate(
            total=Subquery(chunks.annotate(n=Sum("entry_count")).values("n")),
            pages=Subquery(chunks.annotate(n=Count("pk")).values("n")),
        )
        .values_list("data", "total", "pages")
        .first()
    )
    if row is None:
        return None
    data, total, pages = row
    return AuditPage(number=number, lines=chunk_lines(data), total=total, pages=pages)
