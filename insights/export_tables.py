"""The tables a campaign export holds (insights.exports builds and writes them): ideas,
anonymised votes, comments and the result. Each is a header, a row count and a lazy
iterator of rows read in chunks; the voting format of the campaign says which columns
its votes and results have (voting.formats)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.db.models import CharField, Exists, Func, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import public_name_for
from campaigns.models import Campaign
from ideas.models import Comment, Idea
from voting.audit import voter_receipt
from voting.formats import all_formats, format_for
from voting.formats.base import VotingFormat
from voting.models import Ballot, BallotChoice, CampaignResult, PairwisePrompt, Vote

CHUNK_SIZE = 5000  # rows fetched per round trip, and rows between two progress updates
RECEIPT_CACHE_SIZE = 50_000


class Table:
    """A header, the number of rows expected, and the rows (a lazy iterator)."""

    def __init__(self, *, header: list[str], count: int, rows: Iterable[list]):
        self.header = header
        self.count = count
        self.rows = rows


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


def ideas_table(campaign: Campaign) -> Table:
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


def votes_table(campaign: Campaign) -> Table:
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


def comments_table(campaign: Campaign) -> Table:
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


def results_table(campaign: Campaign) -> Table:
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
