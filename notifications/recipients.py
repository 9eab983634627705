"""Who is told: the people an event concerns, as streams of user ids.

Each function is one query, streamed from a server-side cursor (a big campaign has a
million participants), with each person once (UNION, not UNION ALL)."""

from collections.abc import Iterator

from campaigns.models import CampaignFollow
from ideas.models import Comment, Idea
from voting.models import Ballot, PairwisePrompt, Vote

CHUNK_SIZE = 5000


def follower_ids(campaign_id: int) -> Iterator[int]:
    """The people who follow the campaign."""
    yield from (
        CampaignFollow.objects.filter(campaign_id=campaign_id)
        .values_list("user_id", flat=True)
        .iterator(chunk_size=CHUNK_SIZE)
    )


def participant_ids(campaign_id: int) -> Iterator[int]:
    """Everyone who took part in the campaign or follows it: voters, ballot and comparison
    voters, idea authors (not the brand's candidates), commenters and followers."""
    queries = [
        Vote.objects.filter(idea__campaign_id=campaign_id).exclude(value=0).values("voter_id"),
        Ballot.objects.filter(campaign_id=campaign_id).values("voter_id"),
        PairwisePrompt.objects.filter(campaign_id=campaign_id, answered_at__isnull=False).values(
            "voter_id"
        ),
        Idea.objects.filter(campaign_id=campaign_id, is_candidate=False).values("author_id"),
        Comment.objects.filter(idea__campaign_id=campaign_id).values("author_id"),
        CampaignFollow.objects.filter(campaign_id=campaign_id).values("user_id"),
    ]
    union = queries[0].union(*queries[1:])
    yield from union.values_list("voter_id", flat=True).iterator(chunk_size=CHUNK_SIZE)


def idea_audience_ids(idea_id: int) -> Iterator[int]:
    """The people an idea concerns: its author, its voters and its commenters."""
    union = (
        Vote.objects.filter(idea_id=idea_id)
        .exclude(value=0)
        .values("voter_id")
        .union(
            Comment.objects.filter(idea_id=idea_id).values("author_id"),
            Idea.objects.filter(pk=idea_id).values("author_id"),
        )
    )
    yield from union.values_list("voter_id", flat=True).iterator(chunk_size=CHUNK_SIZE)
