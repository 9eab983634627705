"""API v1 through DRF's APIClient: the same doors a mobile app or a partner uses."""

import importlib.util
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import ApiToken
from accounts.tokens import secret_hash
from campaigns.models import Campaign
from ideas.models import Idea
from notifications.models import Notification
from notifications.services import notification_create
from rewards.models import LedgerEntry
from tests.conftest import clear_test_keys
from tests.factories import (
    PASSWORD,
    BrandMembershipFactory,
    CampaignFactory,
    IdeaFactory,
    UserFactory,
)
from voting import dirty
from voting.models import IdeaTally, Vote

pytestmark = pytest.mark.django_db


def count_queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = call()
    assert response.status_code == 200, response.content
    return len(captured.captured_queries)


def closed_campaign(**kwargs) -> Campaign:
    now = timezone.now()
    return CampaignFactory(
        submission_opens_at=now - timedelta(days=20),
        submission_closes_at=now - timedelta(days=10),
        voting_opens_at=now - timedelta(days=10),
        voting_closes_at=now - timedelta(days=1),
        **kwargs,
    )


def set_tally(idea, up: int, down: int) -> None:
    IdeaTally.objects.filter(idea=idea).update(upvotes=up, downvotes=down, score=up - down)


# --- tokens -------------------------------------------------------------------------------


def test_a_token_is_issued_for_email_and_password_and_authenticates(api_client):
    user = UserFactory(email="ada@example.org")

    response = api_client.post(
        "/api/v1/auth/token/", {"email": "Ada@Example.org", "password": PASSWORD}, format="json"
    )

    assert response.status_code == 200
    token = ApiToken.objects.get(user=user)
    body = response.json()
    assert set(body) == {"token", "id", "name", "expires_at"}
    assert body["id"] == token.pk
    assert body["name"] == "API login"
    assert token.key_hash == secret_hash(body["token"])
    # Each call makes a new token: several per user.
    again = api_client.post(
        "/api/v1/auth/token/", {"email": "ada@example.org", "password": PASSWORD}, format="json"
    )
    assert again.status_code == 200
    assert again.json()["token"] != body["token"]
    assert ApiToken.objects.filter(user=user).count() == 2

    api_client.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    mine = api_client.get("/api/v1/me/notifications/")
    assert mine.status_code == 200
    assert mine.json() == {"count": 0, "next": None, "previous": None, "results": []}


@pytest.mark.parametrize(
    "credentials",
    [
        {"email": "ada@example.org", "password": "wrong-password"},
        {"email": "nobody@example.org", "password": PASSWORD},
        {"email": "ada@example.org", "password": PASSWORD.upper()},
    ],
    ids=["wrong-password", "unknown-email", "password-case"],
)
def test_wrong_credentials_get_400_with_non_field_errors(api_client, credentials):
    UserFactory(email="ada@example.org")

    response = api_client.post("/api/v1/auth/token/", credentials, format="json")

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Unable to log in with these credentials."]}
    assert ApiToken.objects.count() == 0


def test_a_blocked_account_gets_no_token(api_client):
    UserFactory(email="ada@example.org", is_active=False)

    response = api_client.post(
        "/api/v1/auth/token/", {"email": "ada@example.org", "password": PASSWORD}, format="json"
    )

    # As the web login: with the right password, it says the account is inactive.
    assert response.status_code == 403
    assert response.json() == {"detail": "This account is inactive.", "code": "account_inactive"}
    assert ApiToken.objects.count() == 0


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ({}, {"email": ["This field is required."], "password": ["This field is required."]}),
        ({"email": "ada@example.org"}, {"password": ["This field is required."]}),
        ({"password": PASSWORD}, {"email": ["This field is required."]}),
        (
            {"email": "not-an-email", "password": ""},
            {"email": ["Enter a valid email address."],
             "password": ["This field may not be blank."]},
        ),
    ],
    ids=["nothing", "no-password", "no-email", "invalid"],
)  # fmt: skip
def test_missing_fields_get_400_naming_each_field(api_client, payload, errors):
    UserFactory(email="ada@example.org")

    response = api_client.post("/api/v1/auth/token/", payload, format="json")

    assert response.status_code == 400
    assert response.json() == errors
    assert ApiToken.objects.count() == 0


