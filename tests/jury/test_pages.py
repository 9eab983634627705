"""The brand's jury section: in the builder's format step of a contest, on the jury page,
the jury links on the campaign page, and the read-only, brand-scoped admin."""

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse

from brands.models import BrandMembership
from jury.models import Criterion, Juror, JurySettings
from tests.factories import BrandMembershipFactory, CampaignFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft_contest(manager):
    brand = manager.brand_memberships.get().brand
    return CampaignFactory(
        brand=brand, voting_method="contest", is_published=False, submission_opens_at=None,
        submission_closes_at=None, voting_opens_at=None, voting_closes_at=None,
    )  # fmt: skip


def format_step(campaign) -> str:
    return reverse("builder:build_step", kwargs={"slug": campaign.slug, "step": "format"})


def test_the_format_step_of_a_contest_holds_the_jury_section(client, manager, draft_contest):
    client.force_login(manager)
    html = client.get(format_step(draft_contest)).content.decode()
    assert 'data-testid="jury-section"' in html
    assert 'data-testid="criteria-suggest"' in html and 'data-testid="juror-invite-form"' in html

    other = CampaignFactory(brand=draft_contest.brand, voting_method="star", is_published=False)
    assert 'data-testid="jury-section"' not in client.get(format_step(other)).content.decode()


def test_the_brand_sets_the_jury_from_the_builder(client, manager, draft_contest):
    client.force_login(manager)
    back = {"next": format_step(draft_contest)}
    slug = draft_contest.slug

    response = client.post(reverse("jury:criteria_suggest", kwargs={"slug": slug}), back)
    assert response.status_code == 302 and response["Location"] == format_step(draft_contest)
    client.post(
        reverse("jury:criterion_add", kwargs={"slug": slug}),
        {**back, "name": "Shelf impact", "weight": "10"},
    )
    client.post(reverse("jury:weight", kwargs={"slug": slug}), {**back, "jury_weight": "60"})
    client.post(reverse("jury:invite", kwargs={"slug": slug}), {**back, "email": "j@example.org"})
    member = BrandMembershipFactory(brand=draft_contest.brand, role="analyst").user
    client.post(reverse("jury:member_add", kwargs={"slug": slug}), {**back, "member": member.pk})

    assert list(
        Criterion.objects.filter(campaign=draft_contest).values_list("name", "weight")
    ) == [("Originality", 40), ("Fit with the brief", 40), ("Feasibility", 20),
          ("Shelf impact", 10)]  # fmt: skip
    assert JurySettings.objects.get(campaign=draft_contest).jury_weight == 60
    assert Juror.objects.filter(campaign=draft_contest, user=member).exists()
    html = client.get(format_step(draft_contest)).content.decode()
    assert 'data-email="j@example.org"' in html and "Shelf impact" in html


def test_a_refusal_comes_back_as_a_message(client, manager, draft_contest):
    client.force_login(manager)
    url = reverse("jury:weight", kwargs={"slug": draft_contest.slug})
    response = client.post(url, {"jury_weight": "150"}, follow=True)
    assert "Ensure this value is less than or equal to 100." in response.content.decode()
    assert not JurySettings.objects.exists()


def test_an_unsafe_next_goes_to_the_jury_page(client, manager, draft_contest):
    client.force_login(manager)
    url = reverse("jury:criteria_suggest", kwargs={"slug": draft_contest.slug})
    response = client.post(url, {"next": "https://elsewhere.example/"})
    assert response["Location"] == reverse("jury:manage", kwargs={"slug": draft_contest.slug})


def test_people_outside_the_brand_cannot_act_on_the_jury(client, contest):
    client.force_login(UserFactory())
    response = client.post(
        reverse("jury:invite", kwargs={"slug": contest.slug}), {"email": "x@example.org"}
    )
    assert response.status_code == 403
    assert len(mail.outbox) == 0
    assert client.get(reverse("jury:manage", kwargs={"slug": contest.slug})).status_code == 403


def test_the_campaign_page_links_jurors_and_managers_to_the_jury(client, contest, manager):
    juror = Juror.objects.create(campaign=contest, user=UserFactory()).user
    client.force_login(juror)
    html = client.get(contest.get_absolute_url()).content.decode()
    assert 'data-testid="jury-link"' in html and 'data-testid="jury-manage-link"' not in html
    client.force_login(manager)
    html = client.get(contest.get_absolute_url()).content.decode()
    assert 'data-testid="jury-manage-link"' in html and 'data-testid="jury-link"' not in html
    client.force_login(UserFactory())
    assert 'data-testid="jury-' not in client.get(contest.get_absolute_url()).content.decode()


def test_the_admin_is_read_only_and_scoped_to_the_moderators_brands(client, contest, criteria):
    other = CampaignFactory(voting_method="contest")
    Criterion.objects.create(campaign=other, name="Elsewhere", weight=1)
    moderator = BrandMembershipFactory(
        brand=contest.brand, role=BrandMembership.Role.MODERATOR, user=UserFactory(is_staff=True)
    ).user
    moderator.user_permissions.add(
        Permission.objects.get(content_type__app_label="jury", codename="view_criterion")
    )
    client.force_login(moderator)
    changelist = client.get(reverse("admin:jury_criterion_changelist"))
    html = changelist.content.decode()
    assert changelist.status_code == 200
    assert "Originality" in html and "Elsewhere" not in html
    assert client.get(reverse("admin:jury_criterion_add")).status_code == 403
    change = reverse("admin:jury_criterion_change", args=[criteria[0].pk])
    response = client.post(change, {"name": "Changed", "weight": "1", "position": "0"})
    assert response.status_code == 403
    assert Criterion.objects.get(pk=criteria[0].pk).name == "Originality"
