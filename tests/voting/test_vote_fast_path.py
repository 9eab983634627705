"""The vote's door below Django's request stack (voting/api/fast_path.py) answers as
Django does, or leaves the request to Django.

- The API's vote tests (tests/test_api.py) run again here, their requests sent through
  the fast path as config/wsgi.py sends them;
- for the same requests, its answers equal Django's: status, body and headers;
- what it does not answer plainly goes to Django untouched: a session, a form, a query
  string, HTML, a token Django refuses, a body Django refuses, a redirect to HTTPS;
- the rate limits count and refuse at this door as at Django's, and a refused vote is
  not written;
- a vote costs two SQL statements: the token, then the vote."""

import json
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import Client, override_settings
from django.test.client import RequestFactory
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase
from rest_framework.test import APIClient
from rest_framework.views import APIView

from accounts.models import ApiToken
from core.api import AccountRateThrottle
from ideas.models import Idea
from tests import test_api
from tests.factories import CampaignFactory, IdeaFactory, UserFactory
from tests.voting.fast_path_client import fast_path_client
from voting.api.fast_path import VoteFastPath
from voting.models import IdeaTally, Vote

pytestmark = pytest.mark.django_db


def vote_url(idea_or_pk) -> str:
    return f"/api/v1/ideas/{getattr(idea_or_pk, 'pk', idea_or_pk)}/vote/"


# --- the API's vote tests, through the fast path ------------------------------------------

CLIENTS: list = []


@pytest.fixture
def api_as():
    """conftest's api_as, its requests sent through the fast path."""

    def make(user):
        client = fast_path_client(user)
        CLIENTS.append(client)
        return client

    return make


@pytest.fixture
def api_client():
    client = fast_path_client()
    CLIENTS.append(client)
    return client


def answered_by_the_fast_path() -> int:
    return sum(client.handler.answered for client in CLIENTS)


test_a_vote_is_cast_once_changed_and_retracted = (
    test_api.test_a_vote_is_cast_once_changed_and_retracted
)
test_the_string_one_is_accepted_as_a_vote = test_api.test_the_string_one_is_accepted_as_a_vote
test_a_bad_vote_value_gets_400_with_a_value_error_and_no_vote = (
    test_api.test_a_bad_vote_value_gets_400_with_a_value_error_and_no_vote
)
test_a_vote_on_a_hidden_idea_is_refused_and_nothing_is_written = (
    test_api.test_a_vote_on_a_hidden_idea_is_refused_and_nothing_is_written
)
test_a_moderator_who_can_see_a_hidden_idea_still_cannot_vote_on_it = (
    test_api.test_a_moderator_who_can_see_a_hidden_idea_still_cannot_vote_on_it
)
test_refused_votes_get_the_service_error_and_nothing_is_written = (
    test_api.test_refused_votes_get_the_service_error_and_nothing_is_written
)
test_anonymous_users_cannot_vote = test_api.test_anonymous_users_cannot_vote
test_a_vote_on_a_missing_idea_is_404 = test_api.test_a_vote_on_a_missing_idea_is_404


@pytest.fixture(autouse=True)
def _the_fast_path_answered(request):
    """The borrowed tests really went through the fast path (where it answers at all: not
    a body the serializer refuses, nor a request without a token)."""
    CLIENTS.clear()
    yield
    if request.function.__module__ != test_api.__name__:
        return
    plain = "anonymous" not in request.node.name and not any(
        case in request.node.name for case in ("zero", "letter", "null", "missing]")
    )
    assert (answered_by_the_fast_path() > 0) is plain


# --- the same answers as Django's ---------------------------------------------------------


def comparable(response) -> tuple:
    """Status, body and headers; the policy's directives as a set (their order is not
    stable from one process to the next)."""
    headers = dict(response.headers)
    policy = headers.pop("Content-Security-Policy", "")
    return (
        response.status_code,
        response.json(),
        headers,
        frozenset(part.strip() for part in policy.split(";")),
    )


def both_doors(user, send) -> tuple:
    """`send(client)` through Django and through the fast path, each in a savepoint rolled
    back after it, so that both start from the same data."""
    answers = []
    for client in (APIClient(), fast_path_client()):
        client.credentials(HTTP_AUTHORIZATION=f"Token {user.secret}")
        with transaction.atomic():
            answers.append(comparable(send(client)))
            transaction.set_rollback(True)
        if hasattr(client.handler, "answered"):
            assert client.handler.answered == 1
    return tuple(answers)