def test_a_bad_token_is_refused(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    response = api_client.get("/api/v1/me/notifications/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {"detail": "Invalid token."}


# --- campaigns ----------------------------------------------------------------------------


def test_the_campaign_list_shows_published_campaigns_closing_soonest_first(api_client):
    now = timezone.now()
    later = CampaignFactory(title="Later", voting_closes_at=now + timedelta(days=30))
    sooner = CampaignFactory(title="Sooner", voting_closes_at=now + timedelta(days=5))
    closed = closed_campaign(title="Closed")
    CampaignFactory(title="Draft", is_published=False)
    IdeaFactory(campaign=sooner)
    IdeaFactory(campaign=sooner)
    IdeaFactory(campaign=sooner, status=Idea.Status.HIDDEN)

    response = api_client.get("/api/v1/campaigns/")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert [item["slug"] for item in body["results"]] == [closed.slug, sooner.slug, later.slug]
    item = body["results"][1]
    assert set(item) == {
        "id", "slug", "title", "brand", "state", "phase", "brief", "brief_html", "rules_html",
        "voting_method", "moderation", "is_private", "is_invitation_only",
        "minimum_account_age_days", "submission_opens_at", "submission_closes_at",
        "voting_opens_at", "voting_closes_at", "results_at", "idea_count", "url",
    }  # fmt: skip
    assert (item["id"], item["title"], item["state"], item["phase"], item["idea_count"]) == (
        sooner.pk, "Sooner", "submission", "submission_and_voting", 2,
    )  # fmt: skip
    assert item["url"] == f"/campaigns/{sooner.slug}/"
    assert item["brand"] == {"slug": sooner.brand.slug, "name": sooner.brand.name}
    assert item["brief_html"] == "<p>What should we do <strong>next</strong>?</p>"
    assert body["results"][0]["phase"] == "closed"


def test_campaign_detail(api_client):
    campaign = CampaignFactory(title="Cleaner Streets")
    IdeaFactory(campaign=campaign)

    response = api_client.get(f"/api/v1/campaigns/{campaign.slug}/")

    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["slug"], body["title"], body["idea_count"], body["phase"]) == (
        campaign.pk, campaign.slug, "Cleaner Streets", 1, "submission_and_voting",
    )  # fmt: skip


def test_an_unpublished_campaign_is_found_only_by_its_brand_members(api_client, api_as):
    campaign = CampaignFactory(is_published=False)
    member = BrandMembershipFactory(brand=campaign.brand).user
    url = f"/api/v1/campaigns/{campaign.slug}/"

    assert api_client.get(url).status_code == 404
    assert api_as(UserFactory()).get(url).status_code == 404
    assert api_as(member).get(url).status_code == 200
    assert api_client.get("/api/v1/campaigns/nope/").status_code == 404
    assert api_client.get(f"/api/v1/campaigns/{campaign.slug}/ideas/").status_code == 404


def test_the_campaign_list_costs_a_fixed_number_of_queries(api_client):
    for _ in range(3):
        IdeaFactory(campaign=CampaignFactory())
    three = count_queries(lambda: api_client.get("/api/v1/campaigns/"))
    for _ in range(27):
        IdeaFactory(campaign=CampaignFactory())
    thirty = count_queries(lambda: api_client.get("/api/v1/campaigns/"))

    assert api_client.get("/api/v1/campaigns/").json()["count"] == 30
    assert thirty == three
    assert three <= 2  # the page count and the page


# --- ideas --------------------------------------------------------------------------------


def test_the_idea_list_is_ranked_by_score_then_confidence(api_client):
    campaign = CampaignFactory()
    low, top, middle, confident = (IdeaFactory(campaign=campaign) for _ in range(4))
    set_tally(low, 0, 2)
    set_tally(top, 5, 0)
    set_tally(middle, 1, 0)
    set_tally(confident, 1, 0)
    IdeaTally.objects.filter(idea=confident).update(wilson_lower_bound=0.5)
    IdeaFactory(campaign=campaign, status=Idea.Status.HIDDEN)
    IdeaFactory()  # another campaign

    response = api_client.get(f"/api/v1/campaigns/{campaign.slug}/ideas/?order=score")

    assert response.status_code == 200
    body = response.json()
    assert [item["id"] for item in body["results"]] == [top.pk, confident.pk, middle.pk, low.pk]
    item = body["results"][0]
    assert item == {
        "id": top.pk,
        "campaign": campaign.slug,
        "title": top.title,
        "body": "A *good* idea.",
        "body_html": "<p>A <em>good</em> idea.</p>",
        "author": {"name": top.author.public_name},
        "status": "published",
        "answer": "",
        "created_at": item["created_at"],
        "content_hash": "0" * 64,
        "cost": None,
        "tally": {
            "upvotes": 5, "downvotes": 0, "score": 5, "vote_count": 5,
            "wilson_lower_bound": 0.0, "rating_sum": 0, "method_score": 0.0, "hot_score": 0.0,
            "controversy": 0.0, "support_stage": 0, "support_deadline": None,
            "support_status": "active", "computed_at": None,
        },
        "url": f"/ideas/{top.pk}/",
    }  # fmt: skip


def test_the_idea_list_costs_a_fixed_number_of_queries(api_client, api_as):
    campaign = CampaignFactory()
    for number in range(3):
        set_tally(IdeaFactory(campaign=campaign), number, 0)
    client = api_as(UserFactory())
    url = f"/api/v1/campaigns/{campaign.slug}/ideas/"
    three_anonymous = count_queries(lambda: api_client.get(url))
    three = count_queries(lambda: client.get(url))  # the total is cached by now
    for number in range(27):
        set_tally(IdeaFactory(campaign=campaign), number, 1)
    clear_test_keys()  # the cached total would be up to 30 s stale
    thirty_anonymous = count_queries(lambda: api_client.get(url))
    thirty = count_queries(lambda: client.get(url))

    assert client.get(url).json()["count"] == 30
    assert thirty_anonymous == three_anonymous == 3  # the campaign, the count, the page
    assert thirty == three  # the same, the count coming from the cache


def test_a_verified_user_submits_an_idea(api_as):
    campaign = CampaignFactory()
    author = UserFactory(display_name="Ada")

    response = api_as(author).post(
        f"/api/v1/campaigns/{campaign.slug}/ideas/",
        {"title": "Bike racks", "body": "More **racks**."},
        format="json",
    )

    assert response.status_code == 201, response.content
    idea = Idea.objects.get()
    body = response.json()
    assert (body["id"], body["title"], body["body_html"], body["author"], body["campaign"]) == (
        idea.pk, "Bike racks", "<p>More <strong>racks</strong>.</p>", {"name": "Ada"},
        campaign.slug,
    )  # fmt: skip
    assert body["tally"]["vote_count"] == 0
    assert body["content_hash"] == idea.content_hash
    assert (idea.author_id, idea.campaign_id) == (author.pk, campaign.pk)
    assert LedgerEntry.objects.get(user=author).points == 10


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ({"title": "", "body": "Body"}, {"title": ["This field may not be blank."]}),
        ({"title": "   ", "body": "Body"}, {"title": ["This field may not be blank."]}),
        ({"body": "Body"}, {"title": ["This field is required."]}),
        ({"title": "Title", "body": ""}, {"body": ["This field may not be blank."]}),
        ({"title": "x" * 141, "body": "Body"},
         {"title": ["Ensure this field has no more than 140 characters."]}),
    ],
    ids=["empty-title", "blank-title", "no-title", "empty-body", "long-title"],
)  # fmt: skip
def test_an_invalid_idea_gets_400_with_field_errors_and_nothing_is_written(api_as, payload, errors):
    campaign = CampaignFactory()

    response = api_as(UserFactory()).post(
        f"/api/v1/campaigns/{campaign.slug}/ideas/", payload, format="json"
    )

    assert response.status_code == 400
    assert response.json() == errors
    assert Idea.objects.count() == 0
    assert LedgerEntry.objects.count() == 0


