"""Limits on every write (core/ratelimit.py), at every door, pages and API alike: the
limit answers 429 with a Retry-After header and a clear message, and the write is not
made; per account across addresses, per address across accounts; the client address read
from X-Forwarded-For only through DJANGO_TRUSTED_PROXY_COUNT proxies (ours, allauth's and
the API throttles' alike); sign-up and login through allauth; an exact duplicate idea
refused with a link to the first.

The suite runs without limits (config/settings/test.py); each test here turns on the
rates it needs with override_settings. The counters live in the Django cache (Redis),
under the test key prefix that tests/conftest.py empties before each test."""

import threading

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from rest_framework.test import APIClient
from rest_framework.views import APIView

from brands.models import BrandInvitation, BrandMembership
from config.settings import base as base_settings
from core import ratelimit
from core.api import AccountRateThrottle, AddressRateThrottle
from core.errors import Duplicate
from ideas import services as idea_services
from ideas.models import Comment, Idea
from insights.models import CampaignExport
from tests.factories import (
    PASSWORD,
    BrandMembershipFactory,
    CampaignFactory,
    IdeaFactory,
    UserFactory,
)
from voting import pairwise
from voting.models import Ballot, PairwisePrompt, Vote

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def limits(**rates):
    """Turn on Foule's limits for one test: limits(vote="2/m/user")."""
    return override_settings(FOULE_RATE_LIMITS=rates)


def browser(user=None, **defaults) -> Client:
    client = Client(**defaults)
    if user is not None:
        client.force_login(user)
    return client


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user=user)
    return client


def retry_after(response, *, at_most: int) -> int:
    seconds = int(response["Retry-After"])
    assert 1 <= seconds <= at_most
    return seconds


def assert_page_limited(response, *, at_most: int = 60) -> str:
    """A page's 429: status, Retry-After, and the message with the wait in it."""
    assert response.status_code == 429
    seconds = retry_after(response, at_most=at_most)
    html = response.content.decode()
    assert "Please try again in" in html
    assert f"{seconds} second" in html or "minute" in html
    return html


def assert_api_limited(response, *, at_most: int = 60) -> dict:
    assert response.status_code == 429
    retry_after(response, at_most=at_most)
    body = response.json()
    assert body["code"] == "rate_limited"
    assert "Please try again in" in body["detail"]
    return body


# -- the holes, with the default rates -----------------------------------------------------


def test_the_default_rates_stop_a_hundred_vote_flips_in_a_row():
    """The review: a logged-in user flipped a vote 100 times in 8 s, all accepted."""
    idea = IdeaFactory()
    voter = UserFactory()
    client = api(voter)

    with override_settings(FOULE_RATE_LIMITS=base_settings.FOULE_RATE_LIMITS):
        answers = [
            client.put(f"/api/v1/ideas/{idea.pk}/vote/", {"value": 1 if n % 2 else -1}).status_code
            for n in range(100)
        ]

    assert answers.count(200) == 60  # "60/m/user"
    assert answers[60:] == [429] * 40
    # The 60th accepted flip (n = 59, odd) is the vote that stands.
    assert list(Vote.objects.filter(voter=voter).values_list("value", flat=True)) == [1]


def test_the_default_rates_stop_twenty_idea_submissions_in_a_row():
    """The review: 20 idea submissions in a row, all accepted."""
    campaign = CampaignFactory()
    client = browser(UserFactory())
    url = f"/campaigns/{campaign.slug}/ideas/new/"

    with override_settings(FOULE_RATE_LIMITS=base_settings.FOULE_RATE_LIMITS):
        answers = [
            client.post(url, {"title": f"Idea {n}", "body": "Details."}).status_code
            for n in range(20)
        ]

    assert answers == [302] * 5 + [429] * 15  # "5/m/user"
    assert Idea.objects.count() == 5


