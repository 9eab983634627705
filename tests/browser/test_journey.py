"""The whole Foule journey in a real Chromium, through the UI: on an open campaign, a
contributor signs up, confirms her email and submits an idea,
another contributor votes for it, the Celery worker tallies the vote, and the author
finds the notification under her bell."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import User
from ideas.models import Idea
from notifications.models import Notification
from tests.factories import (
    PASSWORD,
    BrandFactory,
    BrandMembershipFactory,
    CampaignFactory,
    IdeaFactory,
    UserFactory,
)
from voting.models import IdeaTally, Vote

pytestmark = pytest.mark.browser

# The score comes from the worker's tally, which the page polls for (every 0.7 s).
TALLY_TIMEOUT = 15_000

CONFIRMATION_LINK = re.compile(r"https?://\S+/accounts/confirm-email/[^/\s]+/")


def local_input(moment) -> str:
    """A datetime as a datetime-local input value, in the site's time zone (the one the
    campaign form reads its dates in)."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def log_in(page: Page, base_url: str, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{base_url}/accounts/login/")
    form = page.locator("main form")
    form.locator("input[name=login]").fill(email)
    form.locator("input[name=password]").fill(password)
    form.get_by_role("button", name="Sign In").click()
    expect(log_out_button(page)).to_be_visible()


def log_out_button(page: Page):
    return page.locator("header").get_by_role("button", name="Log out")


def log_out(page: Page) -> None:
    log_out_button(page).click()
    expect(page.locator("header").get_by_role("link", name="Log in")).to_be_visible()
    expect(log_out_button(page)).to_have_count(0)


