from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import QuerySet

from campaigns.models import Campaign
from campaigns.rules import can_see_private_ideas, can_view_dashboard
from campaigns.selectors import progress_cache_key
from core.keyset import cursor_decode, cursor_encode, keyset_filter, ordering_fields, row_key
from ideas.models import Idea
from voting import dirty
from voting.audit import voter_receipt
from voting.formats import format_for
from voting.models import Ballot, CampaignResult, IdeaTally, PairwisePrompt, Vote
from voting.orders import apply_order, order_fields, order_name

# The deepest page asked by number (?page=N, an offset): deeper pages are reached by cursor.
MAX_PAGE_NUMBER = 100_000


def vote_value(*, voter, idea: Idea) -> int:
    if not voter.is_authenticated:
        return 0
    return Vote.objects.filter(voter=voter, idea=idea).values_list("value", flat=True).first() or 0


def vote_values_for_ideas(*, voter, ideas) -> dict[int, int]:
    """{idea_id: value} of the voter's current votes on `ideas`: one query for a page."""
    if not voter.is_authenticated:
        return {}
    return dict(
        Vote.objects.filter(voter=voter, idea__in=ideas)
        .exclude(value=Vote.Value.RETRACTED)
        .values_list("idea_id", "value")
    )


def tally_for_idea(*, idea: Idea) -> IdeaTally:
    """The idea's tally (an empty one if it has none yet); no query if the idea was
    fetched with select_related("tally")."""
    related = Idea.tally.related
    if related.is_cached(idea):
        return related.get_cached_value(idea) or IdeaTally(idea=idea)
    return IdeaTally.objects.filter(idea=idea).first() or IdeaTally(idea=idea)


def tally_health() -> dict:
    """How far the tallies are behind the votes: ideas waiting for a recount, the age of
    the oldest one, and the 50th/99th percentile lag (vote commit to recount) over the
    last recounts."""
    lags = sorted(dirty.recent_lags())

    def percentile(share: float) -> float | None:
        return round(lags[min(len(lags) - 1, int(len(lags) * share))], 3) if lags else None

    return {
        "dirty_ideas": dirty.dirty_count(),
        "oldest_dirty_age_seconds": dirty.oldest_dirty_age(),
        "lag_p50_seconds": percentile(0.50),
        "lag_p99_seconds": percentile(0.99),
        "lag_samples": len(lags),
    }


def ballot_for_voter(*, voter, campaign) -> tuple[list[int], str | None]:
    """The voter's current choices (in rank order) and ballot receipt."""
    if not voter.is_authenticated:
        return [], None
    ballot = Ballot.objects.filter(campaign=campaign, voter=voter).first()
    if ballot is None:
        return [], None
    return list(ballot.choices.order_by("rank", "id").values_list("idea_id", flat=True)), (
        ballot.receipt
    )


def receipt_for_voter(*, voter, campaign) -> str | None:
    """What the voter looks for in the audit list: their ballot receipt, or for per-idea
    votes the pseudonym their votes are listed under."""
    if not voter.is_authenticated:
        return None
    if format_for(campaign).uses_ballots:
        return ballot_for_voter(voter=voter, campaign=campaign)[1]
    if Vote.objects.filter(voter=voter, idea__campaign=campaign).exclude(value=0).exists():
        return voter_receipt(campaign_id=campaign.pk, voter_id=voter.pk)
    return None


def result_for_campaign(*, campaign, viewer=None):
    """The stored result, or None if there is none yet or `viewer` may not see it: under a
    results embargo, a final result still in review (published at the results date), and
    a private campaign's ranking (it names its ideas) are for the brand's team only."""
    is_team = viewer is not None and can_view_dashboard(viewer, campaign)
    if campaign.is_private and not (viewer is not None and can_see_private_ideas(viewer, campaign)):
        return None
    if not is_team and not campaign.are_counts_visible():
        return None
    result = CampaignResult.objects.filter(campaign=campaign).first()
    if result is not None and result.is_final and not campaign.are_results_published():
        return result if is_team else None
    return result


def pairs_answered(*, voter, campaign) -> int:
    return PairwisePrompt.objects.filter(
        voter=voter, campaign=campaign, answered_at__isnull=False
    ).count()


def result_rows(*, campaign, result) -> list[dict]:
    """One row per idea of a result, best first, with the figure to chart and its share of
    the largest (0-100) for the bar width. One query for the titles."""
    titles = dict(Idea.objects.filter(pk__in=result.ranking).values_list("pk", "title"))
    details = result.details
    figures = format_for(campaign).result_figures(details=details)
    largest = max([abs(float(v)) for v in figures.values()] or [0]) or 1
    funded = set(details.get("funded", []))
    return [
        {"idea_id": pk, "title": titles.get(pk, "?"), "position": index + 1,
         "figure": figures.get(str(pk), 0),
         "percent": round(100 * abs(figures.get(str(pk), 0)) / largest),
         "funded": pk in funded}
        for index, pk in enumerate(result.ranking)
    ]  # fmt: skip


def campaign_progress(*, campaign: Campaign) -> dict[str, int]:
    """Ideas, votes and participants of a campaign: three counts whatever its size, kept
    for 30 s (on a million votes, counting distinct voters takes a noticeable moment)."""
    return cache.get_or_set(
        progress_cache_key(campaign.pk), lambda: _campaign_progress(campaign), 30
    )