def test_every_write_has_a_default_rate_and_the_rates_parse():
    assert set(base_settings.FOULE_RATE_LIMITS) == {
        "idea_submit", "comment", "vote", "ballot", "pairwise_answer", "invitation",
        "export", "token", "report", "write",
    }  # fmt: skip
    assert all(base_settings.FOULE_RATE_LIMITS.values())
    with override_settings(
        FOULE_RATE_LIMITS=base_settings.FOULE_RATE_LIMITS,
        ACCOUNT_RATE_LIMITS=base_settings.ACCOUNT_RATE_LIMITS,
    ):
        assert ratelimit.check_rate_limits() == []


def test_an_unreadable_rate_is_reported_by_manage_py_check():
    with (
        limits(vote="60/m/user,lots/m/ip", comment="5/m/everyone"),
        override_settings(ACCOUNT_RATE_LIMITS={"signup": "20/fortnight/ip"}),
    ):
        errors = ratelimit.check_rate_limits()
    assert [error.id for error in errors] == ["foule.E001"] * 3
    assert [error.msg for error in errors] == [
        "FOULE_RATE_LIMITS['vote']: cannot read the rate 'lots/m/ip'.",
        "FOULE_RATE_LIMITS['comment']: cannot read the rate '5/m/everyone'.",
        "ACCOUNT_RATE_LIMITS['signup']: cannot read the rate '20/fortnight/ip'.",
    ]


# -- ideas ---------------------------------------------------------------------------------


def test_idea_form_over_its_limit_answers_429_and_keeps_the_text():
    campaign = CampaignFactory()
    client = browser(UserFactory())
    url = f"/campaigns/{campaign.slug}/ideas/new/"

    with limits(idea_submit="2/m/user"):
        accepted = [client.post(url, {"title": f"Idea {n}", "body": "B."}) for n in range(2)]
        refused = client.post(url, {"title": "Third idea", "body": "Kept text."})

    assert [response.status_code for response in accepted] == [302, 302]
    html = assert_page_limited(refused)
    assert "You have submitted many ideas in a short time." in html
    assert 'value="Third idea"' in html and "Kept text." in html
    assert sorted(Idea.objects.values_list("title", flat=True)) == ["Idea 0", "Idea 1"]


def test_showing_the_form_never_counts():
    campaign = CampaignFactory()
    client = browser(UserFactory())
    url = f"/campaigns/{campaign.slug}/ideas/new/"

    with limits(idea_submit="1/m/user"):
        shown = [client.get(url).status_code for _ in range(5)]
        posted = client.post(url, {"title": "One", "body": "B."})

    assert shown == [200] * 5
    assert posted.status_code == 302
    assert Idea.objects.count() == 1


def test_idea_api_over_its_limit_answers_429_json():
    campaign = CampaignFactory()
    client = api(UserFactory())
    url = f"/api/v1/campaigns/{campaign.slug}/ideas/"

    with limits(idea_submit="2/m/user"):
        accepted = [
            client.post(url, {"title": f"Idea {n}", "body": "B."}).status_code for n in range(2)
        ]
        refused = client.post(url, {"title": "Third", "body": "B."})
        listed = client.get(url)  # reading is never limited by a write's rate

    assert accepted == [201, 201]
    body = assert_api_limited(refused)
    assert body["detail"].startswith("You have submitted many ideas in a short time.")
    assert listed.status_code == 200
    assert Idea.objects.count() == 2


# -- comments ------------------------------------------------------------------------------


def test_comment_over_its_limit_answers_429_with_and_without_htmx():
    idea = IdeaFactory()
    client = browser(UserFactory())
    url = f"/ideas/{idea.pk}/comments/"

    with limits(comment="1/m/user"):
        accepted = client.post(url, {"body": "First."})
        refused = client.post(url, {"body": "Second."})
        refused_htmx = client.post(url, {"body": "Third, by htmx."}, **HTMX)

    assert accepted.status_code == 302
    assert "You have posted many comments in a short time." in assert_page_limited(refused)
    html = assert_page_limited(refused_htmx)
    assert "Third, by htmx." in html  # the form comes back with the text
    assert refused_htmx["HX-Retarget"] == "#comment-form"
    assert list(Comment.objects.values_list("body", flat=True)) == ["First."]


# -- votes ---------------------------------------------------------------------------------