@pytest.fixture
def voter():
    """A voter and the secret of a personal token of theirs (`voter.secret`)."""
    user = UserFactory()
    user.secret = fast_path_client(user).api_secret
    return user


def closed_idea():
    now = timezone.now()
    campaign = CampaignFactory(
        submission_opens_at=now - timedelta(days=20),
        submission_closes_at=now - timedelta(days=10),
        voting_opens_at=now - timedelta(days=10),
        voting_closes_at=now - timedelta(days=1),
    )
    return IdeaFactory(campaign=campaign)


SCENARIOS = {
    "cast": lambda voter: ("put", IdeaFactory(), {"value": 1}),
    "cast-bearer": lambda voter: ("put", IdeaFactory(), {"value": -1}),
    "withdraw": lambda voter: ("delete", IdeaFactory(), None),
    "stars": lambda voter: (
        "put", IdeaFactory(campaign=CampaignFactory(voting_method="star")), {"value": 4},
    ),
    "tallied": lambda voter: ("put", tallied_idea(), {"value": 1}),
    "embargo": lambda voter: (
        "put", IdeaFactory(campaign=CampaignFactory(results_embargo=True)), {"value": 1},
    ),
    "own-idea": lambda voter: ("put", IdeaFactory(author=voter), {"value": 1}),
    "closed": lambda voter: ("put", closed_idea(), {"value": 1}),
    "hidden": lambda voter: ("put", IdeaFactory(status=Idea.Status.HIDDEN), {"value": 1}),
    "missing": lambda voter: ("put", 2_000_000_000, {"value": 1}),
    "wrong-value": lambda voter: ("put", IdeaFactory(), {"value": 5}),
    "wrong-method": lambda voter: (
        "delete", IdeaFactory(campaign=CampaignFactory(voting_method="approval")), None,
    ),
    "limit": lambda voter: ("put", limited_idea(voter), {"value": 1}),
}  # fmt: skip


def tallied_idea():
    idea = IdeaFactory()
    IdeaTally.objects.filter(idea=idea).update(
        upvotes=3, downvotes=1, score=2, wilson_lower_bound=0.3, computed_at=timezone.now()
    )
    return idea


def limited_idea(voter):
    campaign = CampaignFactory(max_votes_per_voter=1)
    now = timezone.now()
    Vote.objects.create(
        voter=voter, idea=IdeaFactory(campaign=campaign), value=1, created_at=now, updated_at=now
    )
    return IdeaFactory(campaign=campaign)


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_the_fast_path_answers_as_django_does(voter, scenario, language):
    method, idea, body = SCENARIOS[scenario](voter)
    keyword = "Bearer" if scenario == "cast-bearer" else "Token"

    def send(client):
        client.credentials(HTTP_AUTHORIZATION=f"{keyword} {voter.secret}")
        return getattr(client, method)(
            vote_url(idea), body, format="json", HTTP_ACCEPT_LANGUAGE=language
        )

    through_django, through_the_fast_path = both_doors(voter, send)

    assert through_the_fast_path == through_django
    assert through_django[2]["Content-Language"] == language


@override_settings(SECURE_HSTS_SECONDS=3600, SECURE_HSTS_INCLUDE_SUBDOMAINS=True)
def test_over_https_the_headers_are_djangos_too(voter):
    idea = IdeaFactory()
    through_django, through_the_fast_path = both_doors(
        voter, lambda client: client.put(vote_url(idea), {"value": 1}, format="json", secure=True)
    )
    assert through_the_fast_path == through_django
    assert "includeSubDomains" in through_django[2]["Strict-Transport-Security"]


# --- what goes to Django ------------------------------------------------------------------


JSON = {"data": {"value": 1}, "format": "json"}


