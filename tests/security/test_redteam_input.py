"""A red team's attempts on the limits on writes and on malformed input (issue 8), through
the real doors. Each hole it found has a test here that reproduced it and now fails to;
the doors it tried and found sound keep a test too, so that they stay sound.

Holes (fixed): a write with a personal token escaped the per-account "write" rate; a title
or name that NFC makes longer than its column (U+FB2C is one character, three after NFC)
passed the form's length check and became a 500; an exact duplicate idea written with a
compatibility form ("ﬁ"), another case folding ("Straße"/"STRASSE"), full-width letters or
an invisible character was not recognised; read-only pages answered 200 to PUT, PATCH,
DELETE and POST.

The suite runs without limits; each test turns on the rates it needs (as
tests/test_rate_limits.py does)."""

import pytest
from django.test import Client, override_settings
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.tokens import api_token_create
from brands import team
from brands.models import Brand, BrandMembership
from builder import candidates as builder_candidates
from builder import services as builder
from campaigns.models import Campaign, CampaignPrize
from core.errors import ApplicationError
from ideas.models import Idea
from notifications.models import Notification
from tests.factories import BrandMembershipFactory, CampaignFactory, IdeaFactory, UserFactory

pytestmark = pytest.mark.django_db

# One character that NFC turns into three (HEBREW LETTER SHIN WITH DAGESH AND SHIN DOT).
GROWS_UNDER_NFC = "\ufb2c"


def limits(**rates):
    return override_settings(FOULE_RATE_LIMITS=rates)


def token_client(user, *, address: str = "127.0.0.1", name: str = "script") -> APIClient:
    _token, secret = api_token_create(user=user, name=name)
    client = APIClient(REMOTE_ADDR=address)
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


def assert_api_429(response) -> None:
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response.json()["code"] == "rate_limited"


# -- the per-account "write" rate, whatever the credentials -------------------------------


def test_token_writes_from_several_tokens_and_addresses_meet_the_accounts_write_rate():
    """The hole: RateLimitMiddleware counts before DRF knows a token's account, so a script
    with a few tokens and addresses had no per-account catch-all (10 of 10 revocations
    passed under "2/m/user")."""
    owner = UserFactory()
    targets = [api_token_create(user=owner, name=f"old {n}")[0] for n in range(3)]
    clients = [token_client(owner, address=f"10.0.{n}.1", name=f"t{n}") for n in range(3)]

    with limits(write="2/m/user"):
        answers = [
            client.delete(f"/api/v1/me/tokens/{target.pk}/")
            for client, target in zip(clients, targets, strict=True)
        ]

    assert [answer.status_code for answer in answers[:2]] == [204, 204]
    assert_api_429(answers[2])
    assert ApiToken.objects.get(pk=targets[2].pk).revoked_at is None


def test_a_write_with_a_session_and_a_token_of_the_same_account_counts_once():
    owner = UserFactory()
    targets = [api_token_create(user=owner, name=f"old {n}")[0] for n in range(3)]
    client = token_client(owner)
    client.force_login(owner)

    with limits(write="2/m/user"):
        codes = [client.delete(f"/api/v1/me/tokens/{t.pk}/").status_code for t in targets]

    assert codes == [204, 204, 429]


def test_a_session_of_another_account_does_not_pay_for_the_tokens_account():
    """A throwaway session sent along must not shield the token's account from its rate."""
    owner, decoy = UserFactory(), UserFactory()
    targets = [api_token_create(user=owner, name=f"old {n}")[0] for n in range(2)]
    client = token_client(owner)
    client.force_login(decoy)

    with limits(write="1/m/user"):
        codes = [client.delete(f"/api/v1/me/tokens/{t.pk}/").status_code for t in targets]

    assert codes == [204, 429]
    assert ApiToken.objects.filter(pk=targets[1].pk, revoked_at__isnull=True).exists()


def test_reads_with_a_token_never_count_against_the_write_rate():
    client = token_client(UserFactory())
    with limits(write="1/m/user"):
        codes = [client.get("/api/v1/me/tokens/").status_code for _ in range(3)]
    assert codes == [200, 200, 200]


# -- the per-address limit: headers the client writes, IPv6 ------------------------------


@pytest.mark.parametrize(
    "header",
    ["HTTP_X_REAL_IP", "HTTP_FORWARDED", "HTTP_X_FORWARDED_FOR", "HTTP_X_CLIENT_IP"],
)
def test_address_headers_the_client_writes_do_not_open_a_new_count(header):
    client = APIClient()
    values = {
        "HTTP_FORWARDED": "for={}",
    }
    with limits(token="2/m/ip"):
        codes = [
            client.post(
                "/api/v1/auth/token/",
                {"email": "nobody@example.org", "password": "wrong"},
                **{header: values.get(header, "{}").format(f"203.0.113.{n}")},
            ).status_code
            for n in range(3)
        ]
    assert codes[2] == 429


