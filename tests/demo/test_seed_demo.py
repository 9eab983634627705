from django.core.management import call_command

from accounts.models import User
from campaigns.lifecycle import due_state
from campaigns.models import Campaign
from ideas.models import Idea
from jury.models import JuryScore
from voting.models import IdeaTally, Vote


def test_seed_demo_is_idempotent_and_tallies_its_votes(db, capsys):
    call_command("seed_demo")
    counts = (
        User.objects.count(),
        Campaign.objects.count(),
        Idea.objects.count(),
        Vote.objects.count(),
    )
    call_command("seed_demo")
    assert (
        User.objects.count(),
        Campaign.objects.count(),
        Idea.objects.count(),
        Vote.objects.count(),
    ) == counts
    # Four up/down campaigns in every phase, one per other format, and a draft.
    assert counts[1] == 11
    # The contest's jury (the manager) scored its three entries on the three criteria.
    assert JuryScore.objects.count() == 3 * 3
    output = capsys.readouterr().out
    for email in [
        "manager@demo.foule.localhost",
        "moderator@demo.foule.localhost",
        "contributor@demo.foule.localhost",
    ]:
        assert email in output
        assert User.objects.get(email=email).check_password("foule-demo")
    for tally in IdeaTally.objects.filter(campaign__voting_method__in=["updown", "support"]):
        votes = Vote.objects.filter(idea_id=tally.idea_id)
        assert tally.upvotes == votes.filter(value=1).count()
        assert tally.downvotes == votes.filter(value=-1).count()
    for tally in IdeaTally.objects.filter(campaign__voting_method="star"):
        votes = Vote.objects.filter(idea_id=tally.idea_id, value__gte=1)
        assert (tally.upvotes, tally.rating_sum) == (
            votes.count(),
            sum(votes.values_list("value", flat=True)),
        )
    phases = {campaign.phase() for campaign in Campaign.objects.all()}
    assert phases == {"submission_and_voting", "voting", "upcoming", "closed", "draft"}
    # Each recorded state is the one its dates say, reached through recorded steps.
    for campaign in Campaign.objects.exclude(state="draft"):
        assert campaign.state == due_state(campaign), campaign.title
        assert campaign.transitions.filter(to_state=campaign.state).exists()


def test_the_three_demo_logins_work_and_the_moderator_reaches_the_admin(db, client):
    call_command("seed_demo")
    for email in [
        "manager@demo.foule.localhost",
        "moderator@demo.foule.localhost",
        "contributor@demo.foule.localhost",
    ]:
        response = client.post("/accounts/login/", {"login": email, "password": "foule-demo"})
        assert response.status_code == 302, email
        assert client.get("/").context["user"].email == email
        client.post("/accounts/logout/")
    client.post(
        "/accounts/login/", {"login": "moderator@demo.foule.localhost", "password": "foule-demo"}
    )
    assert client.get("/admin/ideas/idea/").status_code == 200
    assert client.get("/admin/voting/vote/").status_code == 200
    client.post("/accounts/logout/")
    client.post(
        "/accounts/login/", {"login": "manager@demo.foule.localhost", "password": "foule-demo"}
    )
    assert client.get("/campaigns/new/").status_code == 200
