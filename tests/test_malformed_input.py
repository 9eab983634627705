"""Malformed input at every door gets a 400 (or a 404) with a message, never a 500, and
writes nothing: deep JSON, NUL characters anywhere, unknown enum values, over-long
values. And the idea list's cached total never cuts a list short (issue 8, items 5 and 9).
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from core.pagination import CachedCountPagination
from core.parsers import MAX_JSON_DEPTH
from ideas.models import Idea
from tests.factories import CampaignFactory, IdeaFactory, UserFactory
from voting.models import PairwisePrompt, Vote

pytestmark = pytest.mark.django_db

NUL_MESSAGE = "NUL character"


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.fixture
def author(api_as):
    user = UserFactory()
    return user, api_as(user)


# --- deep and oversized JSON ----------------------------------------------------------------


def test_json_nested_100000_levels_deep_is_a_400_and_writes_nothing(api_client, author):
    campaign = CampaignFactory()
    _user, api = author
    body = '{"title": ' + nested(100_000) + ', "body": "b"}'

    for client, url in [
        (api, f"/api/v1/campaigns/{campaign.slug}/ideas/"),
        (api_client, "/api/v1/auth/token/"),  # anonymous
    ]:
        response = client.post(url, body, content_type="application/json")
        assert response.status_code == 400, (url, response.content)
        assert "nested deeper than 64 levels" in response.json()["detail"]
    assert not Idea.objects.exists()


def test_json_one_level_too_deep_is_refused_and_the_limit_itself_is_parsed(author):
    campaign = CampaignFactory()
    _user, api = author
    url = f"/api/v1/campaigns/{campaign.slug}/ideas/"

    too_deep = '{"title": "t", "body": "b", "extra": ' + nested(MAX_JSON_DEPTH) + "}"
    response = api.post(url, too_deep, content_type="application/json")
    assert response.status_code == 400
    assert "nested deeper" in response.json()["detail"]
    assert not Idea.objects.exists()

    deepest = '{"title": "t", "body": "b", "extra": ' + nested(MAX_JSON_DEPTH - 1) + "}"
    assert api.post(url, deepest, content_type="application/json").status_code == 201
    assert Idea.objects.count() == 1


def test_a_json_body_over_the_size_limit_is_a_400(author, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    campaign = CampaignFactory()
    _user, api = author
    body = '{"title": "t", "body": "' + "x" * 2000 + '"}'
    response = api.post(
        f"/api/v1/campaigns/{campaign.slug}/ideas/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert "larger than 1000 bytes" in response.json()["detail"]
    assert not Idea.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        '{"value": NaN}',  # not JSON
        '{"value": 1',  # truncated
        b'{"value": "\xff"}',  # not UTF-8
        '"just a string"',  # not an object
        "[1]",
        "null",
    ],
)
def test_broken_json_is_a_400_and_casts_no_vote(author, body):
    idea = IdeaFactory()
    _user, api = author
    response = api.put(f"/api/v1/ideas/{idea.pk}/vote/", body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert not Vote.objects.exists()


# --- NUL characters -------------------------------------------------------------------------


def test_a_nul_in_the_path_is_a_400(api_client, client):
    for response in [
        api_client.get("/api/v1/campaigns/a%00b/"),
        api_client.get("/api/v1/pairs/a%00b/"),
        client.get("/campaigns/a%00b/"),
    ]:
        assert response.status_code == 400
        assert NUL_MESSAGE in response.content.decode()


@pytest.mark.parametrize(
    "query",
    ["order=top%00", "page=1%00", "seed=%00", "page=%00", "x%00=1", "order=top\x00"],
)
def test_a_nul_in_the_query_string_is_a_400(api_client, client, query):
    campaign = CampaignFactory()
    api = api_client.get(f"/api/v1/campaigns/{campaign.slug}/ideas/", QUERY_STRING=query)
    assert api.status_code == 400
    assert NUL_MESSAGE in api.json()["detail"]
    page = client.get(f"/campaigns/{campaign.slug}/", QUERY_STRING=query)
    assert page.status_code == 400
    assert NUL_MESSAGE in page.content.decode()


def test_a_nul_in_the_token_header_is_a_400_not_a_500(author):
    user, api = author
    idea = IdeaFactory()
    anonymous = APIClient()
    for header in ["Token abc\x00def", "Token \x00", "Bearer \x00", "\x00"]:
        anonymous.credentials(HTTP_AUTHORIZATION=header)
        response = anonymous.put(f"/api/v1/ideas/{idea.pk}/vote/", {"value": 1}, format="json")
        assert response.status_code == 400, header
        assert NUL_MESSAGE in response.json()["detail"]
    assert api.get("/api/v1/campaigns/", HTTP_ACCEPT_LANGUAGE="fr\x00").status_code == 400
    assert not Vote.objects.exists()


def test_a_nul_in_a_cookie_is_a_400(api_client, client):
    # A session key long enough to be looked up: PostgreSQL refused it, a 500. The test
    # client quotes the value ("\000"); Django decodes it back to a NUL.
    client.cookies["sessionid"] = "abcdefgh\x00ijklmnop"
    response = client.get("/")
    assert response.status_code == 400
    assert NUL_MESSAGE in response.content.decode()
    api_client.cookies["sessionid"] = "abcdefgh\x00ijklmnop"
    assert api_client.get("/api/v1/campaigns/").status_code == 400
    raw = Client(HTTP_COOKIE="sessionid=abcdefgh\x00ijklmnop; csrftoken=x")
    assert raw.get("/").status_code == 400


def test_a_nul_in_a_form_field_is_a_400_and_writes_nothing(client, author):
    user, api = author
    campaign = CampaignFactory()
    idea = IdeaFactory(campaign=campaign)
    client.force_login(user)
    url = f"/campaigns/{campaign.slug}/ideas/new/"

    multipart = client.post(url, {"title": "Bike\x00racks", "body": "More racks."})
    urlencoded = client.post(
        url, "title=Bike%00racks&body=More", content_type="application/x-www-form-urlencoded"
    )
    raw = client.post(
        url, b"title=Bike\x00racks&body=More", content_type="application/x-www-form-urlencoded"
    )
    vote = api.put(
        f"/api/v1/ideas/{idea.pk}/vote/",
        "value=1%00",
        content_type="application/x-www-form-urlencoded",
    )

    for response in [multipart, urlencoded, raw, vote]:
        assert response.status_code == 400
        assert NUL_MESSAGE in response.content.decode()
    assert Idea.objects.filter(campaign=campaign).count() == 1
    assert not Vote.objects.exists()


def test_a_file_may_hold_nul_bytes(client, user):
    """Only text is refused: a file's content is any bytes (the image check judges it)."""
    campaign = CampaignFactory()
    client.force_login(user)
    upload = SimpleUploadedFile("a.png", b"not an image \x00", content_type="image/png")
    response = client.post(
        f"/campaigns/{campaign.slug}/ideas/new/",
        {"title": "Bike racks", "body": "More racks.", "image": upload},
    )
    assert response.status_code == 200  # the form, with the image's error
    assert NUL_MESSAGE not in response.content.decode()
    assert not Idea.objects.exists()