@pytest.mark.parametrize(
    ("name", "request_kwargs", "status"),
    [
        ("form body", {"data": {"value": "1"}}, 200),
        ("html wanted", {**JSON, "HTTP_ACCEPT": "text/html"}, 200),
        ("query string", {**JSON, "path_suffix": "?format=json"}, 200),
        ("nested body", {"raw": '{"value": 1, "x": ' + "[" * 70 + "]" * 70 + "}"}, 400),
        ("NaN", {"raw": '{"value": NaN}'}, 400),
        ("NUL in a key", {"raw": '{"value": 1, "\\u0000": 2}'}, 400),
        ("not an object", {"raw": "[1]"}, 400),
        ("not JSON", {"raw": "value=1"}, 400),
        ("a float", {"raw": '{"value": 1.0}'}, 400),
        ("a boolean", {"raw": '{"value": true}'}, 400),
        ("unknown host", {**JSON, "HTTP_HOST": "evil.example"}, 400),
        ("NUL in a header", {**JSON, "HTTP_X_NOTE": "a\x00b"}, 400),
    ],
)  # fmt: skip
def test_what_is_not_plain_goes_to_django_and_django_answers(voter, name, request_kwargs, status):
    idea = IdeaFactory()
    client = fast_path_client()
    client.credentials(HTTP_AUTHORIZATION=f"Token {voter.secret}")
    kwargs = dict(request_kwargs)
    url = vote_url(idea) + kwargs.pop("path_suffix", "")
    raw = kwargs.pop("raw", None)
    if raw is not None:
        response = client.generic("PUT", url, raw.encode(), content_type="application/json")
    else:
        response = client.put(url, **kwargs)

    assert client.handler.answered == 0, name
    assert response.status_code == status, (name, response.content[:200])
    assert Vote.objects.count() == (1 if status == 200 else 0)


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (lambda token: ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now()),
         "This token has been revoked."),
        (lambda token: ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now()),
         "This token has expired."),
        (lambda token: type(token.user).objects.filter(pk=token.user_id).update(is_active=False),
         "User inactive or deleted."),
        (lambda token: ApiToken.objects.filter(pk=token.pk).delete(), "Invalid token."),
    ],
    ids=["revoked", "expired", "blocked", "unknown"],
)  # fmt: skip
def test_a_token_django_refuses_gets_djangos_401_and_writes_nothing(spoil, message):
    client = fast_path_client(UserFactory())
    spoil(client.api_token)

    response = client.put(vote_url(IdeaFactory()), {"value": 1}, format="json")

    assert client.handler.answered == 0
    assert (response.status_code, response.json()) == (401, {"detail": message})
    assert Vote.objects.count() == 0


def test_a_session_goes_to_django_and_still_needs_its_csrf_token(voter):
    idea = IdeaFactory()
    browser = APIClient(enforce_csrf_checks=True)
    browser.handler = fast_path_client().handler
    browser.handler.enforce_csrf_checks = True
    browser.force_login(voter)

    without_token = browser.put(vote_url(idea), {"value": 1}, format="json")
    browser.credentials(HTTP_AUTHORIZATION=f"Token {voter.secret}")
    with_both = browser.put(vote_url(idea), {"value": 1}, format="json")

    assert browser.handler.answered == 0
    assert without_token.status_code == 403 and "CSRF" in without_token.json()["detail"]
    # A token authenticates the request before the session, as DRF always did.
    assert with_both.status_code == 200
    assert list(Vote.objects.values_list("voter_id", "value")) == [(voter.pk, 1)]


@override_settings(SECURE_SSL_REDIRECT=True)
def test_a_redirect_to_https_is_djangos(voter):
    client = fast_path_client()
    client.credentials(HTTP_AUTHORIZATION=f"Token {voter.secret}")

    response = client.put(vote_url(IdeaFactory()), {"value": 1}, format="json")

    assert client.handler.answered == 0
    assert response.status_code == 301 and response["Location"].startswith("https://")
    assert Vote.objects.count() == 0


# --- rate limits ----------------------------------------------------------------------------


def assert_limited(response) -> None:
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response.json()["code"] == "rate_limited"
    assert "Please try again in" in response.json()["detail"]


def test_the_vote_rate_counts_casting_and_withdrawing_at_the_fast_path(voter):
    idea = IdeaFactory()
    client = fast_path_client(voter)

    with override_settings(FOULE_RATE_LIMITS={"vote": "2/m/user"}):
        answers = [
            client.put(vote_url(idea), {"value": 1}, format="json").status_code,
            client.put(vote_url(idea), {"value": -1}, format="json").status_code,
        ]
        refused_put = client.put(vote_url(idea), {"value": 1}, format="json")
        refused_delete = client.delete(vote_url(idea))

    assert client.handler.answered == 4
    assert answers == [200, 200]
    assert_limited(refused_put)
    assert_limited(refused_delete)
    assert "You have voted many times in a short time." in refused_put.json()["detail"]
    assert list(Vote.objects.values_list("value", flat=True)) == [-1]


