from ideas.models import Idea
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