def test_an_unverified_user_gets_403_and_nothing_is_written(api_as):
    campaign = CampaignFactory()

    response = api_as(UserFactory(verified=False)).post(
        f"/api/v1/campaigns/{campaign.slug}/ideas/", {"title": "T", "body": "B"}, format="json"
    )

    assert response.status_code == 403
    assert response.json() == {
        "detail": "Please verify your email address before submitting an idea.",
        "code": "permission_denied",
    }
    assert Idea.objects.count() == 0


def test_a_closed_campaign_gets_409_and_nothing_is_written(api_as):
    campaign = closed_campaign()

    response = api_as(UserFactory()).post(
        f"/api/v1/campaigns/{campaign.slug}/ideas/", {"title": "T", "body": "B"}, format="json"
    )

    assert response.status_code == 409
    assert response.json() == {
        "detail": "This campaign is not accepting ideas at the moment.",
        "code": "conflict",
    }
    assert Idea.objects.count() == 0


def test_anonymous_users_cannot_submit_ideas(api_client):
    campaign = CampaignFactory()

    response = api_client.post(
        f"/api/v1/campaigns/{campaign.slug}/ideas/", {"title": "T", "body": "B"}, format="json"
    )

    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}
    assert Idea.objects.count() == 0


def test_idea_detail(api_client):
    idea = IdeaFactory()
    set_tally(idea, 3, 1)

    response = api_client.get(f"/api/v1/ideas/{idea.pk}/")

    assert response.status_code == 200
    assert response.json()["tally"]["score"] == 2
    assert response.json()["tally"]["vote_count"] == 4
    assert api_client.get("/api/v1/ideas/999999/").status_code == 404