@pytest.mark.parametrize("fast", [False, True], ids=["django", "fast-path"])
def test_the_write_rate_counts_by_address_and_by_account_as_at_djangos_door(fast):
    """The same sequence, the same answers at both doors: the "write" rate per account
    (its two tokens share it) and per address (counted first, as RateLimitMiddleware
    counts it before DRF knows the account, so a request the account's rate refuses
    still used the address's)."""
    first, second = UserFactory(), UserFactory()
    ideas = [IdeaFactory() for _ in range(4)]

    def client(user):
        made = fast_path_client(user)
        if not fast:
            made.handler = APIClient().handler
        return made

    mine, also_mine, theirs = client(first), client(first), client(second)
    sequence = [mine, also_mine, mine, also_mine, theirs, theirs]

    with override_settings(FOULE_RATE_LIMITS={"write": "3/m/user,5/m/ip"}):
        answers = [
            sender.put(vote_url(ideas[number % 4]), {"value": 1}, format="json")
            for number, sender in enumerate(sequence)
        ]

    assert [answer.status_code for answer in answers] == [200, 200, 200, 429, 200, 429]
    assert_limited(answers[3])
    assert_limited(answers[5])
    assert Vote.objects.filter(voter=first).count() == 3
    assert Vote.objects.filter(voter=second).count() == 1
    answered = sum(getattr(sender.handler, "answered", 0) for sender in (mine, also_mine, theirs))
    assert answered == (6 if fast else 0)


def test_the_api_throttle_counts_votes_at_the_fast_path(voter, monkeypatch):
    monkeypatch.setattr(APIView, "throttle_classes", [AccountRateThrottle])
    monkeypatch.setattr(AccountRateThrottle, "THROTTLE_RATES", {"user": "2/minute"})
    idea = IdeaFactory()
    client = fast_path_client(voter)

    answers = [client.put(vote_url(idea), {"value": 1}, format="json") for _ in range(3)]

    assert [response.status_code for response in answers[:2]] == [200, 200]
    assert_limited(answers[2])
    assert client.handler.answered == 3


# --- what a vote costs ----------------------------------------------------------------------


def test_a_vote_through_the_fast_path_is_one_statement_once_its_token_is_known(
    voter, django_assert_num_queries
):
    first, second = IdeaFactory(), IdeaFactory()
    client = fast_path_client(voter)
    with django_assert_num_queries(2):  # the token's owner, then the vote
        client.put(vote_url(first), {"value": 1}, format="json")
    with django_assert_num_queries(1):  # the vote, the token's checks in it
        response = client.put(vote_url(second), {"value": -1}, format="json")
    assert response.status_code == 200 and response.json()["value"] == -1


@pytest.mark.parametrize(
    "spoil",
    [
        lambda token: ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now()),
        lambda token: ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now()),
        lambda token: type(token.user).objects.filter(pk=token.user_id).update(is_active=False),
        lambda token: (
            type(token.user).objects.filter(pk=token.user_id).update(erased_at=timezone.now())
        ),
    ],
    ids=["revoked", "expired", "blocked", "erased"],
)
def test_a_known_token_that_stops_holding_writes_nothing_and_gets_djangos_401(spoil):
    """The process remembers whose a token is, never that it holds: the vote's statement
    checks it. The answer is the authenticator's 401, as Django's door gives it."""
    idea = IdeaFactory()
    client = fast_path_client(UserFactory())
    assert client.put(vote_url(IdeaFactory()), {"value": 1}, format="json").status_code == 200
    spoil(client.api_token)
    django = APIClient()
    django.credentials(HTTP_AUTHORIZATION=f"Token {client.api_secret}")

    refused = client.put(vote_url(idea), {"value": 1}, format="json")
    expected = django.put(vote_url(idea), {"value": 1}, format="json")
    again = client.delete(vote_url(idea))

    assert client.handler.answered == 2  # the vote before, then the refusal
    assert comparable(refused) == comparable(expected)
    assert refused.status_code == 401 and refused["WWW-Authenticate"] == "Token"
    # Forgotten: the next request is Django's again.
    assert again.status_code == 401
    assert not Vote.objects.filter(idea=idea).exists()