def _campaign_progress(campaign: Campaign) -> dict[str, int]:
    ideas = Idea.objects.visible().filter(campaign=campaign)
    # Votes, non-empty ballots or answered pairs, as the format stores them.
    rows, _date_field, _unit = format_for(campaign).participation(campaign=campaign)
    return {
        "ideas": ideas.count(),
        "votes": rows.count(),
        "participants": rows.values("voter_id").distinct().count(),
    }


def idea_list_ordered(
    *, campaign: Campaign, order: str | None = None, seed: str = "", viewer=None
) -> tuple[QuerySet[Idea], str]:
    """Visible ideas of a campaign in the requested order if the campaign's method offers
    it (else its default), and the order used. One query whatever the length: author and
    tally come in the same join; every order but "random" reads an indexed tally column."""
    name = order_name(campaign.voting_method, order, counts_visible=campaign.are_counts_visible())
    # The campaign is filtered on the tally too, so that the tally's order indexes apply.
    # Through the campaign's related manager, each idea's `campaign` is this very object:
    # no campaign columns joined and loaded again on every row.
    queryset = (
        campaign.ideas.visible().filter(tally__campaign=campaign).select_related("author", "tally")
    )
    if campaign.is_private and not can_see_private_ideas(viewer, campaign):
        # A private campaign shows each contributor their own ideas only.
        if viewer is None or not viewer.is_authenticated:
            queryset = queryset.none()
        else:
            queryset = queryset.filter(author=viewer)
    return apply_order(queryset, name, seed=seed), name


@dataclass(frozen=True)
class PagePosition:
    """Where a page of an idea list starts: after the key `after`, before the key
    `before`, else at page `number` (an offset: the links made before cursors existed).
    `key` names the position in a cache key: two requests with the same key ask for the
    same rows, whatever junk their cursors carried."""

    order: str
    after: list | None = None
    before: list | None = None
    number: int = 1

    @property
    def key(self) -> str:
        if self.after is not None:
            return f"{self.order}:after:{cursor_encode(self.after)}"
        if self.before is not None:
            return f"{self.order}:before:{cursor_encode(self.before)}"
        return f"{self.order}:page:{self.number}"


@dataclass(frozen=True)
class IdeaPage:
    """A page of a campaign's idea list. `next_cursor` opens the next page (?after=),
    `previous_cursor` the previous one (?before=); None at either end. `number` is the
    page's number when it was asked by number (?page=N), else None (a cursor page does
    not know how many ideas come before it)."""

    ideas: list[Idea]
    order: str
    next_cursor: str | None
    previous_cursor: str | None
    number: int | None


def idea_page_position(
    *, campaign: Campaign, order: str | None = None, after: str | None = None,
    before: str | None = None, number: int = 1,
) -> PagePosition:  # fmt: skip
    """The position a page request names, in the order the campaign allows (see
    order_name). A cursor that is not a key of that order is ignored. No query."""
    name = order_name(campaign.voting_method, order, counts_visible=campaign.are_counts_visible())
    ordering = order_fields(name)
    fields = ordering_fields(apply_order(Idea.objects.none(), name), ordering)
    after_key = cursor_decode(after, fields)
    before_key = None if after_key is not None else cursor_decode(before, fields)
    return PagePosition(
        order=name, after=after_key, before=before_key,
        number=max(1, min(number, MAX_PAGE_NUMBER)),
    )  # fmt: skip


def idea_page(
    *, campaign: Campaign, position: PagePosition, seed: str = "", viewer=None, size: int = 50
) -> IdeaPage:
    """One page of idea_list_ordered at `position` (see idea_page_position). A cursor page
    reads the order's index from the cursor (page 1,000 costs what page 1 costs), and an
    idea added meanwhile never pushes one of the next page away.

    One query of size + 1 rows (the extra row says whether a next page exists); a `before`
    page that reaches the top of the list is the first page, read again from the top."""
    queryset, name = idea_list_ordered(
        campaign=campaign, order=position.order, seed=seed, viewer=viewer
    )
    ordering = order_fields(name)
    number = position.number
    if position.after is not None:
        rows = list(keyset_filter(queryset, ordering, after=position.after)[: size + 1])
        has_previous, has_next, number = True, len(rows) > size, None
    elif position.before is not None:
        rows = list(keyset_filter(queryset, ordering, before=position.before)[: size + 1])
        has_previous = len(rows) > size
        if has_previous:  # read backwards from the cursor, whose own row comes next
            rows, has_next, number = rows[size - 1 :: -1], True, None
        else:  # nothing before these rows: the first page, full
            rows, number = list(queryset[: size + 1]), 1
            has_next = len(rows) > size
    else:
        start = (number - 1) * size
        rows = list(queryset[start : start + size + 1])
        has_previous, has_next = number > 1, len(rows) > size
    ideas = rows[:size]
    return IdeaPage(
        ideas=ideas,
        order=name,
        next_cursor=cursor_encode(row_key(ideas[-1], ordering)) if has_next else None,
        previous_cursor=(
            cursor_encode(row_key(ideas[0], ordering)) if has_previous and ideas else None
        ),
        number=number,
    )


def idea_page_cursor(*, campaign: Campaign, order: str | None = None, number: int, size: int = 50):
    """The `after` cursor that opens page `number` of a campaign's public list (None for
    the first page, or past the end): how a benchmark or a test names a deep page. One
    query, with an offset: for tools, not for pages."""
    queryset, name = idea_list_ordered(campaign=campaign, order=order)
    if number <= 1:
        return None
    rows = list(queryset[(number - 1) * size - 1 : (number - 1) * size])
    return cursor_encode(row_key(rows[0], order_fields(name))) if rows else None