def test_a_hidden_idea_or_one_in_an_unpublished_campaign_is_not_found(api_client, api_as):
    hidden = IdeaFactory(status=Idea.Status.HIDDEN)
    pending = IdeaFactory(status=Idea.Status.PENDING)
    draft = IdeaFactory(campaign=CampaignFactory(is_published=False))

    for idea in (hidden, pending, draft):
        assert api_client.get(f"/api/v1/ideas/{idea.pk}/").status_code == 404
        assert api_as(UserFactory()).get(f"/api/v1/ideas/{idea.pk}/").status_code == 404
        # Its author sees it, with the status that tells why nobody else does.
        mine = api_as(idea.author).get(f"/api/v1/ideas/{idea.pk}/")
        assert (mine.status_code, mine.json()["status"]) == (200, idea.status)


# --- votes --------------------------------------------------------------------------------


def vote_url(idea) -> str:
    return f"/api/v1/ideas/{idea.pk}/vote/"


def test_a_vote_is_cast_once_changed_and_retracted(api_as, django_capture_on_commit_callbacks):
    idea, voter = IdeaFactory(), UserFactory()
    client = api_as(voter)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.put(vote_url(idea), {"value": 1}, format="json")

    assert response.status_code == 200
    assert response.json() == {
        "idea": idea.pk,
        "value": 1,
        "tally": {
            "upvotes": 0, "downvotes": 0, "score": 0, "vote_count": 0,
            "wilson_lower_bound": 0.0, "rating_sum": 0, "method_score": 0.0,
            "hot_score": 0.0, "controversy": 0.0, "support_stage": 0, "support_deadline": None,
            "support_status": "active", "computed_at": None,
        },
    }  # fmt: skip
    assert list(Vote.objects.values_list("voter_id", "idea_id", "value")) == [
        (voter.pk, idea.pk, 1)
    ]
    assert dirty.dirty_ids() == {idea.pk}

    assert client.put(vote_url(idea), {"value": 1}, format="json").status_code == 200
    assert Vote.objects.count() == 1
    changed = client.put(vote_url(idea), {"value": -1}, format="json")
    assert changed.json()["value"] == -1
    assert list(Vote.objects.values_list("value", flat=True)) == [-1]
    assert client.get(vote_url(idea)).json()["value"] == -1

    retracted = client.delete(vote_url(idea))

    assert retracted.status_code == 200
    assert retracted.json()["value"] == 0
    assert list(Vote.objects.values_list("voter_id", "value")) == [(voter.pk, 0)]
    assert client.get(vote_url(idea)).json()["value"] == 0