def test_unreadable_or_oversized_forms_are_a_400_with_a_message(author, settings):
    _user, api = author
    idea = IdeaFactory()
    url = f"/api/v1/ideas/{idea.pk}/vote/"
    broken = api.generic(
        "POST", f"/api/v1/campaigns/{idea.campaign.slug}/ideas/", b"x",
        content_type="multipart/form-data",  # no boundary
    )  # fmt: skip
    assert broken.status_code == 400
    assert "could not be read" in broken.json()["detail"]

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    big = api.put(url, "value=1&x=" + "y" * 200, content_type="application/x-www-form-urlencoded")
    assert big.status_code == 400
    assert "larger than 100 bytes" in big.json()["detail"]

    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    many = api.put(
        url, "&".join(f"f{n}=1" for n in range(10)),
        content_type="application/x-www-form-urlencoded",
    )  # fmt: skip
    assert many.status_code == 400
    assert "too many fields" in many.json()["detail"]
    assert not Idea.objects.filter(campaign=idea.campaign).exclude(pk=idea.pk).exists()
    assert not Vote.objects.exists()


@pytest.mark.parametrize(
    "payload",
    [
        {"title": "Bike\x00racks", "body": "More racks."},
        {"title": "Bike racks", "body": "More\x00racks."},
        {"title": "Bike racks", "body": "More racks.", "extra\x00": 1},
        {"title": "Bike racks", "body": "More racks.", "extra": [["\x00"]]},
    ],
)
def test_a_nul_in_a_json_string_is_a_400_and_writes_nothing(author, payload):
    campaign = CampaignFactory()
    _user, api = author
    response = api.post(f"/api/v1/campaigns/{campaign.slug}/ideas/", payload, format="json")
    assert response.status_code == 400
    assert NUL_MESSAGE in response.json()["detail"]
    assert not Idea.objects.exists()


