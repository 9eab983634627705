from django.core.management import call_command

from accounts.models import User
from campaigns.models import Campaign
from ideas.models import Idea
from voting.models import IdeaTally, Vote


def test_seed_demo_is_idempotent_and_tallies_its_votes(db, capsys):
    call_command("seed_demo")
    counts = (User.objects.count(), Campaign.objects.count(), Idea.objects.count(),
              Vote.objects.count())
    call_command("seed_demo")
    assert (User.objects.count(), Campaign.objects.count(), Idea.objects.count(),
            Vote.objects.count()) == counts
    assert counts[1] == 4
    output = capsys.readouterr().out
    for email in ["manager@demo.foule.localhost", "moderator@demo.foule.localhost",
                  "contributor@demo.foule.localhost"]:
        assert email in output
        assert User.objects.get(email=email).check_password("foule-demo")
    for tally in IdeaTally.objects.all():
        votes = Vote.objects.filter(idea_id=tally.idea_id)
        assert tally.upvotes == votes.filter(value=1).count()
        assert tally.downvotes == votes.filter(value=-1).count()
    phases = {campaign.phase() for campaign in Campaign.objects.all()}
    assert phases == {"submission_and_voting", "voting", "upcoming", "closed"}