def test_vote_page_over_its_limit_answers_429_and_the_vote_stands():
    idea = IdeaFactory()
    voter = UserFactory()
    client = browser(voter)
    url = f"/ideas/{idea.pk}/vote/"

    with limits(vote="2/m/user"):
        accepted = [client.post(url, {"value": value}).status_code for value in (1, -1)]
        refused = client.post(url, {"value": 1})
        refused_htmx = client.post(url, {"value": 0}, **HTMX)

    assert accepted == [302, 302]
    html = assert_page_limited(refused)
    assert 'data-testid="rate-limited"' in html
    assert "You have voted many times in a short time." in html
    # htmx gets its widget back, with the message where the vote's errors show.
    widget = assert_page_limited(refused_htmx)
    assert 'data-testid="vote-widget"' in widget and "vote__error" in widget
    assert list(Vote.objects.filter(voter=voter).values_list("value", flat=True)) == [-1]


def test_vote_api_counts_casting_and_withdrawing():
    idea = IdeaFactory()
    voter = UserFactory()
    client = api(voter)
    url = f"/api/v1/ideas/{idea.pk}/vote/"

    with limits(vote="2/m/user"):
        answers = [client.put(url, {"value": 1}).status_code, client.delete(url).status_code]
        refused_put = client.put(url, {"value": -1})
        refused_delete = client.delete(url)
        read = client.get(url)

    assert answers == [200, 200]
    assert_api_limited(refused_put)
    assert_api_limited(refused_delete)
    assert read.status_code == 200 and read.json()["value"] == 0
    assert not Vote.objects.filter(voter=voter).exclude(value=0).exists()


# -- ballots and pairwise answers ----------------------------------------------------------


def ballot_choices(voter, campaign) -> list[int]:
    ballot = Ballot.objects.filter(voter=voter, campaign=campaign).first()
    return sorted(ballot.choices.values_list("idea_id", flat=True)) if ballot else []


def test_ballot_over_its_limit_answers_429_at_both_doors():
    campaign = CampaignFactory(voting_method="approval")
    first, second, third = (IdeaFactory(campaign=campaign) for _ in range(3))
    voter = UserFactory()
    page, client = browser(voter), api(voter)

    with limits(ballot="1/m/user"):
        accepted = page.post(f"/campaigns/{campaign.slug}/ballot/", {"choices": [first.pk]})
        refused = page.post(f"/campaigns/{campaign.slug}/ballot/", {"choices": [second.pk]})
        refused_api = client.put(
            f"/api/v1/campaigns/{campaign.slug}/ballot/", {"choices": [third.pk]}, format="json"
        )
        refused_withdraw = client.delete(f"/api/v1/campaigns/{campaign.slug}/ballot/")

    assert accepted.status_code == 302
    assert "You have changed your ballot many times" in assert_page_limited(refused)
    assert_api_limited(refused_api)
    assert_api_limited(refused_withdraw)
    assert ballot_choices(voter, campaign) == [first.pk]


def test_pairwise_answer_over_its_limit_answers_429_at_both_doors():
    campaign = CampaignFactory(voting_method="pairwise")
    for _ in range(4):
        IdeaFactory(campaign=campaign)
    voter = UserFactory()
    page, client = browser(voter), api(voter)

    with limits(pairwise_answer="1/m/user"):
        prompt = pairwise.pairwise_issue(voter=voter, campaign=campaign)
        accepted = page.post(
            f"/campaigns/{campaign.slug}/compare/", {"token": prompt.token, "outcome": "left"}
        )
        second = pairwise.pairwise_issue(voter=voter, campaign=campaign)
        refused = page.post(
            f"/campaigns/{campaign.slug}/compare/", {"token": second.token, "outcome": "left"}
        )
        refused_api = client.put(f"/api/v1/pairs/{second.token}/", {"outcome": "right"})

    assert accepted.status_code == 302
    assert "You have answered many comparisons" in assert_page_limited(refused)
    assert_api_limited(refused_api)
    assert PairwisePrompt.objects.get(pk=prompt.pk).outcome == "left"
    second.refresh_from_db()
    assert (second.answered_at, second.outcome) == (None, "")