def test_rotating_addresses_inside_one_ipv6_64_shares_one_count():
    with limits(token="2/m/ip"):
        codes = [
            APIClient(REMOTE_ADDR=f"2001:db8:1:2::{n:x}")
            .post("/api/v1/auth/token/", {"email": "nobody@example.org", "password": "x"})
            .status_code
            for n in range(1, 4)
        ]
        other_network = APIClient(REMOTE_ADDR="2001:db8:1:3::1").post(
            "/api/v1/auth/token/", {"email": "nobody@example.org", "password": "x"}
        )
    assert codes[2] == 429
    assert other_network.status_code != 429


@pytest.mark.parametrize(
    "remote",
    [None, "", "garbage", "fe80::1%eth0", "[::1]:80", "1.2.3.4, 5.6.7.8", "x" * 2000],
)
def test_an_odd_remote_address_never_makes_the_limiter_fail(remote):
    author = UserFactory()
    campaign = CampaignFactory()
    client = Client()
    client.force_login(author)
    extra = {} if remote is None else {"REMOTE_ADDR": remote}
    with limits(write="5/m/ip,5/m/user", idea_submit="5/m/ip,5/m/user"):
        response = client.post(
            f"/campaigns/{campaign.slug}/ideas/new/", {"title": "T", "body": "B"}, **extra
        )
    assert response.status_code == 302
    assert Idea.objects.filter(campaign=campaign).count() == 1


@pytest.mark.parametrize("forwarded", ["garbage", "", ",,,", "fe80::1%eth0", "é", "1.2.3.4," * 500])
def test_an_odd_forwarded_header_behind_a_trusted_proxy_never_fails(settings, forwarded):
    settings.FOULE_TRUSTED_PROXY_COUNT = 1
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    with limits(write="5/m/ip", token="5/m/ip"):
        page = Client().post(
            "/accounts/signup/", {"email": "a@example.org"}, HTTP_X_FORWARDED_FOR=forwarded
        )
        api = APIClient().post(
            "/api/v1/auth/token/",
            {"email": "a@example.org", "password": "x"},
            HTTP_X_FORWARDED_FOR=forwarded,
        )
    assert page.status_code == 200  # the form again, with its errors
    assert api.status_code == 400


# -- texts that NFC makes longer than their column -----------------------------------------


def test_an_idea_title_that_nfc_lengthens_is_a_400_at_both_doors():
    author = UserFactory()
    campaign = CampaignFactory()
    title = GROWS_UNDER_NFC * 140  # 140 characters sent, 420 once normalised
    api = APIClient()
    api.force_authenticate(author)
    page = Client()
    page.force_login(author)

    answer = api.post(
        f"/api/v1/campaigns/{campaign.slug}/ideas/", {"title": title, "body": "B"}, format="json"
    )
    form = page.post(f"/campaigns/{campaign.slug}/ideas/new/", {"title": title, "body": "B"})

    assert answer.status_code == 400
    assert "140 characters" in answer.json()["title"][0]
    assert form.status_code in (200, 400)
    assert "140 characters" in form.content.decode()
    assert not Idea.objects.exists()


def test_a_brand_name_that_nfc_lengthens_is_a_form_error():
    membership = BrandMembershipFactory(role=BrandMembership.Role.OWNER)
    client = Client()
    client.force_login(membership.user)
    before = membership.brand.name

    response = client.post(
        f"/brands/{membership.brand.slug}/edit/",
        {"name": GROWS_UNDER_NFC * 120, "time_zone": "UTC", "description": ""},
    )

    assert response.status_code in (200, 400)
    assert "120 characters" in response.content.decode()
    assert Brand.objects.get(pk=membership.brand.pk).name == before


@pytest.fixture
def owner_and_draft():
    membership = BrandMembershipFactory(role=BrandMembership.Role.OWNER)
    draft = CampaignFactory(
        brand=membership.brand,
        is_published=False,
        voting_method=Campaign.VotingMethod.SINGLE,
        submission_opens_at=None,
        submission_closes_at=None,
    )
    return membership, draft


@pytest.mark.parametrize("door", ["draft", "basics", "candidate", "prize"])
def test_campaign_candidate_and_prize_titles_that_nfc_lengthens_are_refused(owner_and_draft, door):
    membership, draft = owner_and_draft
    user, brand = membership.user, membership.brand
    long_title = GROWS_UNDER_NFC * 140
    calls = {
        "draft": lambda: builder.draft_create(actor=user, brand=brand, title=long_title),
        "basics": lambda: builder.campaign_basics_update(
            campaign=draft, actor=user, brand=brand, title=long_title
        ),
        "candidate": lambda: builder_candidates.candidate_add(
            campaign=draft, actor=user, title=GROWS_UNDER_NFC * 100, description="d"
        ),
        "prize": lambda: builder.campaign_rewards_update(
            campaign=draft,
            actor=user,
            points=dict.fromkeys(builder.POINT_REASONS, 0),
            prizes=[builder.PrizeRow(rank=1, title=long_title)],
        ),
    }
    counts = (Campaign.objects.count(), Idea.objects.count(), CampaignPrize.objects.count())

    with pytest.raises(ApplicationError) as refusal:
        calls[door]()

    assert refusal.value.code == "too_long"
    assert (Campaign.objects.count(), Idea.objects.count(), CampaignPrize.objects.count()) == (
        counts
    )
    assert Campaign.objects.get(pk=draft.pk).title == draft.title


