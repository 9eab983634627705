from django.core.cache import cache
from django.db.models import QuerySet

from campaigns.models import Campaign
from campaigns.rules import can_see_private_ideas, can_view_dashboard
from campaigns.selectors import progress_cache_key
from ideas.models import Idea
from voting import dirty
from voting.audit import voter_receipt
from voting.formats import format_for
from voting.models import Ballot, CampaignResult, IdeaTally, PairwisePrompt, Vote
from voting.orders import apply_order, order_name


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