# -- invitations and exports ---------------------------------------------------------------


@pytest.fixture
def owner():
    return BrandMembershipFactory(role=BrandMembership.Role.OWNER).user


def test_invitations_over_their_limit_answer_429_and_send_nothing(owner, mailoutbox):
    brand = owner.brand_memberships.get().brand
    client = browser(owner)
    invite = f"/brands/{brand.slug}/team/invite/"

    with limits(invitation="1/m/user"):
        accepted = client.post(invite, {"email": "ann@example.org", "role": "manager"})
        invitation = BrandInvitation.objects.get()
        before = (invitation.token_hash, len(mailoutbox))
        refused = client.post(invite, {"email": "bob@example.org", "role": "manager"})
        resent = client.post(f"/brands/{brand.slug}/team/invitations/{invitation.pk}/resend/")

    assert accepted.status_code == 302
    html = assert_page_limited(refused)
    assert "You have sent many invitations in a short time." in html
    assert 'value="bob@example.org"' in html
    assert "You have sent many invitations" in assert_page_limited(resent)
    assert list(BrandInvitation.objects.values_list("email", flat=True)) == ["ann@example.org"]
    invitation.refresh_from_db()
    assert (invitation.token_hash, len(mailoutbox)) == before


def test_exports_over_their_limit_answer_429(owner, monkeypatch):
    from insights import tasks

    monkeypatch.setattr(tasks.campaign_export_build, "delay", lambda *args: None)
    campaign = CampaignFactory(brand=owner.brand_memberships.get().brand)
    client = browser(owner)
    url = f"/campaigns/{campaign.slug}/exports/"

    with limits(export="1/m/user"):
        accepted = client.post(url, {"kind": "ideas", "format": "csv"})
        refused = client.post(url, {"kind": "votes", "format": "csv"})

    assert accepted.status_code == 302
    assert "You have requested many exports" in assert_page_limited(refused)
    assert list(CampaignExport.objects.values_list("kind", flat=True)) == ["ideas"]


# -- API tokens ----------------------------------------------------------------------------


def test_the_token_endpoint_over_its_limit_answers_429_even_with_forged_headers():
    from accounts.models import ApiToken

    user = UserFactory()
    client = api()

    def obtain(password, n):
        return client.post(
            "/api/v1/auth/token/",
            {"email": user.email, "password": password},
            HTTP_X_FORWARDED_FOR=f"10.2.0.{n}",
        )

    with limits(token="2/m/ip"):
        tries = [obtain("wrong", n).status_code for n in range(2)]
        refused = obtain(PASSWORD, 3)

    assert tries == [400, 400]
    body = assert_api_limited(refused)
    assert body["detail"].startswith("Too many API token requests from this address.")
    assert not ApiToken.objects.exists()


# -- per account, per address --------------------------------------------------------------


def test_a_per_account_limit_follows_the_account_across_addresses():
    idea = IdeaFactory()
    voter = UserFactory()
    client = browser(voter)

    with limits(vote="2/m/user"):
        answers = [
            client.post(
                f"/ideas/{idea.pk}/vote/", {"value": 1}, REMOTE_ADDR=f"203.0.113.{n}"
            ).status_code
            for n in range(1, 4)
        ]

    assert answers == [302, 302, 429]


def test_a_per_address_limit_holds_across_accounts():
    idea = IdeaFactory()
    voters = [UserFactory() for _ in range(3)]

    with limits(vote="5/m/user,2/m/ip"):
        answers = [
            browser(voter).post(f"/ideas/{idea.pk}/vote/", {"value": 1}).status_code
            for voter in voters
        ]
        elsewhere = browser(voters[2], REMOTE_ADDR="198.51.100.7").post(
            f"/ideas/{idea.pk}/vote/", {"value": 1}
        )

    assert answers == [302, 302, 429]
    assert elsewhere.status_code == 302  # another address has its own count
    assert Vote.objects.count() == 3