def test_a_brand_name_that_nfc_lengthens_is_refused_by_the_service():
    membership = BrandMembershipFactory(role=BrandMembership.Role.OWNER)
    with pytest.raises(ApplicationError) as refusal:
        team.brand_update(
            brand=membership.brand,
            actor=membership.user,
            name=GROWS_UNDER_NFC * 120,
            description="",
            website="",
            time_zone="UTC",
        )
    assert refusal.value.field == "name"


def test_lone_surrogates_in_json_are_a_400_not_a_database_error():
    author = UserFactory()
    campaign = CampaignFactory()
    api = APIClient()
    api.force_authenticate(author)
    ideas = api.post(
        f"/api/v1/campaigns/{campaign.slug}/ideas/",
        '{"title": "a\\ud800b", "body": "x\\udc00"}',
        content_type="application/json",
    )
    token = APIClient().post(
        "/api/v1/auth/token/",
        '{"email": "\\ud800@example.org", "password": "\\ud800"}',
        content_type="application/json",
    )
    assert ideas.status_code == 400 and set(ideas.json()) == {"title", "body"}
    assert token.status_code == 400
    assert not Idea.objects.exists()


# -- the same idea twice, written differently -------------------------------------------


@pytest.mark.parametrize(
    ("first", "again"),
    [
        (("ﬁsh market", "Body"), ("fish market", "Body")),
        (("Straße", "Body"), ("STRASSE", "Body")),
        (("Ｂｉｋｅ ｌａｎｅｓ", "Body"), ("Bike lanes", "Body")),
        (("Bike", "Body text"), ("Bike", "Body\u200b text")),
        (("Bike", "Body text"), ("Bike", "Body text\u202e")),
        (("Bike", "Body text"), ("Bi\u200bke", "Body text")),
        (("Café", "Body"), ("Cafe\u0301", "Body")),
        (("Bike lanes", "More bike lanes."), ("BIKE  LANES", "more\n\nbike lanes.")),
    ],
)
def test_the_same_idea_written_differently_is_refused_as_a_duplicate(first, again):
    author = UserFactory()
    campaign = CampaignFactory()
    api = APIClient()
    api.force_authenticate(author)
    url = f"/api/v1/campaigns/{campaign.slug}/ideas/"

    created = api.post(url, {"title": first[0], "body": first[1]}, format="json")
    duplicate = api.post(url, {"title": again[0], "body": again[1]}, format="json")

    assert created.status_code == 201
    assert duplicate.status_code == 409
    assert duplicate.json()["existing"]["id"] == created.json()["id"]
    assert Idea.objects.filter(campaign=campaign).count() == 1


def test_a_different_idea_with_a_similar_title_is_not_a_duplicate():
    author = UserFactory()
    campaign = CampaignFactory()
    api = APIClient()
    api.force_authenticate(author)
    url = f"/api/v1/campaigns/{campaign.slug}/ideas/"
    codes = [
        api.post(url, {"title": title, "body": body}, format="json").status_code
        for title, body in [("Bike", "One"), ("Bike", "Two"), ("Bikes", "One")]
    ]
    assert codes == [201, 201, 201]


# -- methods and formats -------------------------------------------------------------------


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_read_only_pages_refuse_other_methods_with_405(method):
    """The hole: these pages answered 200 to any method (a DELETE showed the page)."""
    viewer = UserFactory()
    idea = IdeaFactory()
    Notification.objects.create(recipient=viewer, kind="idea_published", event_key="e1")
    client = Client()
    client.force_login(viewer)
    urls = [
        "/",
        f"/brands/{idea.campaign.brand.slug}/",
        f"/campaigns/{idea.campaign.slug}/",
        f"/ideas/{idea.pk}/",
        "/notifications/",
        f"/campaigns/{idea.campaign.slug}/results/",
        f"/campaigns/{idea.campaign.slug}/build/",
    ]
    codes = {url: getattr(client, method)(url).status_code for url in urls}
    assert codes == dict.fromkeys(urls, 405)
    # The notification list marks what it shows as read: not on a refused request.
    assert Notification.objects.filter(recipient=viewer, read_at__isnull=True).count() == 1


def test_read_only_pages_still_answer_get_and_head():
    idea = IdeaFactory()
    client = Client()
    for url in ["/", f"/campaigns/{idea.campaign.slug}/", f"/ideas/{idea.pk}/"]:
        assert client.get(url).status_code == 200
        assert client.head(url).status_code == 200


@pytest.mark.parametrize("accept", ["application/xml", "text/csv", "image/png"])
def test_the_api_answers_406_to_a_format_it_cannot_give(accept):
    CampaignFactory()
    response = APIClient().get("/api/v1/campaigns/", HTTP_ACCEPT=accept)
    assert response.status_code == 406


@pytest.mark.parametrize("name", ["xml", "yaml", "%ff", "csv"])
def test_an_unknown_format_parameter_is_a_404(name):
    response = APIClient().get(f"/api/v1/campaigns/?format={name}")
    assert response.status_code == 404
