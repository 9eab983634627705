"""Personal API tokens: the services, the API's token authentication, revocation on a new
password (allauth's pages and the admin), the account's tokens page and /api/v1/me/tokens/."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test import Client, RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.test import APIClient

from accounts import tokens
from accounts.authentication import ApiTokenAuthentication
from accounts.models import ApiToken
from core.errors import ApplicationError, Conflict
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-Brand-new-passphrase-42"
ME = "/api/v1/me/notifications/"  # any page that needs a logged-in account


def client_with(secret: str, keyword: str = "Token") -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"{keyword} {secret}")
    return client


def snapshot(user) -> list[tuple]:
    return list(
        ApiToken.objects.filter(user=user)
        .order_by("pk")
        .values_list("pk", "name", "key_hash", "expires_at", "revoked_at", "last_used_at")
    )


# --- the services ---------------------------------------------------------------------------


def test_a_secret_is_shown_once_and_stored_only_as_its_sha256(user):
    token, secret = tokens.api_token_create(user=user, name="laptop")

    assert re.fullmatch(r"foule_[A-Za-z0-9_-]{43}", secret)
    token.refresh_from_db()
    assert token.key_hash == tokens.secret_hash(secret)
    assert token.prefix == secret[:12]
    # No column of the row holds the secret (nor its random part).
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_apitoken WHERE id = %s", [token.pk])
        row = cursor.fetchone()
    assert not any(secret[6:] in str(value) for value in row)
    assert str(token) == f"laptop ({secret[:12]}…)"


def test_several_tokens_per_user_each_with_its_own_secret(user):
    made = [tokens.api_token_create(user=user, name=f"token {n}") for n in range(3)]

    assert len({secret for _, secret in made}) == 3
    assert ApiToken.objects.filter(user=user).count() == 3
    for _, secret in made:
        assert client_with(secret).get(ME).status_code == 200


@override_settings(FOULE_API_TOKEN_DAYS=30, FOULE_API_TOKEN_MAX_DAYS=60)
def test_the_expiry_defaults_to_the_setting_and_is_capped(user):
    before = timezone.now()
    token, _ = tokens.api_token_create(user=user, name="default")
    longest, _ = tokens.api_token_create(user=user, name="longest", expires_in_days=60)

    with pytest.raises(ApplicationError) as refused:
        tokens.api_token_create(user=user, name="too long", expires_in_days=61)

    assert timedelta(days=30) <= token.expires_at - before <= timedelta(days=30, minutes=1)
    assert timedelta(days=60) <= longest.expires_at - before <= timedelta(days=60, minutes=1)
    assert refused.value.field == "expires_in_days"
    assert refused.value.message == "A token lasts between 1 and 60 days."
    assert ApiToken.objects.filter(user=user).count() == 2


@override_settings(FOULE_API_TOKEN_MAX_ACTIVE=2)
def test_revoked_and_expired_tokens_do_not_count_against_the_limit(user):
    first, _ = tokens.api_token_create(user=user, name="one")
    second, _ = tokens.api_token_create(user=user, name="two")
    with pytest.raises(Conflict) as refused:
        tokens.api_token_create(user=user, name="three")
    assert refused.value.code == "too_many_tokens"

    tokens.api_token_revoke(user=user, token_id=first.pk)
    ApiToken.objects.filter(pk=second.pk).update(expires_at=timezone.now() - timedelta(days=1))
    tokens.api_token_create(user=user, name="three")
    tokens.api_token_create(user=user, name="four")

    assert ApiToken.objects.filter(user=user).count() == 4


def test_a_name_is_one_clean_line(user):
    token, _ = tokens.api_token_create(user=user, name="  my\u202e script\n ")

    assert token.name == "my script"
    with pytest.raises(ApplicationError) as refused:
        tokens.api_token_create(user=user, name=" \u200b ")
    assert refused.value.field == "name"
    assert ApiToken.objects.filter(user=user).count() == 1


def test_an_inactive_account_gets_no_new_token(user):
    user.is_active = False
    user.save(update_fields=["is_active"])

    with pytest.raises(ApplicationError) as refused:
        tokens.api_token_create(user=user, name="laptop")

    assert refused.value.code == "account_inactive"
    assert not ApiToken.objects.exists()


def test_revoking_twice_keeps_the_first_date(user):
    token, secret = tokens.api_token_create(user=user, name="laptop")

    first = tokens.api_token_revoke(user=user, token_id=token.pk).revoked_at
    second = tokens.api_token_revoke(user=user, token_id=token.pk).revoked_at

    assert first is not None
    assert second == first
    assert client_with(secret).get(ME).status_code == 401


def test_rotation_revokes_the_token_and_makes_its_successor(user):
    with time_machine.travel(timezone.now() - timedelta(days=10), tick=False):
        old, old_secret = tokens.api_token_create(user=user, name="CI", expires_in_days=30)
    before = timezone.now()

    new, new_secret = tokens.api_token_rotate(user=user, token_id=old.pk)

    old.refresh_from_db()
    assert old.revoked_at is not None
    assert new.pk != old.pk
    assert new.name == "CI"
    assert new_secret != old_secret
    # The same lifetime, from now.
    assert timedelta(days=30) <= new.expires_at - before <= timedelta(days=30, minutes=1)
    assert client_with(old_secret).get(ME).status_code == 401
    assert client_with(new_secret).get(ME).status_code == 200
    with pytest.raises(Conflict) as refused:
        tokens.api_token_rotate(user=user, token_id=old.pk)
    assert refused.value.code == "token_revoked"
    assert ApiToken.objects.filter(user=user).count() == 2


def test_nobody_revokes_or_rotates_someone_elses_token(user):
    token, secret = tokens.api_token_create(user=user, name="mine")
    other = UserFactory()
    before = snapshot(user)

    with pytest.raises(tokens.TokenNotFound):
        tokens.api_token_revoke(user=other, token_id=token.pk)
    with pytest.raises(tokens.TokenNotFound):
        tokens.api_token_rotate(user=other, token_id=token.pk)

    assert snapshot(user) == before
    assert not ApiToken.objects.filter(user=other).exists()
    assert client_with(secret).get(ME).status_code == 200


def test_revoke_all_revokes_only_that_accounts_live_tokens(user):
    mine = [tokens.api_token_create(user=user, name=f"t{n}")[1] for n in range(2)]
    theirs = tokens.api_token_create(user=UserFactory(), name="theirs")[1]

    assert tokens.api_tokens_revoke_all(user=user, reason="test") == 2
    assert tokens.api_tokens_revoke_all(user=user, reason="test") == 0

    assert [client_with(secret).get(ME).status_code for secret in mine] == [401, 401]
    assert client_with(theirs).get(ME).status_code == 200


# --- authentication -------------------------------------------------------------------------


@pytest.mark.parametrize("keyword", ["Token", "Bearer", "token", "BEARER"])
def test_a_token_authenticates_with_either_keyword(user, keyword):
    _, secret = tokens.api_token_create(user=user, name="laptop")

    response = client_with(secret, keyword).get(ME)

    assert response.status_code == 200


def test_an_expired_token_is_refused(user):
    token, secret = tokens.api_token_create(user=user, name="laptop", expires_in_days=1)

    with time_machine.travel(token.expires_at + timedelta(seconds=1)):
        response = client_with(secret).get(ME)

    assert response.status_code == 401
    assert response.json() == {"detail": "This token has expired."}
    assert response["WWW-Authenticate"] == "Token"


def test_a_revoked_token_is_refused(user):
    token, secret = tokens.api_token_create(user=user, name="laptop")
    tokens.api_token_revoke(user=user, token_id=token.pk)

    response = client_with(secret).get(ME)

    assert response.status_code == 401
    assert response.json() == {"detail": "This token has been revoked."}


@pytest.mark.parametrize("change", ["blocked", "erased"])
def test_the_token_of_a_blocked_or_erased_account_is_refused(user, change):
    _, secret = tokens.api_token_create(user=user, name="laptop")
    if change == "blocked":
        user.is_active = False
    else:
        user.erased_at = timezone.now()
    user.save()

    response = client_with(secret).get(ME)

    assert response.status_code == 401
    assert response.json() == {"detail": "User inactive or deleted."}


def test_a_token_from_before_the_change_is_refused():
    """rest_framework.authtoken's 40-hex keys mean nothing now."""
    response = client_with("9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b").get(ME)

    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}


