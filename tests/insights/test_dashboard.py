"""The brand dashboard: visitor counting, sign-up attribution, the worker's figures, who
may read the page, moderation from it, and its fixed query count."""

from datetime import UTC, datetime, timedelta

import pytest
import redis
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from campaigns.models import Campaign
from core.redis import get_redis
from ideas.models import Comment, Idea
from insights import stats as campaign_stats
from insights import visits
from insights.models import CampaignStats
from notifications.models import Notification
from tests.factories import (
    PASSWORD,
    BrandFactory,
    BrandMembershipFactory,
    CampaignFactory,
    IdeaFactory,
    UserFactory,
)
from voting.models import Vote

pytestmark = pytest.mark.django_db


def dashboard_url(campaign) -> str:
    return f"/campaigns/{campaign.slug}/dashboard/"


def set_created(obj, moment: datetime) -> None:
    type(obj).objects.filter(pk=obj.pk).update(created_at=moment)


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def campaign(now):
    return CampaignFactory(
        brand=BrandFactory(time_zone="UTC"),
        submission_opens_at=now - timedelta(days=3),
        voting_opens_at=now - timedelta(days=3),
    )


def member(campaign, role: str) -> User:
    return BrandMembershipFactory(brand=campaign.brand, role=role).user


# -- visitors and sign-ups -------------------------------------------------------------------


def test_campaign_page_views_count_each_visitor_once_a_day(client, campaign, now):
    url = campaign.get_absolute_url()
    client.get(url, REMOTE_ADDR="10.0.0.1", HTTP_USER_AGENT="Firefox")
    client.get(url, REMOTE_ADDR="10.0.0.1", HTTP_USER_AGENT="Firefox")
    client.get(url, REMOTE_ADDR="10.0.0.2", HTTP_USER_AGENT="Firefox")
    client.get(url, REMOTE_ADDR="10.0.0.1", HTTP_USER_AGENT="Chrome")
    person = UserFactory()
    client.force_login(person)
    client.get(url, REMOTE_ADDR="10.0.0.9")
    client.get(url, REMOTE_ADDR="10.0.0.8")  # the same account from elsewhere

    today = now.astimezone(UTC).date()
    assert visits.visits_daily(campaign_id=campaign.pk, days=[today]) == {today: 4}
    # Nothing that identifies a visitor is stored: the key holds only the HyperLogLog.
    name = visits.visits_key(campaign_id=campaign.pk, day=today)
    assert get_redis().type(name) == b"string"
    assert b"10.0.0.1" not in get_redis().get(name)
    assert 0 < get_redis().ttl(name) <= 400 * 86400


def test_a_redis_outage_never_fails_the_campaign_page(client, campaign, monkeypatch):
    monkeypatch.setattr(
        visits, "get_redis", lambda: redis.Redis(port=1, socket_connect_timeout=0.2)
    )

    response = client.get(campaign.get_absolute_url())

    assert response.status_code == 200