def test_a_nul_in_the_token_endpoints_json_is_a_400(api_client):
    UserFactory(email="ada@example.org")
    response = api_client.post(
        "/api/v1/auth/token/",
        {"email": "ada@example.org\x00", "password": "x\x00"},
        format="json",
    )
    assert response.status_code == 400


# --- unknown enum values --------------------------------------------------------------------


def test_an_unknown_order_is_a_400_naming_the_orders(api_client):
    campaign = CampaignFactory()
    IdeaFactory(campaign=campaign)
    url = f"/api/v1/campaigns/{campaign.slug}/ideas/"
    response = api_client.get(url, {"order": "best; DROP TABLE"})
    assert response.status_code == 400
    assert "Unknown order" in response.json()["order"][0]
    assert "newest" in response.json()["order"][0]
    # A known order that does not fit the campaign's method still falls back, as documented.
    assert api_client.get(url, {"order": "rated"}).status_code == 200
    assert api_client.get(url, {"order": ""}).status_code == 200


@pytest.mark.parametrize("value", [7, 0, "up", None, [], {"a": 1}, 1.5, True, "1" * 5000])
def test_an_unknown_vote_value_is_a_400_and_casts_nothing(author, value):
    idea = IdeaFactory()
    _user, api = author
    response = api.put(f"/api/v1/ideas/{idea.pk}/vote/", {"value": value}, format="json")
    assert response.status_code == 400
    assert "value" in response.json()
    assert not Vote.objects.exists()


@pytest.mark.parametrize("outcome", ["up", "", None, 1, ["left"], "left" * 1000])
def test_an_unknown_pair_outcome_is_a_400(author, outcome):
    _user, api = author
    response = api.put("/api/v1/pairs/sometoken/", {"outcome": outcome}, format="json")
    assert response.status_code == 400
    assert "outcome" in response.json()
    assert not PairwisePrompt.objects.exists()