MALFORMED = [
    ("Token abc\x00def", "Invalid token."),
    ("Token foule_" + "A" * 42 + "\x00", "Invalid token."),
    ("Token \x00", "Invalid token."),
    ("Bearer " + "é" * 49, "Invalid token."),
    ("Token 日本語のトークン", "Invalid token."),
    ("Token " + "a" * 100_000, "Invalid token."),
    ("Token foule_" + "A" * 44, "Invalid token."),
    ("Token", "Invalid token header. No credentials provided."),
    ("Token a b", "Invalid token header. Token string should not contain spaces."),
    ("Bearer  \t ", "Invalid token header. No credentials provided."),
]
MALFORMED_IDS = ["nul-inside", "nul-after", "nul-alone", "latin-1", "non-latin-1", "100-kB",
                 "one-too-long", "no-credentials", "spaces", "blank"]  # fmt: skip


@pytest.mark.parametrize(("header", "detail"), MALFORMED, ids=MALFORMED_IDS)
def test_the_authenticator_refuses_malformed_headers_before_any_query(header, detail):
    """The authenticator on its own (without the middleware that already answers 400 to a
    NUL byte in any header): the hole was a 500 when such a key reached the database."""
    request = Request(RequestFactory().get(ME, HTTP_AUTHORIZATION=header))

    with (
        CaptureQueriesContext(connection) as queries,
        pytest.raises(exceptions.AuthenticationFailed) as refused,
    ):
        ApiTokenAuthentication().authenticate(request)

    assert str(refused.value.detail) == detail
    assert queries.captured_queries == []