def test_the_fast_path_records_a_tokens_use_once_a_minute(voter):
    client = fast_path_client(voter)
    ApiToken.objects.filter(pk=client.api_token.pk).update(
        last_used_at=timezone.now() - timedelta(minutes=5)
    )
    client.put(vote_url(IdeaFactory()), {"value": 1}, format="json")
    used = ApiToken.objects.get(pk=client.api_token.pk).last_used_at
    client.put(vote_url(IdeaFactory()), {"value": 1}, format="json")

    assert timezone.now() - used < timedelta(seconds=5)
    assert ApiToken.objects.get(pk=client.api_token.pk).last_used_at == used


# --- the WSGI wrapper -----------------------------------------------------------------------


@pytest.fixture
def wrapper_calls():
    """VoteFastPath around a stand-in for Django; the test's database connection stays
    open at a request's end (as Django's test client keeps it)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    calls = []

    def django(environ, start_response):
        calls.append(environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)))
        start_response("418 I'm a teapot", [])
        return [b"django"]

    yield VoteFastPath(django), calls
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def wsgi(application, environ) -> tuple[str, dict, bytes]:
    answer = {}

    def start_response(status, headers):
        answer["status"], answer["headers"] = status, dict(headers)

    body = b"".join(application(environ, start_response))
    return answer["status"], answer["headers"], body


def test_the_wrapper_answers_a_plain_vote_and_passes_the_rest_untouched(voter, wrapper_calls):
    application, calls = wrapper_calls
    idea = IdeaFactory()
    factory = RequestFactory()
    token = {"HTTP_AUTHORIZATION": f"Token {voter.secret}"}

    voted = factory.put(vote_url(idea), json.dumps({"value": 1}), "application/json", **token)
    status, headers, body = wsgi(application, voted.environ)
    form = factory.put(vote_url(idea), "value=-1", "application/x-www-form-urlencoded", **token)
    passed = wsgi(application, form.environ)
    page = wsgi(application, factory.get("/").environ)

    assert status == "200 OK" and headers["Content-Type"] == "application/json"
    assert json.loads(body)["value"] == 1 and int(headers["Content-Length"]) == len(body)
    assert passed[0].startswith("418") and page[0].startswith("418")
    assert calls == [b"value=-1", b""]  # the form's body reached Django whole
    assert list(Vote.objects.values_list("value", flat=True)) == [1]


# --- no input makes it fail ------------------------------------------------------------------


class TestNoAnswerIsAServerError(HypothesisTestCase):
    """Bodies and headers as anyone may send them, with a real token: the fast path (or
    Django, when it leaves them) never answers 5xx."""

    @classmethod
    def setUpTestData(cls):
        moderator = UserFactory()
        moderator.groups.add(Group.objects.get_or_create(name="Moderators")[0])
        cls.secret = fast_path_client(moderator).api_secret
        cls.ideas = [IdeaFactory().pk, IdeaFactory(status=Idea.Status.HIDDEN).pk, 2_000_000_000]

    @settings(max_examples=150, deadline=None)
    @given(
        value=st.one_of(
            st.integers(-3, 7), st.text(max_size=5), st.none(), st.floats(), st.booleans()
        ),
        extra=st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
        idea=st.integers(0, 2),
        language=st.text(st.characters(max_codepoint=255, exclude_characters="\r\n"), max_size=8),
        method=st.sampled_from(["put", "delete"]),
    )
    def test_no_5xx(self, value, extra, idea, language, method):
        client = fast_path_client()
        client.credentials(HTTP_AUTHORIZATION=f"Token {self.secret}")
        body = json.dumps({**extra, "value": value}).encode()
        response = client.generic(
            method.upper(), vote_url(self.ideas[idea]), body,
            content_type="application/json", HTTP_ACCEPT_LANGUAGE=language,
        )  # fmt: skip
        assert response.status_code < 500, response.content[:300]
        assert response.status_code in {200, 400, 403, 404, 409}


def test_a_session_page_client_is_not_affected():
    """The pages' vote (htmx) never reaches the fast path: another URL."""
    client = Client()
    client.force_login(UserFactory())
    response = client.post(f"/ideas/{IdeaFactory().pk}/vote/", {"value": "1"})
    assert response.status_code == 302
    assert Vote.objects.count() == 1