def test_a_refused_request_costs_nothing_so_the_wait_it_is_told_is_exact():
    """When the address's rate refuses, the account's hit for that request is taken back:
    a script hammering past its limit does not push its own wait further."""
    idea = IdeaFactory()
    voter = UserFactory()
    client = browser(voter)

    with limits(vote="3/m/user,1/m/ip"):
        first = client.post(f"/ideas/{idea.pk}/vote/", {"value": 1})
        for _ in range(5):
            assert client.post(f"/ideas/{idea.pk}/vote/", {"value": -1}).status_code == 429
        moved = [
            client.post(
                f"/ideas/{idea.pk}/vote/", {"value": 0}, REMOTE_ADDR=f"198.51.100.{n}"
            ).status_code
            for n in (1, 2, 3)
        ]

    assert first.status_code == 302
    assert moved == [302, 302, 429]  # 3 per account: the 5 refused attempts did not count


# -- the client address --------------------------------------------------------------------


def test_with_no_trusted_proxy_a_new_forwarded_header_each_time_does_not_escape():
    """The review: a new X-Forwarded-For on each request, 700 of 700 passed."""
    idea = IdeaFactory()
    voters = [UserFactory() for _ in range(3)]

    with limits(vote="2/m/ip"):
        answers = [
            browser(voter)
            .post(f"/ideas/{idea.pk}/vote/", {"value": 1}, HTTP_X_FORWARDED_FOR=f"10.9.8.{n}")
            .status_code
            for n, voter in enumerate(voters)
        ]

    assert settings.FOULE_TRUSTED_PROXY_COUNT == 0
    assert answers == [302, 302, 429]


@pytest.fixture
def api_throttles(monkeypatch):
    """The API's default throttles, on (the suite runs without them), at 3 a minute."""
    monkeypatch.setattr(APIView, "throttle_classes", [AddressRateThrottle, AccountRateThrottle])
    rates = {"anon": "3/minute", "user": "3/minute"}
    monkeypatch.setattr(AddressRateThrottle, "THROTTLE_RATES", rates)
    monkeypatch.setattr(AccountRateThrottle, "THROTTLE_RATES", rates)


def test_the_api_throttle_ignores_a_forged_forwarded_header(api_throttles):
    CampaignFactory()
    client = api()
    answers = [
        client.get("/api/v1/campaigns/", HTTP_X_FORWARDED_FOR=f"10.0.{n}.1") for n in range(4)
    ]

    assert [response.status_code for response in answers] == [200, 200, 200, 429]
    assert_api_limited(answers[-1])


def test_the_api_throttle_limits_a_signed_in_account_reads_too(api_throttles):
    campaign = CampaignFactory()
    user = UserFactory()
    answers = [
        api(user).get(f"/api/v1/campaigns/{campaign.slug}/", REMOTE_ADDR=f"198.51.100.{n}")
        for n in range(4)
    ]

    assert [response.status_code for response in answers] == [200, 200, 200, 429]
    assert_api_limited(answers[-1])


@override_settings(FOULE_TRUSTED_PROXY_COUNT=1)
def test_with_one_trusted_proxy_the_right_most_forwarded_address_counts(api_throttles):
    CampaignFactory()
    client = api()

    def get(forwarded):
        return client.get("/api/v1/campaigns/", HTTP_X_FORWARDED_FOR=forwarded).status_code

    # What the client wrote (left) changes; what our proxy appended (right) does not.
    same_client = [get(f"10.0.{n}.1, 192.0.2.10") for n in range(4)]
    other_client = get("192.0.2.10, 192.0.2.11")

    assert same_client == [200, 200, 200, 429]
    assert other_client == 200


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "", "127.0.0.1"),
        (0, "192.0.2.1", "127.0.0.1"),  # not trusted: ignored
        (1, "192.0.2.1", "192.0.2.1"),
        (1, "10.0.0.1, 192.0.2.1", "192.0.2.1"),  # the right-most: our proxy wrote it
        (2, "10.0.0.1, 192.0.2.1, 192.0.2.2", "192.0.2.1"),
        (2, "192.0.2.1", "127.0.0.1"),  # fewer entries than proxies: not through them
        (1, "not-an-address", "127.0.0.1"),
        (1, "10.0.0.1, 192.0.2.1:4711", "192.0.2.1"),
        (1, "[2001:db8::1]:4711", "2001:db8::1"),
    ],
)
def test_client_address(rf, count, forwarded, expected):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    request = rf.post("/", **headers)
    with override_settings(FOULE_TRUSTED_PROXY_COUNT=count):
        assert ratelimit.client_address(request) == expected


