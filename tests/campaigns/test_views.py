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
