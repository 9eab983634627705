"""Jurors' scores (jury/services.py::entry_score), the criteria and the jury weight, and the
juror's pages: anonymised entries, never the author's name."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns import lifecycle
from campaigns.models import Campaign
from core.errors import ApplicationError, Conflict, NotAllowed
from ideas.models import Idea
from jury import services
from jury.invitations import juror_invite
from jury.models import Juror, JuryScore
from tests.factories import BrandMembershipFactory, CampaignFactory, IdeaFactory, UserFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def juror(contest, juror_user):
    return Juror.objects.create(campaign=contest, user=juror_user)


@pytest.fixture
def entry(contest):
    author = UserFactory(display_name="Zéphyrine Authorname", email="zephyrine@example.org")
    return IdeaFactory(campaign=contest, author=author, title="A fox in a teacup")


def scores_of(juror, entry):
    return dict(
        JuryScore.objects.filter(juror=juror, idea=entry).values_list("criterion__name", "value")
    )


def test_a_juror_scores_an_entry_and_changes_their_mind(juror, entry, criteria):
    originality, fit, feasibility = criteria
    services.entry_score(user=juror.user, idea=entry, scores={originality.pk: 8, fit.pk: 6})
    services.entry_score(user=juror.user, idea=entry, scores={originality.pk: 9, feasibility.pk: 3})
    assert scores_of(juror, entry) == {"Originality": 9, "Fit with the brief": 6, "Feasibility": 3}
    assert JuryScore.objects.count() == 3  # one per (juror, entry, criterion)


@pytest.mark.parametrize("value", [0, 11, "7.5", "", "ten"])
def test_a_score_is_a_whole_number_from_one_to_ten(juror, entry, criteria, value):
    with pytest.raises(ApplicationError, match="whole number from 1 to 10"):
        services.entry_score(user=juror.user, idea=entry, scores={criteria[0].pk: value})
    assert not JuryScore.objects.exists()


def test_one_bad_score_refuses_them_all(juror, entry, criteria):
    with pytest.raises(ApplicationError):
        services.entry_score(
            user=juror.user, idea=entry, scores={criteria[0].pk: 5, criteria[1].pk: 12}
        )
    assert not JuryScore.objects.exists()


def test_a_criterion_of_another_contest_is_refused(juror, entry, criteria):
    other = CampaignFactory(voting_method="contest")
    stranger = other.jury_criteria.create(name="Other", weight=1)
    with pytest.raises(ApplicationError, match="not one of the contest's"):
        services.entry_score(user=juror.user, idea=entry, scores={stranger.pk: 5})


def test_only_the_jurors_score(entry, criteria):
    with pytest.raises(NotAllowed, match="Only the contest's jurors") as refusal:
        services.entry_score(user=UserFactory(), idea=entry, scores={criteria[0].pk: 5})
    assert refusal.value.code == "not_juror"


def test_a_removed_juror_no_longer_scores(juror, entry, criteria, manager):
    services.juror_remove(juror=juror, actor=manager)
    with pytest.raises(NotAllowed, match="Only the contest's jurors"):
        services.entry_score(user=juror.user, idea=entry, scores={criteria[0].pk: 5})


def test_a_juror_does_not_score_their_own_entry(juror, criteria):
    own = IdeaFactory(campaign=juror.campaign, author=juror.user)
    with pytest.raises(NotAllowed, match="an entry you submitted"):
        services.entry_score(user=juror.user, idea=own, scores={criteria[0].pk: 5})


def test_an_entry_waiting_for_moderation_is_not_scored(juror, entry, criteria):
    Idea.objects.filter(pk=entry.pk).update(status=Idea.Status.PENDING)
    entry.refresh_from_db()
    with pytest.raises(Conflict, match="not open to the jury"):
        services.entry_score(user=juror.user, idea=entry, scores={criteria[0].pk: 5})


def test_scores_are_final_once_voting_closes(juror, entry, criteria):
    services.entry_score(user=juror.user, idea=entry, scores={criteria[0].pk: 5})
    Campaign.objects.filter(pk=juror.campaign_id).update(
        voting_closes_at=timezone.now() - timedelta(seconds=1)
    )
    entry.refresh_from_db()
    juror.user.__dict__.pop("_foule_jury_seats", None)
    with pytest.raises(Conflict, match="scores are final") as refusal:
        services.entry_score(user=juror.user, idea=entry, scores={criteria[0].pk: 9})
    assert refusal.value.code == "jury_closed"
    assert scores_of(juror, entry) == {"Originality": 5}


# -- criteria and weight -------------------------------------------------------------------


@pytest.fixture
def draft_contest(manager):
    brand = manager.brand_memberships.get().brand
    return CampaignFactory(brand=brand, voting_method="contest", is_published=False)


def test_the_brand_sets_its_criteria_and_weight_on_a_draft(draft_contest, manager):
    suggested = services.criteria_suggest(campaign=draft_contest, actor=manager)
    assert [(c.name, c.weight) for c in suggested] == [
        ("Originality", 40), ("Fit with the brief", 40), ("Feasibility", 20)
    ]  # fmt: skip
    extra = services.criterion_add(
        campaign=draft_contest, actor=manager, name="  Shelf  impact ", weight=10
    )
    assert extra.name == "Shelf impact" and extra.position == 4
    services.criterion_update(criterion=extra, actor=manager, name="Shelf impact", weight=15)
    with pytest.raises(Conflict, match="already a criterion named"):
        services.criterion_add(campaign=draft_contest, actor=manager, name="originality", weight=5)
    with pytest.raises(ApplicationError, match="from 1 to 100"):
        services.criterion_add(campaign=draft_contest, actor=manager, name="Fun", weight=0)
    services.criterion_remove(criterion=extra, actor=manager)
    settings = services.jury_weight_update(campaign=draft_contest, actor=manager, jury_weight=60)
    assert settings.jury_weight == 60
    with pytest.raises(ApplicationError, match="percentage from 0 to 100"):
        services.jury_weight_update(campaign=draft_contest, actor=manager, jury_weight=101)


def test_criteria_are_locked_once_the_contest_is_open(contest, manager, criteria):
    with pytest.raises(Conflict, match="cannot change once the contest is open") as refusal:
        services.criterion_add(campaign=contest, actor=manager, name="Fun", weight=5)
    assert refusal.value.code == "criteria_locked"
    with pytest.raises(Conflict, match="cannot change once the contest is open"):
        services.jury_weight_update(campaign=contest, actor=manager, jury_weight=50)


def test_only_managers_set_the_criteria(draft_contest):
    analyst = BrandMembershipFactory(brand=draft_contest.brand, role="analyst").user
    with pytest.raises(NotAllowed, match="owners and managers"):
        services.criterion_add(campaign=draft_contest, actor=analyst, name="Fun", weight=5)


# -- the juror's pages ---------------------------------------------------------------------


def test_the_jurors_page_shows_entries_without_their_author(client, juror, entry, criteria):
    IdeaFactory(
        campaign=entry.campaign, author=entry.author, title="A second fox", image="ideas/fox.png"
    )
    client.force_login(juror.user)
    response = client.get(reverse("jury:entries", kwargs={"slug": juror.campaign.slug}))
    html = response.content.decode()
    assert response.status_code == 200
    assert "A fox in a teacup" in html and "A second fox" in html
    assert "Zéphyrine" not in html and "Authorname" not in html and "zephyrine" not in html
    assert reverse("ideas:detail", kwargs={"pk": entry.pk}) not in html
    assert "Originality (40)" in html
    assert 'data-testid="jury-entry-image"' in html and "ideas/fox.png" in html


def test_a_juror_scores_through_the_page_with_htmx(client, juror, entry, criteria):
    client.force_login(juror.user)
    url = reverse("jury:score", kwargs={"slug": juror.campaign.slug, "idea_id": entry.pk})
    data = {f"criterion-{c.pk}": value for c, value in zip(criteria, [7, 8, 9], strict=True)}
    response = client.post(url, data, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="jury-saved"' in html and "Zéphyrine" not in html
    assert scores_of(juror, entry) == {"Originality": 7, "Fit with the brief": 8, "Feasibility": 9}
    refused = client.post(url, {f"criterion-{criteria[0].pk}": "11"}, **HTMX)
    assert refused.status_code == 400
    assert scores_of(juror, entry)["Originality"] == 7


def test_someone_else_is_told_why_they_cannot_score(client, contest, entry, criteria):
    client.force_login(UserFactory())
    response = client.get(reverse("jury:entries", kwargs={"slug": contest.slug}))
    assert response.status_code == 403
    assert "Only the contest&#x27;s jurors can score its entries." in response.content.decode()


def test_the_jury_pages_of_a_campaign_that_is_not_a_contest_are_not_found(client, juror_user):
    campaign = CampaignFactory(voting_method="star")
    client.force_login(juror_user)
    response = client.get(reverse("jury:entries", kwargs={"slug": campaign.slug}))
    assert response.status_code == 404


def test_the_invitation_page_accepts_for_the_invited_account(client, contest, manager):
    invitation = juror_invite(campaign=contest, email="jules@example.org", invited_by=manager)
    url = reverse("jury:invitation_accept", kwargs={"token": invitation.token})
    assert client.get(url).status_code == 200
    user = UserFactory(email="jules@example.org")
    client.force_login(user)
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("jury:entries", kwargs={"slug": contest.slug})
    assert Juror.objects.filter(campaign=contest, user=user).exists()
    assert client.get("/jury/invitations/nonsense/").status_code == 404


def test_a_contest_without_criteria_is_not_ready_to_launch(draft_contest, manager):
    assert [field for field, _message in services.launch_problems(campaign=draft_contest)] == [
        "jury"
    ]
    services.criteria_suggest(campaign=draft_contest, actor=manager)
    assert services.launch_problems(campaign=draft_contest) == []


def test_a_contest_without_criteria_cannot_launch(draft_contest, manager):
    """The lifecycle asks the campaign's format what it lacks (voting/formats/contest.py)."""
    message = "Give the jury at least one criterion before launching the contest."
    assert ("jury", message) in lifecycle.launch_problems(draft_contest)
    services.criteria_suggest(campaign=draft_contest, actor=manager)
    assert ("jury", message) not in lifecycle.launch_problems(draft_contest)