def test_allauth_counts_by_the_same_address(rf):
    from allauth.account.adapter import get_adapter

    request = rf.post("/", HTTP_X_FORWARDED_FOR="10.0.0.1, 192.0.2.1")
    assert get_adapter().get_client_ip(request) == "127.0.0.1"
    with override_settings(FOULE_TRUSTED_PROXY_COUNT=1):
        assert get_adapter().get_client_ip(request) == "192.0.2.1"


def test_the_proxy_count_is_one_setting_for_drf_and_allauth():
    assert base_settings.ALLAUTH_TRUSTED_PROXY_COUNT == base_settings.FOULE_TRUSTED_PROXY_COUNT
    assert base_settings.REST_FRAMEWORK["NUM_PROXIES"] == base_settings.FOULE_TRUSTED_PROXY_COUNT
    assert base_settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] == [
        "core.api.AddressRateThrottle",
        "core.api.AccountRateThrottle",
        "core.api.AccountWriteThrottle",
    ]


# -- sign-up and login (allauth) -----------------------------------------------------------


def signup(client, email, **extra):
    return client.post(
        "/accounts/signup/",
        {
            "email": email,
            "display_name": "Ann",
            "password1": PASSWORD,
            "password2": PASSWORD,
            **extra,
        },
    )


def test_signups_over_the_limit_get_foules_429_page_even_with_forged_headers():
    from accounts.models import User

    client = Client()
    with override_settings(ACCOUNT_RATE_LIMITS={"signup": "2/m/ip"}):
        for n in range(2):
            signup(client, f"person{n}@example.org", HTTP_X_FORWARDED_FOR=f"10.1.1.{n}")
            client.logout()
        refused = signup(client, "third@example.org", HTTP_X_FORWARDED_FOR="10.1.1.9")

    html = assert_page_limited(refused)
    assert "Too many sign-ups from this address." in html
    assert 'data-testid="rate-limited"' in html
    assert not User.objects.filter(email="third@example.org").exists()


def test_logins_over_the_limit_get_a_429_and_failed_logins_lock_the_address():
    user = UserFactory()
    with override_settings(ACCOUNT_RATE_LIMITS={"login": "2/m/ip"}):
        client = Client()
        for _ in range(2):
            client.post("/accounts/login/", {"login": user.email, "password": "wrong"})
        refused = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})

    assert "Too many login attempts from this address." in assert_page_limited(refused)
    assert "_auth_user_id" not in client.session

    with override_settings(ACCOUNT_RATE_LIMITS={"login_failed": "10/m/ip,2/5m/key"}):
        client = Client()
        for _ in range(2):
            client.post("/accounts/login/", {"login": user.email, "password": "wrong"})
        locked = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})

    assert "Too many failed login attempts" in locked.content.decode()
    assert "_auth_user_id" not in client.session


# -- duplicate ideas -----------------------------------------------------------------------


def test_the_same_idea_twice_is_refused_with_a_link_to_the_first():
    """The review: the same idea twice, both accepted."""
    campaign = CampaignFactory()
    client = browser(UserFactory())
    url = f"/campaigns/{campaign.slug}/ideas/new/"

    first = client.post(url, {"title": "Bike racks", "body": "More racks\nat the station."})
    again = client.post(url, {"title": "  bike  RACKS ", "body": "More racks at  the station. "})

    idea = Idea.objects.get()
    assert first.status_code == 302
    assert again.status_code == 409
    html = again.content.decode()
    assert "You have already submitted this idea to this campaign: “Bike racks”." in html
    assert f'<a href="/ideas/{idea.pk}/" data-testid="duplicate-link">' in html