def signup(client, email: str, next_url: str | None):
    data = {
        "email": email,
        "display_name": "Newcomer",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    if next_url is not None:
        data["next"] = next_url
    return client.post("/accounts/signup/", data)


def test_a_sign_up_from_a_campaign_page_is_attributed_to_the_campaign(client, campaign):
    other = CampaignFactory()
    idea = IdeaFactory(campaign=other)

    # The sign-up page keeps the campaign page's ?next= in its form.
    page = client.get(f"/accounts/signup/?next=/campaigns/{campaign.slug}/").content.decode()
    assert f'name="next" value="/campaigns/{campaign.slug}/"' in page

    assert signup(client, "via-submit@example.org", f"/campaigns/{campaign.slug}/ideas/new/")
    client.logout()
    signup(client, "via-page@example.org", f"/campaigns/{campaign.slug}/")
    client.logout()
    signup(client, "via-idea@example.org", f"/ideas/{idea.pk}/")
    client.logout()
    signup(client, "direct@example.org", None)
    client.logout()
    signup(client, "elsewhere@example.org", "/notifications/")
    client.logout()
    signup(client, "offsite@example.org", f"//evil.example/campaigns/{campaign.slug}/")

    via = dict(User.objects.values_list("email", "signed_up_via"))
    assert via == {
        "via-submit@example.org": campaign.pk,
        "via-page@example.org": campaign.pk,
        "via-idea@example.org": other.pk,
        "direct@example.org": None,
        "elsewhere@example.org": None,
        "offsite@example.org": None,
        idea.author.email: None,
    }


# -- the worker's figures ------------------------------------------------------------------


def test_stats_refresh_computes_exact_figures(client, campaign, now):
    today = now.astimezone(UTC).date()
    two_days_ago = now - timedelta(days=2)
    # Visitors: three anonymous visitors and one account, today.
    url = campaign.get_absolute_url()
    for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.1"):
        client.get(url, REMOTE_ADDR=address)
    signup(client, "newcomer@example.org", f"/campaigns/{campaign.slug}/")
    client.logout()
    signup(client, "other@example.org", None)
    client.logout()
    client.force_login(UserFactory())
    client.get(url)
    # Ideas: three published by two authors (two of them two days ago), one pending, one
    # hidden; a brand candidate does not make its author a contributor.
    alice, bob, carol = UserFactory(), UserFactory(), UserFactory()
    first = IdeaFactory(campaign=campaign, author=alice)
    second = IdeaFactory(campaign=campaign, author=alice)
    third = IdeaFactory(campaign=campaign, author=bob)
    IdeaFactory(campaign=campaign, author=carol, status=Idea.Status.PENDING)
    IdeaFactory(campaign=campaign, author=bob, status=Idea.Status.HIDDEN)
    IdeaFactory(campaign=campaign, author=member(campaign, "manager"), is_candidate=True)
    set_created(first, two_days_ago)
    set_created(second, two_days_ago)
    IdeaFactory(campaign=CampaignFactory(), author=UserFactory())  # another campaign
    # Votes: four counted (three voters), one retracted, one elsewhere.
    dan, erin = UserFactory(), UserFactory()
    for voter, idea, value, moment in [
        (dan, first, 1, two_days_ago),
        (dan, third, -1, now),
        (erin, first, 1, now),
        (carol, second, 1, now),
        (bob, first, 0, now),
    ]:
        Vote.objects.create(
            idea=idea, voter=voter, value=value, created_at=moment, updated_at=moment
        )
    # Comments: two published, one hidden.
    Comment.objects.create(idea=first, author=dan, body="a", body_html="<p>a</p>")
    Comment.objects.create(idea=third, author=erin, body="b", body_html="<p>b</p>")
    Comment.objects.create(
        idea=third, author=erin, body="c", body_html="<p>c</p>", status=Comment.Status.HIDDEN
    )

    stats = campaign_stats.campaign_stats_refresh(campaign=campaign)

    days = [(today - timedelta(days=offset)).isoformat() for offset in (3, 2, 1, 0)]
    assert stats.figures == {
        "visitors": 4,
        "visitors_per_day": [[days[0], 0], [days[1], 0], [days[2], 0], [days[3], 4]],
        "signups": 1,
        "contributors": 3,
        "ideas": {"published": 4, "pending": 1, "hidden": 1, "total": 6},
        "votes": 4,
        "voters": 3,
        "vote_unit": "votes",
        "comments": 2,
        "funnel": [["visitors", 4], ["signups", 1], ["voters", 3], ["contributors", 3]],
        "ideas_per_day": [[days[0], 0], [days[1], 2], [days[2], 0], [days[3], 4]],
        "votes_per_day": [[days[0], 0], [days[1], 1], [days[2], 0], [days[3], 3]],
    }
    assert CampaignStats.objects.get(campaign=campaign).computed_at >= now


def test_stats_count_ballots_in_a_ballot_campaign(campaign):
    from voting.models import Ballot, BallotChoice

    campaign.voting_method = Campaign.VotingMethod.APPROVAL
    campaign.save(update_fields=["voting_method"])
    idea = IdeaFactory(campaign=campaign)
    for index, voter in enumerate([UserFactory(), UserFactory(), UserFactory()]):
        ballot = Ballot.objects.create(campaign=campaign, voter=voter, receipt=f"r{index}")
        if index < 2:  # an emptied ballot is no vote
            BallotChoice.objects.create(ballot=ballot, idea=idea)

    figures = campaign_stats.campaign_stats_refresh(campaign=campaign).figures

    assert (figures["votes"], figures["voters"], figures["vote_unit"]) == (2, 2, "ballots")
    assert figures["votes_per_day"][-1][1] == 2


def test_the_beat_refreshes_running_campaigns_whose_figures_are_missing_or_old(now):
    missing = CampaignFactory()
    old = CampaignFactory()
    fresh = CampaignFactory()
    CampaignStats.objects.create(campaign=old, figures={}, computed_at=now - timedelta(seconds=61))
    CampaignStats.objects.create(campaign=fresh, figures={}, computed_at=now - timedelta(seconds=5))
    CampaignFactory(is_published=False)  # a draft
    closed_dates = {
        "submission_opens_at": now - timedelta(days=9),
        "submission_closes_at": now - timedelta(days=8),
        "voting_opens_at": now - timedelta(days=9),
    }
    just_closed = CampaignFactory(**closed_dates, voting_closes_at=now - timedelta(hours=3))
    CampaignFactory(**closed_dates, voting_closes_at=now - timedelta(days=3))  # long closed
    CampaignFactory(state=Campaign.State.ARCHIVED)
    assert just_closed.state == Campaign.State.RESULTS

    due = set(campaign_stats.campaigns_stats_due().values_list("pk", flat=True))

    assert due == {missing.pk, old.pk, just_closed.pk}
    assert campaign_stats.campaigns_stats_refresh_due() == 3
    # Queued once: the next beat (or a dashboard view) does not queue them again.
    assert campaign_stats.campaigns_stats_refresh_due() == 0


def test_the_refresh_task_writes_the_figures(campaign):
    from insights.tasks import campaign_stats_refresh

    IdeaFactory(campaign=campaign)

    assert campaign_stats_refresh(campaign.pk) is True
    assert campaign_stats_refresh(987654321) is False
    assert CampaignStats.objects.get(campaign=campaign).figures["ideas"]["published"] == 1


# -- who sees the dashboard ----------------------------------------------------------------


@pytest.mark.parametrize("role", ["owner", "manager", "moderator", "analyst"])
def test_the_brand_team_sees_the_dashboard(client, campaign, role):
    pending = IdeaFactory(campaign=campaign, status=Idea.Status.PENDING)
    campaign_stats.campaign_stats_refresh(campaign=campaign)
    client.force_login(member(campaign, role))

    response = client.get(dashboard_url(campaign))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-figure="ideas-pending">1<' in html
    assert pending.title in html
    assert (f'data-testid="approve-{pending.pk}"' in html) is (role != "analyst")
    assert ('data-testid="exports-link"' in html) is (role != "moderator")


@pytest.mark.parametrize("who", ["anonymous", "contributor", "other brand's owner"])
def test_others_get_403_and_cannot_approve_or_hide(client, campaign, who):
    idea = IdeaFactory(campaign=campaign, status=Idea.Status.PENDING)
    if who == "contributor":
        client.force_login(idea.author)
    elif who == "other brand's owner":
        client.force_login(BrandMembershipFactory(role="owner").user)

    responses = [
        client.get(dashboard_url(campaign)),
        client.post(f"{dashboard_url(campaign)}ideas/{idea.pk}/approve/"),
        client.post(f"{dashboard_url(campaign)}ideas/{idea.pk}/hide/", {"reason": "spam"}),
    ]

    assert [response.status_code for response in responses] == [403, 403, 403]
    idea.refresh_from_db()
    assert idea.status == Idea.Status.PENDING
    assert not CampaignStats.objects.exists()


def test_a_draft_campaign_s_dashboard_is_404_to_outsiders(client):
    draft = CampaignFactory(is_published=False)
    client.force_login(UserFactory())

    assert client.get(dashboard_url(draft)).status_code == 404


def test_an_analyst_cannot_approve_or_hide(client, campaign):
    idea = IdeaFactory(campaign=campaign, status=Idea.Status.PENDING)
    client.force_login(member(campaign, "analyst"))

    approve = client.post(f"{dashboard_url(campaign)}ideas/{idea.pk}/approve/")
    hide = client.post(f"{dashboard_url(campaign)}ideas/{idea.pk}/hide/", {"reason": "spam"})

    assert (approve.status_code, hide.status_code) == (403, 403)
    idea.refresh_from_db()
    assert idea.status == Idea.Status.PENDING
    assert not Notification.objects.exists()


# -- moderation from the dashboard ---------------------------------------------------------


def test_a_moderator_approves_a_pending_idea(client, campaign):
    idea = IdeaFactory(campaign=campaign, status=Idea.Status.PENDING)
    client.force_login(member(campaign, "moderator"))

    response = client.post(f"{dashboard_url(campaign)}ideas/{idea.pk}/approve/")

    assert response.status_code == 302
    assert response["Location"] == dashboard_url(campaign)
    idea.refresh_from_db()
    assert idea.status == Idea.Status.PUBLISHED
    assert list(Notification.objects.values_list("recipient", "kind")) == [
        (idea.author_id, "idea_approved")
    ]
    again = client.post(f"{dashboard_url(campaign)}ideas/{idea.pk}/approve/")
    assert again.status_code == 409
    assert "not waiting for moderation" in again.content.decode()


def test_hiding_asks_a_reason(client, campaign):
    idea = IdeaFactory(campaign=campaign, status=Idea.Status.PENDING)
    manager = member(campaign, "manager")
    client.force_login(manager)
    hide_url = f"{dashboard_url(campaign)}ideas/{idea.pk}/hide/"

    refused = client.post(hide_url, {"reason": "  "})

    assert refused.status_code == 400
    assert "Say why the idea is hidden" in refused.content.decode()
    idea.refresh_from_db()
    assert idea.status == Idea.Status.PENDING

    response = client.post(hide_url, {"reason": "Off topic"})

    assert response.status_code == 302
    idea.refresh_from_db()
    assert (idea.status, idea.hidden_reason, idea.hidden_by) == (
        Idea.Status.HIDDEN,
        "Off topic",
        manager,
    )


def test_an_idea_of_another_campaign_is_404(client, campaign):
    elsewhere = IdeaFactory(status=Idea.Status.PENDING)
    client.force_login(member(campaign, "owner"))

    response = client.post(f"{dashboard_url(campaign)}ideas/{elsewhere.pk}/approve/")

    assert response.status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.status == Idea.Status.PENDING


# -- the page's content and cost -----------------------------------------------------------


def test_missing_figures_are_queued_and_the_page_says_computing(client, campaign):
    from insights.stats import _queued_key

    client.force_login(member(campaign, "manager"))

    response = client.get(dashboard_url(campaign))

    assert response.status_code == 200
    assert 'data-testid="stats-computing"' in response.content.decode()
    assert get_redis().exists(_queued_key(campaign.pk))


def test_the_dashboard_shows_figures_funnel_charts_and_lists(client, campaign, now):
    ideas = [IdeaFactory(campaign=campaign) for _ in range(3)]
    ideas[1].tally.upvotes = 5
    ideas[1].tally.wilson_lower_bound = 0.5
    ideas[1].tally.save()
    answered = ideas[2]
    answered.answer = Idea.Answer.ACCEPTED
    answered.save(update_fields=["answer"])
    Vote.objects.create(idea=ideas[1], voter=UserFactory(), value=1, created_at=now, updated_at=now)
    campaign_stats.campaign_stats_refresh(campaign=campaign)
    client.force_login(member(campaign, "analyst"))

    html = client.get(dashboard_url(campaign)).content.decode()

    assert 'data-figure="votes">1<' in html
    assert 'data-step="voters">1<' in html
    assert html.count('<svg class="chart__svg') == 3
    assert '<title id="chart-ideas-title">Ideas submitted per day</title>' in html
    assert "3 ideas in all" in html  # the chart's description
    assert "<details>" in html and "<table" in html
    top = html.split('data-testid="top-ideas"')[1].split("</ol>")[0]
    assert top.index(ideas[1].title) < top.index(ideas[0].title)
    waiting = html.split('data-testid="waiting-ideas"')[1].split("</ol>")[0]
    assert ideas[1].title in waiting and answered.title not in waiting
    assert waiting.index(ideas[1].title) < waiting.index(ideas[0].title)
    assert f'href="/campaigns/{campaign.slug}/exports/"' in html


def dashboard_queries(client, campaign) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(dashboard_url(campaign)).status_code == 200
    return len(queries)


def test_the_dashboard_costs_a_fixed_number_of_queries(client, campaign, now):
    client.force_login(member(campaign, "manager"))
    IdeaFactory(campaign=campaign)
    IdeaFactory(campaign=campaign, status=Idea.Status.PENDING)
    campaign_stats.campaign_stats_refresh(campaign=campaign)
    few = dashboard_queries(client, campaign)

    for _ in range(15):
        idea = IdeaFactory(campaign=campaign)
        IdeaFactory(campaign=campaign, status=Idea.Status.PENDING)
        Vote.objects.create(idea=idea, voter=UserFactory(), value=1, created_at=now, updated_at=now)
    campaign_stats.campaign_stats_refresh(campaign=campaign)
    many = dashboard_queries(client, campaign)

    assert few == many
    assert many <= 14