@pytest.mark.parametrize(("header", "detail"), MALFORMED, ids=MALFORMED_IDS)
def test_malformed_headers_get_a_4xx_never_a_500(header, detail):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)

    response = client.get(ME)

    if "\x00" in header:  # core's middleware refuses a NUL byte in any header first
        assert response.status_code == 400
    else:
        assert response.status_code == 401
        assert response.json() == {"detail": detail}
        assert response["WWW-Authenticate"] == "Token"


def test_another_scheme_is_left_to_the_other_authenticators():
    response = APIClient().get(ME, HTTP_AUTHORIZATION="Basic dXNlcjpwYXNz")

    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_authentication_costs_one_query_and_last_used_at_is_written_once_a_minute(user):
    token, secret = tokens.api_token_create(user=user, name="laptop")
    client = client_with(secret)
    started = timezone.now()

    def token_queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(ME).status_code == 200
        return [q["sql"] for q in captured.captured_queries if "accounts_apitoken" in q["sql"]]

    with time_machine.travel(started, tick=False):
        first = token_queries()
        token.refresh_from_db()
        assert token.last_used_at == started
        second = token_queries()
    with time_machine.travel(started + timedelta(seconds=59), tick=False):
        within_the_minute = token_queries()
    with time_machine.travel(started + timedelta(seconds=61), tick=False):
        after_the_minute = token_queries()
    token.refresh_from_db()

    # The token and its owner in one SELECT; an UPDATE only when the last use is old.
    assert len(first) == 2
    assert first[0].startswith("SELECT") and '"accounts_user"' in first[0]
    assert first[1].startswith("UPDATE")
    assert len(second) == 1
    assert len(within_the_minute) == 1
    assert len(after_the_minute) == 2
    assert token.last_used_at == started + timedelta(seconds=61)


def test_the_request_knows_which_token_it_came_with(user):
    token, secret = tokens.api_token_create(user=user, name="laptop")

    response = client_with(secret).get("/api/v1/me/tokens/")

    assert response.status_code == 200
    listed = response.json()["results"]
    assert [(row["id"], row["status"]) for row in listed] == [(token.pk, "active")]
    assert listed[0]["last_used_at"] is not None


# --- a new password revokes every token -----------------------------------------------------


def test_changing_the_password_revokes_every_token(client, user):
    secrets_before = [tokens.api_token_create(user=user, name=f"t{n}")[1] for n in range(2)]
    other_secret = tokens.api_token_create(user=UserFactory(), name="theirs")[1]
    client.force_login(user)

    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    for secret in secrets_before:
        refused = client_with(secret).get(ME)
        assert refused.status_code == 401
        assert refused.json() == {"detail": "This token has been revoked."}
    assert client_with(other_secret).get(ME).status_code == 200
    # A token made after the change works.
    assert client_with(tokens.api_token_create(user=user, name="new")[1]).get(ME).status_code == 200