def test_campaign_idea_vote_tally_and_notification(
    page: Page, live_server, celery_worker_process, mailoutbox, artifacts_dir
):
    base = live_server.url

    # 1. A brand's campaign is open for ideas and votes (the builder has its own journey in
    #    test_campaign_lifecycle.py).
    brand = BrandFactory(name="Velo Paris")
    manager = UserFactory(email="manager@velo.example")
    BrandMembershipFactory(user=manager, brand=brand)
    campaign_title = "Better bike lanes"
    now = timezone.now()
    campaign = CampaignFactory(
        brand=brand, title=campaign_title, created_by=manager,
        brief="Where should the **next** bike lane go?",
        submission_opens_at=now - timedelta(hours=1), submission_closes_at=now + timedelta(days=10),
        voting_opens_at=now - timedelta(hours=1), voting_closes_at=now + timedelta(days=20),
    )  # fmt: skip
    assert campaign.is_submission_open() and campaign.is_voting_open()
    campaign_url = f"{base}{campaign.get_absolute_url()}"
    page.goto(campaign_url)
    expect(page.get_by_role("heading", name=campaign_title, level=1)).to_be_visible()
    expect(page.get_by_test_id("campaign-phase")).to_have_text("Open for ideas and votes")

    # 2. Contributor A signs up and confirms her email address from the email.
    author_email = "ada@contributors.example"
    page.goto(f"{base}/accounts/signup/")
    form = page.locator("main form")
    form.locator("input[name=email]").fill(author_email)
    form.locator("input[name=display_name]").fill("Ada")
    form.locator("input[name=password1]").fill(PASSWORD)
    form.locator("input[name=password2]").fill(PASSWORD)
    form.get_by_role("button", name="Sign Up").click()
    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/$"))
    expect(log_out_button(page)).to_have_count(0)  # not logged in before confirming

    assert mailoutbox is mail.outbox
    sent_to_author = [message for message in mailoutbox if author_email in message.to]
    assert len(sent_to_author) == 1, [(m.to, m.subject) for m in mailoutbox]
    assert len(mailoutbox) == 1
    links = CONFIRMATION_LINK.findall(sent_to_author[0].body)
    assert len(links) == 1, sent_to_author[0].body
    assert links[0].startswith(f"{base}/")

    page.goto(links[0])
    expect(page.get_by_role("heading", name="Confirm Email Address")).to_be_visible()
    expect(page.locator("main")).to_contain_text(author_email)
    page.locator("main").get_by_role("button", name="Confirm").click()
    # Logged in on confirmation (same browser session as the sign-up).
    expect(log_out_button(page)).to_be_visible()
    expect(page).to_have_url(f"{base}/")
    author = User.objects.get(email=author_email)
    assert author.emailaddress_set.get(email=author_email).verified

    # 3. Contributor A submits an idea to the campaign.
    idea_title = "A protected lane on Rue de Rivoli"
    page.goto(campaign_url)
    page.get_by_role("link", name="Submit an idea").click()
    expect(page).to_have_url(f"{campaign_url}ideas/new/")
    page.locator("input[name=title]").fill(idea_title)
    page.locator("textarea[name=body]").fill("Kerb-separated, *both* directions.")
    page.get_by_role("button", name="Publish my idea").click()

    expect(page.get_by_role("heading", name=idea_title, level=1)).to_be_visible()
    expect(page.get_by_text("Your idea is published. Thank you!")).to_be_visible()
    idea = Idea.objects.get(title=idea_title)
    assert (idea.author, idea.campaign) == (author, campaign)
    expect(page).to_have_url(f"{base}{idea.get_absolute_url()}")
    expect(page.locator(".prose em")).to_have_text("both")
    log_out(page)

    # 4. Contributor B votes for it; the worker tallies the vote and the page shows it.
    voter = UserFactory(email="bob@contributors.example")
    log_in(page, base, voter.email)
    page.goto(campaign_url)
    row = page.get_by_test_id("idea-row").filter(has_text=idea_title)
    expect(row).to_have_count(1)
    widget = row.get_by_test_id("vote-widget")
    expect(widget.get_by_test_id("score")).to_have_text("0")
    expect(widget.get_by_test_id("vote-up")).to_have_attribute("aria-pressed", "false")

    with page.expect_response(
        lambda r: r.url.endswith(f"/ideas/{idea.pk}/vote/") and r.request.method == "POST"
    ) as vote_response:
        widget.get_by_test_id("vote-up").click()
    assert vote_response.value.status == 200
    assert vote_response.value.request.headers.get("hx-request") == "true"
    # The answer is the widget alone, its score asking for the worker's recount.
    widget_html = vote_response.value.text()
    assert f'id="vote-{idea.pk}"' in widget_html and "<html" not in widget_html
    assert "vote__score--pending" in widget_html
    assert f"/ideas/{idea.pk}/tally/?since=" in widget_html

    # Swapped in place by htmx: still on the campaign page, the button now pressed.
    expect(page).to_have_url(campaign_url)
    up = row.get_by_test_id("vote-up")
    expect(up).to_have_attribute("aria-pressed", "true")
    expect(up).to_have_attribute("value", "0")  # pressing again would withdraw the vote
    # The number only comes from the worker's tally, which the score polls for.
    score = row.get_by_test_id("score")
    expect(score).to_have_text("1", timeout=TALLY_TIMEOUT)
    expect(score).not_to_have_class(re.compile(r"vote__score--pending"))
    expect(score).to_have_attribute("title", "1 for, 0 against")
    # Only the score was refreshed: the buttons are still there, in the same state.
    expect(row.get_by_test_id("vote-widget")).to_have_count(1)
    expect(up).to_have_attribute("aria-pressed", "true")
    expect(row.get_by_test_id("vote-down")).to_have_attribute("aria-pressed", "false")
    assert Vote.objects.get(idea=idea, voter=voter).value == 1
    tally = IdeaTally.objects.get(idea=idea)
    assert (tally.upvotes, tally.downvotes, tally.score) == (1, 0, 1), (
        celery_worker_process.output()
    )

    screenshot = artifacts_dir / "campaign-page.png"
    screenshot.unlink(missing_ok=True)
    page.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.stat().st_size > 0

    # Reloaded, the page still shows the counted vote.
    page.reload()
    row = page.get_by_test_id("idea-row").filter(has_text=idea_title)
    expect(row.get_by_test_id("score")).to_have_text("1")
    expect(row.get_by_test_id("vote-up")).to_have_attribute("aria-pressed", "true")
    log_out(page)

    # 5. Contributor A logs in again and finds the first-vote notification.
    log_in(page, base, author_email)
    bell = page.get_by_test_id("notification-bell")
    expect(bell.get_by_test_id("unread-count")).to_have_text("1")
    expect(bell).to_have_attribute("aria-label", "1 unread notification")
    bell.click()
    expect(page).to_have_url(f"{base}/notifications/")
    notification = page.get_by_test_id("notification")
    expect(notification).to_have_count(1)
    expect(notification).to_contain_text(idea_title)
    expect(notification).to_contain_text("first vote")
    expect(notification.get_by_role("link")).to_have_attribute("href", idea.get_absolute_url())
    # Seen now: the bell no longer counts it.
    assert Notification.objects.get(recipient=author).is_read
    page.goto(f"{base}/")
    expect(page.get_by_test_id("unread-count")).to_have_count(0)


def test_anonymous_vote_redirects_to_login(page: Page, live_server):
    idea = IdeaFactory(title="Night buses every 15 minutes")
    campaign_url = f"{live_server.url}{idea.campaign.get_absolute_url()}"

    page.goto(campaign_url)
    row = page.get_by_test_id("idea-row").filter(has_text=idea.title)
    with page.expect_response(lambda r: r.url.endswith(f"/ideas/{idea.pk}/vote/")) as response:
        row.get_by_test_id("vote-up").click()
    assert response.value.status == 204
    assert response.value.headers.get("hx-redirect") == (
        f"/accounts/login/?next={idea.get_absolute_url()}"
    )

    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next={idea.get_absolute_url()}")
    expect(page.locator("main form input[name=login]")).to_be_visible()
    assert not Vote.objects.filter(idea=idea).exists()
