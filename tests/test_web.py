"""The HTML pages and the htmx endpoints, through Django's test client."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campaigns.models import Campaign
from core.redis import get_redis, key
from core.tasks import HEARTBEAT_KEY, worker_heartbeat
from ideas.models import Idea
from notifications.models import Notification
from notifications.services import notification_create
from tests.conftest import clear_test_keys
from tests.factories import BrandMembershipFactory, CampaignFactory, IdeaFactory, UserFactory
from voting.models import IdeaTally, Vote

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def campaign_with(**dates_in_days) -> Campaign:
    now = timezone.now()
    return CampaignFactory(
        **{name: now + timedelta(days=days) for name, days in dates_in_days.items()}
    )


def closed_campaign() -> Campaign:
    return campaign_with(
        submission_opens_at=-20, submission_closes_at=-10, voting_opens_at=-10, voting_closes_at=-1
    )


def count_queries(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries), response.content.decode()


def set_tally(idea, up: int, down: int, wilson: float = 0.0) -> None:
    IdeaTally.objects.filter(idea=idea).update(
        upvotes=up, downvotes=down, score=up - down, wilson_lower_bound=wilson
    )


def idea_ids_in_order(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'class="idea-row__title"><a href="/ideas/(\d+)/"', html)]


def campaign_links(html: str) -> list[str]:
    return re.findall(r'class="card__title"><a href="/campaigns/([\w-]+)/"', html)


@pytest.fixture
def verified_client(client):
    user = UserFactory()
    client.force_login(user)
    client.user = user
    return client


# --- home ---------------------------------------------------------------------------------


def test_home_lists_live_campaigns_only(client):
    now = timezone.now()
    upcoming = campaign_with(
        submission_opens_at=2, submission_closes_at=10, voting_opens_at=2, voting_closes_at=20
    )
    open_now = CampaignFactory(voting_closes_at=now + timedelta(days=5), title="Open now")
    voting = campaign_with(
        submission_opens_at=-10, submission_closes_at=-1, voting_opens_at=-1, voting_closes_at=3
    )
    closed = closed_campaign()
    draft = CampaignFactory(is_published=False)
    IdeaFactory(campaign=open_now)
    IdeaFactory(campaign=open_now, status=Idea.Status.HIDDEN)

    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert campaign_links(html) == [voting.slug, open_now.slug, upcoming.slug]
    assert closed.slug not in html
    assert draft.slug not in html
    assert len(re.findall(r"\b1 idea\s+·", html)) == 1  # the hidden idea is not counted
    assert len(re.findall(r"\b0 ideas\s+·", html)) == 2


def test_home_without_campaigns(client):
    closed_campaign()

    response = client.get("/")

    assert response.status_code == 200
    assert "No campaign is running right now." in response.content.decode()


@pytest.mark.parametrize("logged_in", [False, True], ids=["anonymous", "logged-in"])
def test_home_costs_a_fixed_number_of_queries(client, logged_in):
    if logged_in:
        client.force_login(BrandMembershipFactory().user)
    for _ in range(3):
        IdeaFactory(campaign=CampaignFactory())
    three, html = count_queries(client, "/")
    assert len(campaign_links(html)) == 3
    for _ in range(27):
        IdeaFactory(campaign=CampaignFactory())
    thirty, html = count_queries(client, "/")

    assert len(campaign_links(html)) == 30
    assert thirty == three
    if not logged_in:
        assert three == 1


# --- campaign page ------------------------------------------------------------------------


def test_the_campaign_page_ranks_ideas_by_score_then_confidence(client):
    campaign = CampaignFactory()
    low, top, middle, confident = (IdeaFactory(campaign=campaign) for _ in range(4))
    set_tally(low, 0, 3)
    set_tally(top, 7, 1)
    set_tally(middle, 2, 0, wilson=0.1)
    set_tally(confident, 2, 0, wilson=0.3)
    hidden = IdeaFactory(campaign=campaign, status=Idea.Status.HIDDEN)

    response = client.get(f"/campaigns/{campaign.slug}/?order=score")

    assert response.status_code == 200
    html = response.content.decode()
    assert idea_ids_in_order(html) == [top.pk, confident.pk, middle.pk, low.pk]
    assert f"/ideas/{hidden.pk}/" not in html
    assert '<span class="vote__score"' in html
    assert ">6</span>" in html


def test_the_campaign_page_shows_my_votes(verified_client):
    campaign = CampaignFactory()
    liked, disliked = IdeaFactory(campaign=campaign), IdeaFactory(campaign=campaign)
    now = timezone.now()
    for idea, value in ((liked, 1), (disliked, -1)):
        Vote.objects.create(
            idea=idea, voter=verified_client.user, value=value, created_at=now, updated_at=now
        )

    html = verified_client.get(f"/campaigns/{campaign.slug}/").content.decode()

    assert html.count('aria-pressed="true"') == 2
    assert 'name="value" value="0"' in html


@pytest.mark.parametrize("logged_in", [False, True], ids=["anonymous", "voter"])
def test_the_campaign_page_costs_a_fixed_number_of_queries(client, logged_in):
    campaign = CampaignFactory()
    voter = UserFactory()
    if logged_in:
        client.force_login(voter)
    now = timezone.now()

    def add_ideas(count: int) -> None:
        for number in range(count):
            idea = IdeaFactory(campaign=campaign)
            set_tally(idea, number, number % 3)
            Vote.objects.create(idea=idea, voter=voter, value=1, created_at=now, updated_at=now)

    add_ideas(3)
    three, html = count_queries(client, f"/campaigns/{campaign.slug}/")
    assert len(idea_ids_in_order(html)) == 3
    add_ideas(27)
    clear_test_keys()  # the progress figures are cached for 30 s
    thirty, html = count_queries(client, f"/campaigns/{campaign.slug}/")

    assert len(idea_ids_in_order(html)) == 30
    assert thirty == three
    if not logged_in:
        # the campaign, the ranked ideas, whether a result exists, three progress counts,
        # schedule notices, prizes
        assert three == 8


def test_an_unpublished_campaign_page_is_404_except_for_its_brand(client):
    campaign = CampaignFactory(is_published=False)

    assert client.get(f"/campaigns/{campaign.slug}/").status_code == 404
    client.force_login(BrandMembershipFactory(brand=campaign.brand).user)
    assert client.get(f"/campaigns/{campaign.slug}/").status_code == 200


# --- idea page ----------------------------------------------------------------------------


def test_the_idea_page(client):
    idea = IdeaFactory(title="Bike racks", body="More *racks*.")
    set_tally(idea, 4, 1)

    response = client.get(f"/ideas/{idea.pk}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Bike racks</h1>" in html
    assert "<p>More <em>racks</em>.</p>" in html
    assert idea.content_hash in html
    assert ">3</span>" in html


def test_a_hidden_idea_is_404_for_anonymous_and_shown_to_its_author_with_the_reason(client):
    idea = IdeaFactory(status=Idea.Status.HIDDEN, hidden_reason="Off topic")

    assert client.get(f"/ideas/{idea.pk}/").status_code == 404
    client.force_login(UserFactory())
    assert client.get(f"/ideas/{idea.pk}/").status_code == 404

    client.force_login(idea.author)
    response = client.get(f"/ideas/{idea.pk}/")
    assert response.status_code == 200
    assert "This idea is hidden by a moderator: Off topic" in response.content.decode()


# --- the htmx vote endpoint ---------------------------------------------------------------


def test_an_htmx_vote_returns_the_widget_and_writes_one_vote(verified_client):
    idea = IdeaFactory()

    response = verified_client.post(f"/ideas/{idea.pk}/vote/", {"value": "1"}, **HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith(
        f'<div class="vote vote--updown" id="vote-{idea.pk}" data-testid="vote-widget">'
    )
    assert "<html" not in html
    assert 'aria-pressed="true"' in html
    assert "vote__error" not in html
    assert "vote__score--pending" in html  # waiting for the workers' recount
    assert list(Vote.objects.values_list("voter_id", "idea_id", "value")) == [
        (verified_client.user.pk, idea.pk, 1)
    ]

    again = verified_client.post(f"/ideas/{idea.pk}/vote/", {"value": "-1"}, **HTMX)
    assert again.status_code == 200
    assert list(Vote.objects.values_list("value", flat=True)) == [-1]

    withdrawn = verified_client.post(f"/ideas/{idea.pk}/vote/", {"value": "0"}, **HTMX)
    assert withdrawn.status_code == 200
    assert 'aria-pressed="true"' not in withdrawn.content.decode()
    assert list(Vote.objects.values_list("value", flat=True)) == [0]


def test_an_unverified_voter_gets_403_with_the_message_and_nothing_is_written(client):
    idea = IdeaFactory()
    client.force_login(UserFactory(verified=False))

    response = client.post(f"/ideas/{idea.pk}/vote/", {"value": "1"}, **HTMX)

    assert response.status_code == 403
    assert (
        '<p class="vote__error" role="alert">Please verify your email address before voting.</p>'
        in response.content.decode()
    )
    assert Vote.objects.count() == 0


def test_a_vote_in_a_closed_campaign_gets_409_and_nothing_is_written(verified_client):
    idea = IdeaFactory(campaign=closed_campaign())

    response = verified_client.post(f"/ideas/{idea.pk}/vote/", {"value": "1"}, **HTMX)

    assert response.status_code == 409
    assert "Voting is not open for this campaign." in response.content.decode()
    assert Vote.objects.count() == 0


def test_a_vote_on_my_own_idea_gets_403(client):
    idea = IdeaFactory()
    client.force_login(idea.author)

    response = client.post(f"/ideas/{idea.pk}/vote/", {"value": "1"}, **HTMX)

    assert response.status_code == 403
    assert "You cannot vote for your own idea." in response.content.decode()
    assert Vote.objects.count() == 0


@pytest.mark.parametrize("data", [{"value": "abc"}, {"value": ""}, {}, {"value": "1.5"}])
def test_a_malformed_value_gets_400_and_nothing_is_written(verified_client, data):
    idea = IdeaFactory()

    response = verified_client.post(f"/ideas/{idea.pk}/vote/", data, **HTMX)

    assert response.status_code == 400
    assert "A vote is 1 (for) or -1 (against)." in response.content.decode()
    assert Vote.objects.count() == 0


@pytest.mark.parametrize("value", ["5", "-2", "99999999999999999999"])
def test_an_out_of_range_value_gets_400_and_nothing_is_written(verified_client, value):
    idea = IdeaFactory()

    response = verified_client.post(f"/ideas/{idea.pk}/vote/", {"value": value}, **HTMX)

    assert response.status_code == 400
    assert "A vote is 1 (for) or -1 (against)." in response.content.decode()
    assert Vote.objects.count() == 0


def test_anonymous_htmx_votes_are_redirected_to_log_in(client):
    idea = IdeaFactory()

    response = client.post(f"/ideas/{idea.pk}/vote/", {"value": "1"}, **HTMX)

    assert response.status_code == 204
    assert response["HX-Redirect"] == f"/accounts/login/?next=/ideas/{idea.pk}/"
    assert response.content == b""
    assert Vote.objects.count() == 0


def test_anonymous_plain_votes_are_redirected_to_log_in(client):
    idea = IdeaFactory()

    response = client.post(f"/ideas/{idea.pk}/vote/", {"value": "1"})

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next=/ideas/{idea.pk}/"
    assert Vote.objects.count() == 0


def test_a_plain_form_vote_goes_back_to_the_page_it_came_from(verified_client):
    idea = IdeaFactory()
    back = f"/campaigns/{idea.campaign.slug}/"

    response = verified_client.post(f"/ideas/{idea.pk}/vote/", {"value": "1", "next": back})

    assert response.status_code == 302
    assert response["Location"] == back
    assert Vote.objects.get().value == 1


def test_a_plain_form_vote_never_redirects_off_site(verified_client):
    idea = IdeaFactory()

    response = verified_client.post(
        f"/ideas/{idea.pk}/vote/", {"value": "1", "next": "https://evil.example/"}
    )

    assert response.status_code == 302
    assert response["Location"] == f"/ideas/{idea.pk}/"


def test_a_refused_plain_form_vote_shows_the_message_on_the_next_page(client):
    idea = IdeaFactory()
    client.force_login(UserFactory(verified=False))

    response = client.post(f"/ideas/{idea.pk}/vote/", {"value": "1"}, follow=True)

    assert response.status_code == 200
    assert "Please verify your email address before voting." in response.content.decode()
    assert Vote.objects.count() == 0


def test_a_vote_on_a_hidden_idea_is_404_for_a_contributor(verified_client):
    idea = IdeaFactory(status=Idea.Status.HIDDEN)

    response = verified_client.post(f"/ideas/{idea.pk}/vote/", {"value": "1"}, **HTMX)

    assert response.status_code == 404
    assert Vote.objects.count() == 0


def test_the_tally_fragment_stops_polling_once_counted(client):
    idea = IdeaFactory()
    set_tally(idea, 2, 0)
    IdeaTally.objects.filter(idea=idea).update(computed_at=timezone.now())
    long_ago = (timezone.now() - timedelta(hours=1)).timestamp()

    counted = client.get(f"/ideas/{idea.pk}/tally/?since={long_ago}&poll=1")
    pending = client.get(f"/ideas/{idea.pk}/tally/?since={timezone.now().timestamp() + 60}&poll=1")

    assert counted.status_code == pending.status_code == 200
    assert "hx-get" not in counted.content.decode()
    assert ">2</span>" in counted.content.decode()
    assert "poll=2" in pending.content.decode()


# --- notifications ------------------------------------------------------------------------


def notify(user, number: int) -> Notification:
    notification, _created = notification_create(
        recipient=user,
        kind=Notification.Kind.VOTE_MILESTONE,
        event_key=f"test:{number}",
        params={"title": f"Idea {number}", "count": 10},
        url=f"/ideas/{number}/",
    )
    return notification


def unread_badge(html: str) -> str | None:
    match = re.search(r'data-testid="unread-count">(\d+)</span>', html)
    return match.group(1) if match else None


def test_the_header_shows_my_unread_count(verified_client):
    for number in range(3):
        notify(verified_client.user, number)
    notify(UserFactory(), 99)

    assert unread_badge(verified_client.get("/").content.decode()) == "3"


def test_the_notifications_page_marks_the_shown_notifications_read(verified_client):
    me = verified_client.user
    for number in range(32):
        notify(me, number)
    others = notify(UserFactory(), 99)

    first = verified_client.get("/notifications/")

    assert first.status_code == 200
    html = first.content.decode()
    # The 30 shown still look new on this visit; the header counts what is left unread.
    assert html.count('data-testid="notification"') == 30
    assert html.count("notification--unread") == 30
    assert "Your idea “Idea 31” reached 10 votes." in html
    assert "Idea 1”" not in html
    assert unread_badge(html) == "2"
    assert Notification.objects.filter(recipient=me, read_at__isnull=True).count() == 2
    assert sorted(
        Notification.objects.filter(recipient=me, read_at__isnull=True).values_list(
            "event_key", flat=True
        )
    ) == ["test:0", "test:1"]
    others.refresh_from_db()
    assert others.read_at is None

    second = verified_client.get("/notifications/").content.decode()
    assert second.count("notification--unread") == 0
    assert unread_badge(second) == "2"

    older = verified_client.get("/notifications/?page=2").content.decode()
    assert older.count('data-testid="notification"') == 2
    assert older.count("notification--unread") == 2
    assert unread_badge(older) is None
    assert Notification.objects.filter(recipient=me, read_at__isnull=True).count() == 0


def test_the_notifications_page_costs_a_fixed_number_of_queries(verified_client):
    def read_all_and_count(count: int) -> int:
        Notification.objects.update(read_at=None)
        queries, html = count_queries(verified_client, "/notifications/")
        assert html.count('data-testid="notification"') == count
        return queries

    for number in range(3):
        notify(verified_client.user, number)
    three = read_all_and_count(3)
    for number in range(3, 30):
        notify(verified_client.user, number)

    assert read_all_and_count(30) == three


def test_mark_all_read(verified_client):
    for number in range(35):
        notify(verified_client.user, number)

    response = verified_client.post("/notifications/read/")

    assert response.status_code == 302
    assert response["Location"] == "/notifications/"
    assert Notification.objects.filter(read_at__isnull=True).count() == 0


def test_the_notifications_page_needs_a_login(client):
    response = client.get("/notifications/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/notifications/"


# --- health -------------------------------------------------------------------------------


def test_healthz_reports_database_and_broker(client):
    get_redis().delete(key(HEARTBEAT_KEY))
    client.force_login(
        UserFactory(is_staff=True, is_superuser=True)
    )  # the figures are for staff (test_headers)

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "database": "ok",
        "broker": "ok",
        "worker_heartbeat_age_seconds": None,
        "worker": "stale",
        "tally": {
            "dirty_ideas": 0,
            "oldest_dirty_age_seconds": None,
            "lag_p50_seconds": None,
            "lag_p99_seconds": None,
            "lag_samples": 0,
        },
        "ok": True,
        "status": "ok",
    }


def test_healthz_reports_a_fresh_worker_heartbeat(client):
    worker_heartbeat()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    body = client.get("/healthz").json()

    assert (body["database"], body["broker"], body["worker"], body["ok"]) == (
        "ok", "ok", "ok", True,
    )  # fmt: skip
    assert 0 <= body["worker_heartbeat_age_seconds"] < 5


# --- malformed input never gives a 500 ----------------------------------------------------


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/ideas/999999/", 404),
        ("/ideas/abc/", 404),
        ("/campaigns/nope/", 404),
        ("/campaigns/nope/ideas/new/", 302),
        ("/ideas/999999/tally/", 404),
        ("/ideas/{idea}/tally/?since=abc&poll=x", 200),
        ("/ideas/{idea}/tally/?since=&poll=", 200),
        ("/ideas/{idea}/tally/?since=nan&poll=1", 200),
        ("/ideas/{idea}/tally/?since=inf&poll=-5", 200),
        ("/ideas/{idea}/tally/?since=1e999&poll=99999999999999999999", 200),
        ("/ideas/{idea}/vote/", 405),
        ("/notifications/?page=abc", 302),
        ("/api/v1/ideas/abc/", 404),
        ("/api/v1/campaigns/?page=abc", 404),
        ("/api/v1/campaigns/?page=99", 404),
    ],
)
def test_malformed_get_requests_never_give_a_500(client, path, status):
    idea = IdeaFactory()

    response = client.get(path.format(idea=idea.pk))

    assert response.status_code == status


@pytest.mark.parametrize(
    ("path", "data", "status"),
    [
        ("/ideas/{idea}/vote/", {}, 400),
        ("/ideas/{idea}/vote/", {"value": "abc"}, 400),
        ("/ideas/{idea}/vote/", {"value": "١"}, 200),  # int() reads other digit scripts
        ("/ideas/999999/vote/", {"value": "1"}, 404),
        ("/ideas/{idea}/tally/", {}, 405),
        ("/campaigns/nope/ideas/new/", {"title": "T", "body": "B"}, 404),
        ("/campaigns/new/", {"brand": "x" * 300}, 403),
        ("/notifications/?page=-1", {}, 405),  # a read-only page (require_safe)
    ],
)
def test_malformed_posts_never_give_a_500(verified_client, path, data, status):
    idea = IdeaFactory()

    response = verified_client.post(path.format(idea=idea.pk), data, **HTMX)

    assert response.status_code == status
    if status != 200:
        assert Vote.objects.count() == 0


def test_a_logged_in_user_gets_the_notifications_page_whatever_the_page_number(verified_client):
    notify(verified_client.user, 1)

    for page in ("abc", "-1", "0", "99999", "1e3"):
        response = verified_client.get(f"/notifications/?page={page}")
        assert response.status_code == 200
        assert response.content.decode().count('data-testid="notification"') == 1


# --- idea submission form -----------------------------------------------------------------


def test_the_idea_form_publishes_an_idea(verified_client):
    campaign = CampaignFactory()

    response = verified_client.post(
        f"/campaigns/{campaign.slug}/ideas/new/", {"title": "Bike racks", "body": "More."}
    )

    idea = Idea.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/ideas/{idea.pk}/"
    assert (idea.title, idea.author_id, idea.campaign_id) == (
        "Bike racks", verified_client.user.pk, campaign.pk,
    )  # fmt: skip


def test_the_idea_form_refuses_an_unverified_author_with_403(client):
    campaign = CampaignFactory()
    client.force_login(UserFactory(verified=False))

    response = client.post(f"/campaigns/{campaign.slug}/ideas/new/", {"title": "T", "body": "B"})

    assert response.status_code == 403
    assert "Please verify your email address before submitting an idea." in (
        response.content.decode()
    )
    assert Idea.objects.count() == 0


def test_the_idea_form_refuses_a_closed_campaign(verified_client):
    campaign = closed_campaign()

    response = verified_client.post(
        f"/campaigns/{campaign.slug}/ideas/new/", {"title": "T", "body": "B"}
    )

    assert response.status_code == 403
    assert "This campaign is not accepting ideas at the moment." in response.content.decode()
    assert Idea.objects.count() == 0


def test_the_idea_form_shows_field_errors(verified_client):
    campaign = CampaignFactory()

    response = verified_client.post(
        f"/campaigns/{campaign.slug}/ideas/new/", {"title": "   ", "body": ""}
    )

    assert response.status_code == 200
    assert response.content.decode().count("This field is required.") == 2
    assert Idea.objects.count() == 0


def test_a_moderator_sees_hidden_ideas(client):
    idea = IdeaFactory(status=Idea.Status.HIDDEN, hidden_reason="Spam")
    moderator = UserFactory()
    moderator.groups.add(Group.objects.get_or_create(name="Moderators")[0])
    client.force_login(moderator)

    assert client.get(f"/ideas/{idea.pk}/").status_code == 200
