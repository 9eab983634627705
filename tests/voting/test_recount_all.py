import random

import pytest

from tests.factories import CampaignFactory, IdeaFactory, UserFactory
from voting.models import IdeaTally, Vote
from voting.tally import tally_recompute, tally_recount_all

pytestmark = pytest.mark.django_db
FIELDS = [
    "upvotes",
    "downvotes",
    "score",
    "wilson_lower_bound",
    "hot_score",
    "controversy",
    "exposure_score",
    "last_vote_at",
    "rating_sum",
    "method_score",
    "support_stage",
    "support_status",
]


def test_recount_all_equals_the_incremental_recount(django_capture_on_commit_callbacks):
    rng = random.Random(3)
    ideas = []
    for method in ["updown", "updown", "support", "star"]:
        campaign = CampaignFactory(voting_method=method)
        ideas += [IdeaFactory(campaign=campaign) for _ in range(4)]
    voters = [UserFactory() for _ in range(12)]
    from django.utils import timezone

    now = timezone.now()
    for idea in ideas:
        method = idea.campaign.voting_method
        for voter in rng.sample(voters, rng.randrange(0, 12)):
            value = {"updown": rng.choice([1, -1, 0]), "support": 1, "star": rng.randrange(1, 6)}[
                method
            ]
            Vote.objects.create(idea=idea, voter=voter, value=value, created_at=now, updated_at=now)
    IdeaTally.objects.update(highest_milestone=100000)  # no milestone events either way
    tally_recompute(idea_ids=[i.pk for i in ideas])
    expected = {t.idea_id: [getattr(t, f) for f in FIELDS] for t in IdeaTally.objects.all()}
    IdeaTally.objects.update(
        upvotes=0,
        downvotes=0,
        score=0,
        wilson_lower_bound=0,
        hot_score=0,
        controversy=0,
        exposure_score=0,
        last_vote_at=None,
    )
    assert tally_recount_all() == len(ideas)
    got = {t.idea_id: [getattr(t, f) for f in FIELDS] for t in IdeaTally.objects.all()}
    for idea_id, values in expected.items():
        for field, a, b in zip(FIELDS, values, got[idea_id], strict=True):
            if isinstance(a, float):
                assert b == pytest.approx(a, rel=1e-9, abs=1e-12), (idea_id, field)
            else:
                assert a == b, (idea_id, field)