def test_the_same_idea_twice_through_the_api_names_the_first():
    campaign = CampaignFactory()
    client = api(UserFactory())
    url = f"/api/v1/campaigns/{campaign.slug}/ideas/"

    first = client.post(url, {"title": "Bike racks", "body": "More."})
    again = client.post(url, {"title": "Bike racks", "body": "More."})

    assert first.status_code == 201
    assert again.status_code == 409
    idea_id = first.json()["id"]
    assert again.json() == {
        "detail": "You have already submitted this idea to this campaign: “Bike racks”.",
        "code": "duplicate_idea",
        "existing": {"id": idea_id, "url": f"/ideas/{idea_id}/"},
    }
    assert Idea.objects.count() == 1


def test_only_an_exact_duplicate_by_the_same_author_in_the_same_campaign_is_refused():
    campaign = CampaignFactory()
    author = UserFactory()

    def submit(**overrides):
        fields = {"author": author, "campaign": campaign, "title": "Benches", "body": "Ten."}
        return idea_services.idea_submit(**{**fields, **overrides})

    first = submit()
    submit(body="Twenty.")  # another description
    submit(title="Benches, again")  # another title
    submit(author=UserFactory())  # another author
    submit(campaign=CampaignFactory())  # another campaign
    first.status = Idea.Status.HIDDEN
    first.save(update_fields=["status"])
    submit()  # the first one was hidden by a moderator: the author may send it again

    assert Idea.objects.count() == 6
    with pytest.raises(Duplicate) as refusal:
        submit()
    assert refusal.value.code == "duplicate_idea"
    assert Idea.objects.count() == 6


@pytest.mark.django_db(transaction=True)
def test_the_same_idea_sent_twice_at_once_is_stored_once():
    campaign = CampaignFactory()
    author = UserFactory()
    barrier = threading.Barrier(2)
    outcomes = []

    def submit():
        try:
            barrier.wait(timeout=10)
            idea_services.idea_submit(author=author, campaign=campaign, title="T", body="B")
            outcomes.append("created")
        except Duplicate:
            outcomes.append("duplicate")
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["created", "duplicate"]
    assert Idea.objects.filter(campaign=campaign).count() == 1


# -- where the counts live -----------------------------------------------------------------


def test_the_counts_live_under_the_test_key_prefix_that_each_test_empties():
    idea = IdeaFactory()
    with limits(vote="5/m/user"):
        browser(UserFactory()).post(f"/ideas/{idea.pk}/vote/", {"value": 1})
    keys = list(cache._cache.get_client().scan_iter(match=f"{settings.FOULE_REDIS_PREFIX}:*rl*"))
    assert len(keys) == 1
    assert keys[0].decode().startswith(f"{settings.FOULE_REDIS_PREFIX}:")


# -- the catch-all: every write at any door ----------------------------------------------------


def test_every_write_counts_against_the_catch_all_even_without_a_rate_of_its_own():
    """Following a campaign has no rate of its own; the "write" rate still stops a script."""
    from campaigns.models import CampaignFollow

    campaign = CampaignFactory()
    user = UserFactory()
    client = browser(user)
    url = f"/campaigns/{campaign.slug}/follow/"
    with limits(write="3/m/user"):
        answers = [client.post(url, {"follow": "1" if n % 2 == 0 else ""}) for n in range(3)]
        following = CampaignFollow.objects.filter(campaign=campaign, user=user).exists()
        refused = client.post(url, {"follow": "" if following else "1"})

    assert 429 not in [answer.status_code for answer in answers]
    assert_page_limited(refused)
    assert CampaignFollow.objects.filter(campaign=campaign, user=user).exists() == following
    # Reading is never limited.
    with limits(write="3/m/user"):
        assert client.get(f"/campaigns/{campaign.slug}/").status_code == 200


def test_the_catch_all_answers_the_api_in_json_by_address():
    user = UserFactory()
    with limits(write="2/m/ip"):
        answers = [
            APIClient().post(
                "/api/v1/auth/token/", {"email": user.email, "password": "wrong"}, format="json"
            )
            for _ in range(3)
        ]

    assert [answer.status_code for answer in answers[:2]] == [400, 400]
    body = assert_api_limited(answers[2])
    assert body["code"] == "rate_limited"
    assert "many changes" in body["detail"]