def test_a_password_reset_through_the_emailed_link_revokes_every_token(client, user):
    """The hole: a token outlived a password reset (whoever had the old password kept the
    account through the API)."""
    _, secret = tokens.api_token_create(user=user, name="laptop")
    assert client_with(secret).get(ME).status_code == 200

    requested = client.post("/accounts/password/reset/", {"email": user.email})
    assert requested.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", mail.outbox[0].body)
    assert link is not None, mail.outbox[0].body
    form_page = client.get(link.group(1), follow=True)
    assert form_page.status_code == 200
    set_password_url = form_page.redirect_chain[-1][0]
    done = client.post(set_password_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    refused = client_with(secret).get(ME)
    assert refused.status_code == 401
    assert refused.json() == {"detail": "This token has been revoked."}


def test_setting_a_first_password_revokes_every_token(client, user):
    _, secret = tokens.api_token_create(user=user, name="laptop")
    user.set_unusable_password()
    user.save(update_fields=["password"])
    client.force_login(user)

    response = client.post(
        "/accounts/password/set/", {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )

    assert response.status_code == 302
    assert client_with(secret).get(ME).status_code == 401


def test_a_superuser_changing_a_password_in_the_admin_revokes_every_token(admin_client, user):
    _, secret = tokens.api_token_create(user=user, name="laptop")

    response = admin_client.post(
        f"/admin/accounts/user/{user.pk}/password/",
        {"usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert client_with(secret).get(ME).status_code == 401


def test_a_refused_password_change_revokes_nothing(client, user):
    _, secret = tokens.api_token_create(user=user, name="laptop")
    before = snapshot(user)
    client.force_login(user)

    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": "not-my-password", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 200  # the form again, with its error
    assert snapshot(user) == before
    assert client_with(secret).get(ME).status_code == 200


# --- the account's tokens page --------------------------------------------------------------

PAGE = "/accounts/tokens/"


def test_the_page_needs_a_login(client):
    response = client.get(PAGE)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_page_lists_my_tokens_only(client, user):
    tokens.api_token_create(user=user, name="my laptop")
    revoked, _ = tokens.api_token_create(user=user, name="old script")
    tokens.api_token_revoke(user=user, token_id=revoked.pk)
    tokens.api_token_create(user=UserFactory(), name="someone else's")
    client.force_login(user)

    response = client.get(PAGE)

    assert response.status_code == 200
    page = response.content.decode()
    assert "my laptop" in page
    assert "old script" in page
    assert "someone else" not in page
    assert [token.name for token in response.context["page"].object_list] == [
        "old script",
        "my laptop",
    ]
    assert page.count('data-testid="token-status"') == 2
    assert page.count('data-testid="token-revoke"') == 1  # none for the revoked token
    # The account page (the header's name) leads here.
    assert 'data-testid="api-tokens-link"' in client.get("/accounts/").content.decode()


def test_the_page_costs_a_fixed_number_of_queries(client, user, django_assert_max_num_queries):
    client.force_login(user)
    tokens.api_token_create(user=user, name="one")
    with CaptureQueriesContext(connection) as one:
        client.get(PAGE)
    for n in range(15):
        tokens.api_token_create(user=user, name=f"more {n}")
    with CaptureQueriesContext(connection) as sixteen:
        client.get(PAGE)

    assert len(sixteen.captured_queries) == len(one.captured_queries)


def test_creating_a_token_shows_its_secret_once(client, user):
    client.force_login(user)

    response = client.post(PAGE, {"name": "laptop", "expires_in_days": "30"})

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get(user=user)
    secret = response.context["secret"]
    assert token.key_hash == tokens.secret_hash(secret)
    assert f'data-testid="token-secret">{secret}</code>' in response.content.decode()
    assert client_with(secret).get(ME).status_code == 200
    # Never again.
    assert secret not in client.get(PAGE).content.decode()


@pytest.mark.parametrize(
    ("data", "field", "error"),
    [
        ({"name": "", "expires_in_days": "30"}, "name", "This field is required."),
        ({"name": "laptop", "expires_in_days": "366"}, "expires_in_days",
         "A token lasts between 1 and 365 days."),
        ({"name": "laptop", "expires_in_days": "0"}, "expires_in_days",
         "Ensure this value is greater than or equal to 1."),
        ({"name": "laptop", "expires_in_days": "1e400"}, "expires_in_days",
         "Enter a whole number."),
        ({"name": "\u202e", "expires_in_days": "30"}, "name", "Give the token a name."),
    ],
    ids=["no-name", "too-long", "zero", "not-a-number", "invisible-name"],
)  # fmt: skip
def test_bad_input_on_the_page_gets_400_and_creates_nothing(client, user, data, field, error):
    client.force_login(user)

    response = client.post(PAGE, data)

    assert response.status_code == 400
    assert response.context["form"].errors[field] == [error]
    assert response.context["secret"] is None
    assert not ApiToken.objects.exists()


def test_the_page_refuses_a_post_without_csrf(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)

    response = client.post(PAGE, {"name": "laptop", "expires_in_days": "30"})

    assert response.status_code == 403
    assert not ApiToken.objects.exists()


def test_revoking_and_rotating_from_the_page(client, user):
    token, secret = tokens.api_token_create(user=user, name="laptop")
    client.force_login(user)

    rotated = client.post(f"/accounts/tokens/{token.pk}/rotate/", HTTP_HX_REQUEST="true")
    assert rotated.status_code == 200
    new_secret = rotated.context["secret"]
    new = rotated.context["new_token"]
    assert new.name == "laptop"
    assert new_secret in rotated.content.decode()
    assert client_with(secret).get(ME).status_code == 401
    assert client_with(new_secret).get(ME).status_code == 200

    revoked = client.post(f"/accounts/tokens/{new.pk}/revoke/")
    assert revoked.status_code == 200
    assert revoked.context["notice"] == "The token “laptop” is revoked."
    assert client_with(new_secret).get(ME).status_code == 401

    again = client.post(f"/accounts/tokens/{token.pk}/rotate/")
    assert again.status_code == 409
    assert again.context["notice"] == "This token is revoked: create a new one instead."
    assert ApiToken.objects.filter(user=user).count() == 2


@pytest.mark.parametrize("action", ["rotate", "revoke"])
def test_someone_elses_token_is_not_found_from_the_page(client, user, action):
    token, secret = tokens.api_token_create(user=user, name="laptop")
    before = snapshot(user)
    intruder = UserFactory()
    client.force_login(intruder)

    response = client.post(f"/accounts/tokens/{token.pk}/{action}/")
    unknown = client.post(f"/accounts/tokens/{10**30}/{action}/")

    assert response.status_code == 404
    assert unknown.status_code == 404
    assert snapshot(user) == before
    assert not ApiToken.objects.filter(user=intruder).exists()
    assert client_with(secret).get(ME).status_code == 200


def test_revoke_and_rotate_answer_only_post(client, user):
    token, secret = tokens.api_token_create(user=user, name="laptop")
    client.force_login(user)

    assert client.get(f"/accounts/tokens/{token.pk}/revoke/").status_code == 405
    assert client.get(f"/accounts/tokens/{token.pk}/rotate/").status_code == 405
    assert client_with(secret).get(ME).status_code == 200


# --- /api/v1/me/tokens/ ---------------------------------------------------------------------


def test_the_api_lists_my_tokens_without_any_secret_or_hash(user, api_as):
    client = api_as(user)
    other, _ = tokens.api_token_create(user=UserFactory(), name="theirs")

    response = client.get("/api/v1/me/tokens/")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    row = body["results"][0]
    assert set(row) == {
        "id", "name", "prefix", "status", "created_at", "expires_at", "last_used_at",
        "revoked_at",
    }  # fmt: skip
    assert row["id"] == client.api_token.pk
    assert row["prefix"] == client.api_secret[:12]
    assert client.api_token.key_hash not in response.content.decode()


def session_client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def test_the_api_creates_a_token_and_returns_its_secret_once(user):
    client = session_client(user)

    response = client.post(
        "/api/v1/me/tokens/", {"name": "CI", "expires_in_days": 7}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    token = ApiToken.objects.get(pk=body["id"])
    assert body["token"] and token.key_hash == tokens.secret_hash(body["token"])
    assert body["name"] == "CI"
    assert body["status"] == "active"
    assert body["token"] not in client.get("/api/v1/me/tokens/").content.decode()


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ({}, {"name": ["This field is required."]}),
        ({"name": "CI", "expires_in_days": 366},
         {"expires_in_days": ["A token lasts between 1 and 365 days."]}),
        ({"name": "CI", "expires_in_days": "x"},
         {"expires_in_days": ["A valid integer is required."]}),
        ({"name": ["CI"]}, {"name": ["Not a valid string."]}),
    ],
    ids=["nothing", "too-long", "not-a-number", "a-list"],
)  # fmt: skip
def test_the_api_refuses_bad_input_with_field_errors(user, payload, errors):
    client = session_client(user)

    response = client.post("/api/v1/me/tokens/", payload, format="json")

    assert response.status_code == 400
    assert response.json() == errors
    assert not ApiToken.objects.filter(user=user).exists()


def test_the_api_rotates_and_revokes(user):
    client = session_client(user)
    token, secret = tokens.api_token_create(user=user, name="CI")

    rotated = client.post(f"/api/v1/me/tokens/{token.pk}/rotate/")
    assert rotated.status_code == 201
    assert rotated.json()["name"] == "CI"
    assert client_with(secret).get(ME).status_code == 401
    new_secret = rotated.json()["token"]
    assert client_with(new_secret).get(ME).status_code == 200

    revoked = client.delete(f"/api/v1/me/tokens/{rotated.json()['id']}/")
    assert revoked.status_code == 204
    assert client_with(new_secret).get(ME).status_code == 401

    again = client.post(f"/api/v1/me/tokens/{token.pk}/rotate/")
    assert again.status_code == 409
    assert again.json() == {
        "detail": "This token is revoked: create a new one instead.",
        "code": "token_revoked",
    }


def test_a_token_cannot_mint_tokens_so_a_stolen_one_cannot_outlive_its_expiry(user, api_as):
    client = api_as(user)
    before = snapshot(user)

    created = client.post("/api/v1/me/tokens/", {"name": "again"}, format="json")
    rotated = client.post(f"/api/v1/me/tokens/{client.api_token.pk}/rotate/")

    for response in (created, rotated):
        assert response.status_code == 403
        assert "A token cannot create or rotate tokens" in response.json()["detail"]
    assert snapshot(user) == before
    assert client.get("/api/v1/me/tokens/").status_code == 200  # reading stays open


def test_a_token_can_revoke_itself(user, api_as):
    client = api_as(user)

    response = client.delete(f"/api/v1/me/tokens/{client.api_token.pk}/")

    assert response.status_code == 204
    assert client.get(ME).status_code == 401


@pytest.mark.parametrize("method", ["delete", "rotate"])
def test_someone_elses_token_id_is_not_found_in_the_api(user, api_as, method):
    token, secret = tokens.api_token_create(user=user, name="mine")
    before = snapshot(user)
    intruder = session_client(UserFactory())

    for token_id in [token.pk, 10**30]:
        if method == "delete":
            response = intruder.delete(f"/api/v1/me/tokens/{token_id}/")
        else:
            response = intruder.post(f"/api/v1/me/tokens/{token_id}/rotate/")
        assert response.status_code == 404
        assert response.json() == {"detail": "No such token.", "code": "not_found"}
    assert snapshot(user) == before
    assert client_with(secret).get(ME).status_code == 200


def test_the_token_api_needs_a_login(user):
    token, _ = tokens.api_token_create(user=user, name="mine")
    anonymous = APIClient()

    answers = [
        anonymous.get("/api/v1/me/tokens/"),
        anonymous.post("/api/v1/me/tokens/", {"name": "x"}, format="json"),
        anonymous.delete(f"/api/v1/me/tokens/{token.pk}/"),
        anonymous.post(f"/api/v1/me/tokens/{token.pk}/rotate/"),
    ]

    assert [answer.status_code for answer in answers] == [401] * 4
    assert ApiToken.objects.filter(user=user).count() == 1
    token.refresh_from_db()
    assert token.revoked_at is None
