"""The /campaigns/new/ form, through the test client like a browser would."""

from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns.models import Campaign
from tests.factories import BrandFactory, BrandMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/campaigns/new/"


def local(delta: timedelta) -> str:
    """A datetime-local input value, in the site's time zone."""
    moment = timezone.localtime(timezone.now() + delta).replace(second=0, microsecond=0)
    return moment.strftime("%Y-%m-%dT%H:%M")


def form_data(for_brand, **overrides) -> dict:
    data = {
        "brand": for_brand.pk,
        "title": "Cleaner Streets",
        "brief": "How do we keep our streets *clean*?",
        "submission_opens_at": local(timedelta(hours=-1)),
        "submission_closes_at": local(timedelta(days=14)),
        "voting_opens_at": local(timedelta(hours=-1)),
        "voting_closes_at": local(timedelta(days=21)),
    }
    return {**data, **overrides}


@pytest.fixture
def member(client):
    membership = BrandMembershipFactory(brand__name="Acme")
    client.force_login(membership.user)
    return membership


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/campaigns/new/"


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_user_who_is_no_brand_member_gets_403_and_nothing_is_created(client, method):
    brand = BrandFactory()
    client.force_login(UserFactory())

    response = getattr(client, method)(URL, form_data(brand) if method == "post" else None)

    assert response.status_code == 403
    assert Campaign.objects.count() == 0


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_unverified_brand_member_gets_403_and_nothing_is_created(client, method):
    membership = BrandMembershipFactory(user__verified=False)
    client.force_login(membership.user)

    response = getattr(client, method)(
        URL, form_data(membership.brand) if method == "post" else None
    )

    assert response.status_code == 403
    assert Campaign.objects.count() == 0


def test_a_member_sees_the_form_with_their_brand(client, member):
    response = client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="title"' in html
    assert f'<option value="{member.brand.pk}" selected>Acme</option>' in html


def test_a_member_creates_a_campaign_and_is_sent_to_its_page(client, member):
    data = form_data(member.brand)

    response = client.post(URL, data)

    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/campaigns/{campaign.slug}/"
    assert (campaign.title, campaign.slug, campaign.brand_id, campaign.created_by_id) == (
        "Cleaner Streets", "cleaner-streets", member.brand_id, member.user_id,
    )  # fmt: skip
    assert campaign.brief_html == "<p>How do we keep our streets <em>clean</em>?</p>"
    closes = timezone.localtime(campaign.voting_closes_at)
    assert closes.strftime("%Y-%m-%dT%H:%M") == data["voting_closes_at"]
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Your campaign is live." in page.content.decode()
    assert "Cleaner Streets" in page.content.decode()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"submission_opens_at": local(timedelta(days=5)),
             "submission_closes_at": local(timedelta(days=2))},
            "Submissions must close after they open.",
        ),
        (
            {"voting_opens_at": local(timedelta(days=5)),
             "voting_closes_at": local(timedelta(days=5))},
            "Voting must close after it opens.",
        ),
        (
            {"submission_opens_at": local(timedelta(days=30)),
             "submission_closes_at": local(timedelta(days=40))},
            "Voting cannot end before submissions open.",
        ),
    ],
    ids=["submissions-close-before-open", "voting-closes-at-opening",
         "voting-ends-before-submissions-open"],
)  # fmt: skip
def test_an_impossible_schedule_shows_the_error_on_the_form(client, member, overrides, message):
    response = client.post(URL, form_data(member.brand, **overrides))

    assert response.status_code == 200
    assert f'<p class="field__error" role="alert">{message}</p>' in response.content.decode()
    assert Campaign.objects.count() == 0


def test_missing_fields_are_reported_on_the_form(client, member):
    response = client.post(URL, {"brand": member.brand.pk})

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("This field is required.") == 6
    assert Campaign.objects.count() == 0


@pytest.mark.parametrize("brand", ["other", "nope", ""])
def test_a_brand_the_user_is_not_a_member_of_is_refused(client, member, brand):
    other = BrandFactory()
    value = {"other": other.pk, "nope": "nope", "": ""}[brand]

    response = client.post(URL, form_data(member.brand, brand=value))

    assert response.status_code == 200
    assert "field__error" in response.content.decode()
    assert Campaign.objects.count() == 0


def test_a_malformed_date_is_a_field_error_not_a_crash(client, member):
    response = client.post(URL, form_data(member.brand, voting_closes_at="tomorrow-ish"))

    assert response.status_code == 200
    assert "Enter a valid date/time." in response.content.decode()
    assert Campaign.objects.count() == 0