# --- over-long values -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": "t" * 141, "body": "b"}, "title"),
        ({"title": "t", "body": "b" * 20001}, "body"),
        ({"title": "t", "body": "b", "cost": 10**13}, "cost"),
        ({"title": "t", "body": "b", "cost": 10**100}, "cost"),
    ],
)
def test_an_over_long_idea_field_is_a_400_and_writes_nothing(author, payload, field):
    campaign = CampaignFactory(voting_method="budget", budget_amount=100)
    _user, api = author
    response = api.post(f"/api/v1/campaigns/{campaign.slug}/ideas/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Idea.objects.exists()


@pytest.mark.parametrize(
    "page", ["10" * 50, "9" * 5000, "-1", "0", "1.5", "1e3", "last", "２", "999999999999999999"]
)
def test_a_hostile_page_number_is_a_404_or_a_page(api_client, api_as, page):
    campaign = CampaignFactory()
    IdeaFactory(campaign=campaign)
    user = UserFactory()
    urls = [
        f"/api/v1/campaigns/{campaign.slug}/ideas/",
        "/api/v1/campaigns/",
    ]
    for url in urls:
        assert api_client.get(url, {"page": page}).status_code in (200, 404), url
    assert api_as(user).get("/api/v1/me/notifications/", {"page": page}).status_code in (
        200,
        404,
    )


def test_over_long_path_values_are_a_404(api_client, author):
    _user, api = author
    assert api_client.get(f"/api/v1/campaigns/{'a' * 10000}/").status_code == 404
    assert api_client.get(f"/api/v1/ideas/{'9' * 5000}/").status_code == 404
    assert api.put(f"/api/v1/ideas/{'9' * 5000}/vote/", {"value": 1}).status_code == 404
    assert api.put(f"/api/v1/pairs/{'x' * 10000}/", {"outcome": "left"}).status_code == 400


# --- the private campaign's list, and the cached total --------------------------------------


def test_the_anonymous_api_list_of_a_private_campaign_is_empty_not_a_500(api_client):
    campaign = CampaignFactory(is_private=True)
    IdeaFactory(campaign=campaign)
    response = api_client.get(f"/api/v1/campaigns/{campaign.slug}/ideas/")
    assert response.status_code == 200
    assert (response.json()["count"], response.json()["results"]) == (0, [])
    assert api_client.get(f"/api/v1/campaigns/{campaign.slug}/ideas/?page=2").status_code == 404


@pytest.fixture
def two_per_page(monkeypatch):
    """Pages of two, and no 2-second cache of whole pages: what is left is the cached total."""
    monkeypatch.setattr(CachedCountPagination, "page_size", 2)
    monkeypatch.setattr("ideas.api.views.LIST_CACHE_SECONDS", 0)


def walk(client, url) -> tuple[list[int], list[int]]:
    """Every idea id met by following the `next` links, and the totals each page gave."""
    ids, counts = [], []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        ids += [item["id"] for item in body["results"]]
        counts.append(body["count"])
        url = body["next"]
    return ids, counts


def test_a_new_idea_does_not_push_another_off_the_list(api_client, two_per_page):
    campaign = CampaignFactory()
    ideas = [IdeaFactory(campaign=campaign) for _ in range(3)]
    url = f"/api/v1/campaigns/{campaign.slug}/ideas/?order=newest"
    assert walk(api_client, url) == ([idea.pk for idea in reversed(ideas)], [3, 3])

    newer = IdeaFactory(campaign=campaign)  # the total of 3 stays cached for 30 s

    ids, counts = walk(api_client, url)
    assert ids == [newer.pk] + [idea.pk for idea in reversed(ideas)]
    assert counts[-1] == 4  # the last page saw the real end
    # A page past the cached total is served, not refused.
    fifth = IdeaFactory(campaign=campaign)
    third_page = api_client.get(url + "&page=3")
    assert third_page.status_code == 200
    assert [item["id"] for item in third_page.json()["results"]] == [ideas[0].pk]
    assert third_page.json()["count"] == 5
    assert walk(api_client, url)[0][0] == fifth.pk


def test_an_authors_older_idea_stays_in_a_private_campaigns_list(author):
    user, api = author
    campaign = CampaignFactory(is_private=True)
    IdeaFactory(campaign=campaign)  # someone else's: not shown to the author
    older = IdeaFactory(campaign=campaign, author=user)
    url = f"/api/v1/campaigns/{campaign.slug}/ideas/"
    assert [item["id"] for item in api.get(url).json()["results"]] == [older.pk]

    response = api.post(url, {"title": "Another", "body": "idea"}, format="json")
    assert response.status_code == 201
    newer = response.json()["id"]

    listed = api.get(url).json()
    assert sorted(item["id"] for item in listed["results"]) == sorted([older.pk, newer])
    assert listed["count"] == 2


def test_a_list_page_costs_the_page_and_at_most_the_count(
    api_client, two_per_page, django_assert_max_num_queries
):
    campaign = CampaignFactory()
    for _ in range(5):
        IdeaFactory(campaign=campaign)
    url = f"/api/v1/campaigns/{campaign.slug}/ideas/?order=newest"
    with django_assert_max_num_queries(3):  # the campaign, the count, the page
        api_client.get(url)
    for page in (1, 2, 3):  # the count now comes from the cache
        with django_assert_max_num_queries(2):
            assert api_client.get(f"{url}&page={page}").status_code == 200
