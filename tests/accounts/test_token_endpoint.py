"""POST /api/v1/auth/token/: an email and a password for a new personal token, under the web
login's rules (allauth's failed-login limits, shared with the login form; a verified email;
an active account)."""

from datetime import timedelta

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone

from accounts.models import ApiToken
from accounts.tokens import secret_hash
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/auth/token/"
# allauth's default failed-login limits (as in config/settings/base.py); the test settings
# turn limits off.
LIMITS = {"login_failed": "10/m/ip,5/5m/key"}


def obtain(client, email="ada@example.org", password=PASSWORD, **extra):
    return client.post(URL, {"email": email, "password": password, **extra}, format="json")


@override_settings(ACCOUNT_RATE_LIMITS=LIMITS)
def test_after_five_wrong_passwords_the_right_one_is_refused_with_429(api_client):
    """The hole: 100 wrong passwords, then the right one got a token."""
    UserFactory(email="ada@example.org")

    wrong = [obtain(api_client, password=f"guess-{n}").status_code for n in range(5)]
    response = obtain(api_client)

    assert wrong == [400] * 5
    assert response.status_code == 429
    assert response.json() == {
        "detail": "Too many failed login attempts. Try again later.",
        "code": "too_many_login_attempts",
    }
    assert 1 <= int(response["Retry-After"]) <= 300
    assert ApiToken.objects.count() == 0


@override_settings(ACCOUNT_RATE_LIMITS=LIMITS)
def test_a_hundred_guesses_get_no_token_and_the_wait_is_real(api_client):
    UserFactory(email="ada@example.org")
    started = timezone.now()

    with time_machine.travel(started, tick=False):
        answers = [obtain(api_client, password=f"guess-{n}").status_code for n in range(100)]
        refused = obtain(api_client)
    assert answers[:5] == [400] * 5
    assert set(answers[5:]) == {429}
    assert refused.status_code == 429
    retry_after = int(refused["Retry-After"])
    assert retry_after == 300  # the oldest counted failure is 5 minutes from expiring
    assert ApiToken.objects.count() == 0

    # Just before the wait is over: still refused; once it is over: a token.
    with time_machine.travel(started + timedelta(seconds=retry_after - 2), tick=False):
        assert obtain(api_client).status_code == 429
    with time_machine.travel(started + timedelta(seconds=retry_after + 1), tick=False):
        allowed = obtain(api_client)
    assert allowed.status_code == 200
    assert ApiToken.objects.count() == 1


@override_settings(ACCOUNT_RATE_LIMITS=LIMITS)
def test_a_successful_login_does_not_wipe_the_failures(api_client):
    """allauth only takes back the successful attempt: a brute force cannot reset its count by
    logging in with a known account now and then."""
    UserFactory(email="ada@example.org")

    first = [obtain(api_client, password=f"guess-{n}").status_code for n in range(4)]
    success = obtain(api_client)
    fifth = obtain(api_client, password="guess-5")
    after = obtain(api_client)

    assert first == [400] * 4
    assert success.status_code == 200
    assert fifth.status_code == 400
    assert after.status_code == 429
    assert ApiToken.objects.count() == 1


@override_settings(ACCOUNT_RATE_LIMITS=LIMITS)
def test_failures_on_the_web_login_count_for_the_token_endpoint(client, api_client):
    UserFactory(email="ada@example.org")

    for n in range(5):
        page = client.post("/accounts/login/", {"login": "ada@example.org", "password": f"g{n}"})
        assert page.status_code == 200  # the form again, with its error
    response = obtain(api_client)

    assert response.status_code == 429
    assert ApiToken.objects.count() == 0


@override_settings(ACCOUNT_RATE_LIMITS=LIMITS)
def test_failures_on_the_token_endpoint_lock_the_web_login_too(client, api_client):
    UserFactory(email="ada@example.org")

    for n in range(5):
        assert obtain(api_client, password=f"guess-{n}").status_code == 400
    page = client.post("/accounts/login/", {"login": "ada@example.org", "password": PASSWORD})

    assert page.status_code == 200
    assert "Too many failed login attempts" in page.content.decode()
    assert "_auth_user_id" not in client.session