def test_the_string_one_is_accepted_as_a_vote(api_as):
    idea = IdeaFactory()

    response = api_as(UserFactory()).put(vote_url(idea), {"value": "-1"}, format="json")

    assert response.status_code == 200
    assert list(Vote.objects.values_list("value", flat=True)) == [-1]


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"value": 5}, "A vote is 1 (for) or -1 (against)."),  # 5 stars, in an up/down campaign
        ({"value": 0}, '"0" is not a valid choice.'),
        ({"value": "x"}, '"x" is not a valid choice.'),
        ({"value": None}, "This field may not be null."),
        ({}, "This field is required."),
    ],
    ids=["five", "zero", "letter", "null", "missing"],
)
def test_a_bad_vote_value_gets_400_with_a_value_error_and_no_vote(api_as, payload, message):
    idea = IdeaFactory()

    response = api_as(UserFactory()).put(vote_url(idea), payload, format="json")

    assert response.status_code == 400
    assert response.json() == {"value": [message]}
    assert Vote.objects.count() == 0


def test_a_vote_on_a_hidden_idea_is_refused_and_nothing_is_written(api_as):
    idea = IdeaFactory(status=Idea.Status.HIDDEN)

    response = api_as(UserFactory()).put(vote_url(idea), {"value": 1}, format="json")

    assert response.status_code == 404
    assert Vote.objects.count() == 0


def test_a_moderator_who_can_see_a_hidden_idea_still_cannot_vote_on_it(api_as):
    idea = IdeaFactory(status=Idea.Status.HIDDEN)
    moderator = UserFactory()
    moderator.groups.add(Group.objects.get_or_create(name="Moderators")[0])

    response = api_as(moderator).put(vote_url(idea), {"value": 1}, format="json")

    assert response.status_code == 409
    assert response.json() == {
        "detail": "This idea is not open for votes: it has been hidden.",
        "code": "idea_hidden",
    }
    assert Vote.objects.count() == 0


@pytest.mark.parametrize(
    ("make", "status", "code"),
    [
        (lambda: (UserFactory(verified=False), IdeaFactory()), 403, "email_not_verified"),
        (lambda: (UserFactory(), IdeaFactory(campaign=closed_campaign())), 409, "voting_closed"),
        (lambda: (lambda idea: (idea.author, idea))(IdeaFactory()), 403, "own_idea"),
    ],
    ids=["unverified", "closed", "own-idea"],
)
def test_refused_votes_get_the_service_error_and_nothing_is_written(api_as, make, status, code):
    voter, idea = make()

    put = api_as(voter).put(vote_url(idea), {"value": 1}, format="json")
    delete = api_as(voter).delete(vote_url(idea))

    for response in (put, delete):
        assert response.status_code == status
        assert response.json()["code"] == code
        assert set(response.json()) == {"detail", "code"}
    assert Vote.objects.count() == 0


