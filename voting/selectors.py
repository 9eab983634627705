from ideas.models import Idea
from voting import dirty
from voting.models import IdeaTally, Vote


def vote_value(*, voter, idea: Idea) -> int:
    if not voter.is_authenticated:
        return 0
    return (
        Vote.objects.filter(voter=voter, idea=idea).values_list("value", flat=True).first() or 0
    )


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