@override_settings(ACCOUNT_RATE_LIMITS=LIMITS)
def test_ten_failures_from_one_client_on_several_addresses_lock_that_client(api_client):
    UserFactory(email="ada@example.org")
    for n in range(10):
        assert obtain(api_client, email=f"guess{n}@example.org").status_code == 400

    response = obtain(api_client)

    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert ApiToken.objects.count() == 0


def test_an_unverified_email_gets_no_token(api_client):
    """The hole: the web login refuses an unverified account; the token endpoint did not."""
    UserFactory(email="ada@example.org", verified=False)

    response = obtain(api_client)

    assert response.status_code == 403
    assert response.json()["code"] == "email_not_verified"
    assert response.json()["detail"].startswith("Confirm your email address first")
    assert ApiToken.objects.count() == 0


def test_an_unverified_email_with_a_wrong_password_learns_nothing(api_client):
    UserFactory(email="ada@example.org", verified=False)

    response = obtain(api_client, password="wrong-password")

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Unable to log in with these credentials."]}


def test_an_erased_account_gets_no_token(api_client):
    user = UserFactory(email="ada@example.org")
    user.erased_at = timezone.now()
    user.save(update_fields=["erased_at"])

    response = obtain(api_client)

    assert response.status_code == 403
    assert response.json() == {"detail": "This account is inactive.", "code": "account_inactive"}
    assert ApiToken.objects.count() == 0


def test_each_call_makes_a_new_named_token_with_the_default_expiry(api_client):
    user = UserFactory(email="ada@example.org")
    before = timezone.now()

    first = obtain(api_client, name="laptop")
    second = obtain(api_client, name="CI", expires_in_days=7)

    assert first.status_code == second.status_code == 200
    tokens = {token.name: token for token in ApiToken.objects.filter(user=user)}
    assert set(tokens) == {"laptop", "CI"}
    laptop, ci = tokens["laptop"], tokens["CI"]
    assert first.json() == {
        "token": first.json()["token"],
        "id": laptop.pk,
        "name": "laptop",
        "expires_at": laptop.expires_at.isoformat().replace("+00:00", "Z"),
    }
    assert laptop.key_hash == secret_hash(first.json()["token"])
    assert ci.key_hash == secret_hash(second.json()["token"])
    assert timedelta(days=90) <= laptop.expires_at - before <= timedelta(days=90, minutes=1)
    assert timedelta(days=7) <= ci.expires_at - before <= timedelta(days=7, minutes=1)


@pytest.mark.parametrize(
    ("extra", "errors"),
    [
        ({"name": "\u202e\u202e"}, {"name": ["Give the token a name."]}),
        ({"name": "x" * 81}, {"name": ["Ensure this field has no more than 80 characters."]}),
        ({"expires_in_days": 0},
         {"expires_in_days": ["Ensure this value is greater than or equal to 1."]}),
        ({"expires_in_days": 366}, {"expires_in_days": ["A token lasts between 1 and 365 days."]}),
        ({"expires_in_days": 10**30},
         {"expires_in_days": ["Ensure this value is less than or equal to 100000."]}),
        ({"expires_in_days": "soon"}, {"expires_in_days": ["A valid integer is required."]}),
    ],
    ids=["invisible-name", "long-name", "zero-days", "too-many-days", "huge", "not-a-number"],
)  # fmt: skip
def test_bad_names_and_lifetimes_get_400_naming_the_field(api_client, extra, errors):
    UserFactory(email="ada@example.org")

    response = obtain(api_client, **extra)

    assert response.status_code == 400
    assert response.json() == errors
    assert ApiToken.objects.count() == 0


def test_a_nul_byte_in_the_name_gets_400(api_client):
    UserFactory(email="ada@example.org")

    response = obtain(api_client, name="a\x00b")

    assert response.status_code == 400
    assert "NUL" in str(response.json()) or "Null" in str(response.json())
    assert ApiToken.objects.count() == 0


@override_settings(FOULE_API_TOKEN_MAX_ACTIVE=2)
def test_the_number_of_active_tokens_is_limited(api_client):
    user = UserFactory(email="ada@example.org")
    assert obtain(api_client).status_code == 200
    assert obtain(api_client).status_code == 200

    response = obtain(api_client)

    assert response.status_code == 409
    assert response.json() == {
        "detail": "You already have 2 active tokens: revoke one you no longer use first.",
        "code": "too_many_tokens",
    }
    assert ApiToken.objects.filter(user=user).count() == 2