def test_anonymous_users_cannot_vote(api_client):
    idea = IdeaFactory()

    response = api_client.put(vote_url(idea), {"value": 1}, format="json")

    assert response.status_code == 401
    assert Vote.objects.count() == 0


def test_a_vote_on_a_missing_idea_is_404(api_as):
    response = api_as(UserFactory()).put("/api/v1/ideas/999999/vote/", {"value": 1}, format="json")

    assert response.status_code == 404
    assert Vote.objects.count() == 0


# --- notifications ------------------------------------------------------------------------


def notify(user, number: int) -> None:
    notification_create(
        recipient=user,
        kind=Notification.Kind.VOTE_MILESTONE,
        event_key=f"test:{number}",
        params={"title": f"Idea {number}", "count": 10},
        url=f"/ideas/{number}/",
    )


def test_my_notifications_lists_only_my_own_newest_first(api_as, api_client):
    me, someone_else = UserFactory(), UserFactory()
    notify(me, 1)
    notify(someone_else, 2)
    notify(me, 3)

    response = api_as(me).get("/api/v1/me/notifications/")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [item["url"] for item in body["results"]] == ["/ideas/3/", "/ideas/1/"]
    item = body["results"][0]
    assert set(item) == {"id", "kind", "message", "url", "created_at", "read_at", "is_read"}
    assert (item["kind"], item["message"], item["read_at"], item["is_read"]) == (
        "vote_milestone", "Your idea “Idea 3” reached 10 votes.", None, False,
    )  # fmt: skip
    assert api_client.get("/api/v1/me/notifications/").status_code == 401


def test_my_notifications_cost_a_fixed_number_of_queries(api_as):
    me = UserFactory()
    client = api_as(me)
    for number in range(3):
        notify(me, number)
    three = count_queries(lambda: client.get("/api/v1/me/notifications/"))
    for number in range(3, 30):
        notify(me, number)
    thirty = count_queries(lambda: client.get("/api/v1/me/notifications/"))

    assert client.get("/api/v1/me/notifications/").json()["count"] == 30
    assert thirty == three
    assert three <= 4  # the token and its user, the count, the page


# --- schema and docs ----------------------------------------------------------------------


def test_the_schema_is_valid_openapi_3(api_client):
    response = api_client.get("/api/schema/?format=json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Foule API"
    assert set(schema["paths"]) == {
        "/api/v1/auth/token/",
        "/api/v1/campaigns/",
        "/api/v1/campaigns/{slug}/",
        "/api/v1/campaigns/{slug}/ideas/",
        "/api/v1/ideas/{id}/",
        "/api/v1/ideas/{id}/vote/",
        "/api/v1/me/",
        "/api/v1/me/export/",
        "/api/v1/me/notifications/",
        "/api/v1/me/tokens/",
        "/api/v1/me/tokens/{id}/",
        "/api/v1/me/tokens/{id}/rotate/",
        "/api/v1/campaigns/{slug}/ballot/",
        "/api/v1/campaigns/{slug}/pairs/",
        "/api/v1/campaigns/{slug}/results/",
        "/api/v1/campaigns/{slug}/audit/",
        "/api/v1/pairs/{token}/",
    }
    vote_operations = set(schema["paths"]["/api/v1/ideas/{id}/vote/"]) - {"parameters"}
    assert vote_operations == {"get", "put", "delete"}
    # drf-spectacular's own validator (jsonschema and the official OpenAPI 3 JSON schema).
    from drf_spectacular.validation import validate_schema

    validate_schema(schema)
    if importlib.util.find_spec("openapi_spec_validator") is not None:
        from openapi_spec_validator import validate

        validate(schema)


def test_the_api_docs_page_is_served(api_client):
    response = api_client.get("/api/docs/")

    assert response.status_code == 200
    assert b"swagger-ui" in response.content
    assert b"/api/schema/" in response.content
