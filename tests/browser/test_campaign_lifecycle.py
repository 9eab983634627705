"""The campaign lifecycle in a real Chromium, through the UI only: a brand owner invites a
manager by email, the manager accepts and builds a campaign through every step of the
builder, launches it, and a contributor sees it open at the scheduled time (the clock is
moved with time-machine; beat's task runs as the worker would run it)."""

import io
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from brands.models import BrandMembership
from campaigns.models import Campaign, CampaignTransition
from campaigns.tasks import campaigns_advance_due
from ideas.models import Idea
from tests.browser.htmx import fill_when_bound
from tests.browser.test_journey import log_in
from tests.factories import BrandFactory, BrandMembershipFactory, UserFactory

pytestmark = pytest.mark.browser

PARIS = ZoneInfo("Europe/Paris")
INVITATION_LINK = re.compile(r"https?://[^/\s]+(/invitations/[^/\s]+/)")


def paris_input(moment) -> str:
    """A datetime-local value in the brand's time zone (the builder's schedule reads it so)."""
    return moment.astimezone(PARIS).strftime("%Y-%m-%dT%H:%M")


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 400), (91, 60, 196)).save(buffer, format="PNG")
    return buffer.getvalue()


def new_page(browser: Browser, browser_context_args: dict) -> Page:
    page = browser.new_context(**browser_context_args).new_page()
    page.set_default_timeout(10_000)
    return page


def save_and_continue(page: Page, next_step: str) -> None:
    page.get_by_test_id("save-continue").click()
    expect(page.get_by_test_id(f"step-{next_step}")).to_be_visible()
    page.wait_for_load_state("networkidle")  # htmx has processed the swapped step


def test_an_invited_manager_builds_and_launches_a_campaign_that_opens_on_time(
    browser: Browser, browser_context_args, live_server, mailoutbox, artifacts_dir
):
    base = live_server.url
    brand = BrandFactory(name="Ville de Lyon", slug="lyon", time_zone="Europe/Paris")
    owner = UserFactory(email="owner@lyon.example")
    BrandMembershipFactory(brand=brand, user=owner, role="owner")
    manager = UserFactory(email="manon@lyon.example", display_name="Manon")
    contributor = UserFactory(email="camille@crowd.example", display_name="Camille")
    # The campaign opens for ideas in two hours, on a whole minute.
    opens_at = (timezone.now() + timedelta(hours=2)).replace(second=0, microsecond=0)

    # 1. The owner invites the manager from the team page.
    owner_page = new_page(browser, browser_context_args)
    log_in(owner_page, base, owner.email)
    owner_page.goto(f"{base}/brands/lyon/team/")
    owner_page.get_by_test_id("invite-email").fill(manager.email)
    owner_page.get_by_test_id("invite-role").select_option("manager")
    owner_page.get_by_test_id("invite-submit").click()
    expect(
        owner_page.locator(f'[data-testid=invitation][data-email="{manager.email}"]')
    ).to_be_visible()
    invitations = [message for message in mailoutbox if manager.email in message.to]
    assert len(invitations) == 1
    path = INVITATION_LINK.search(invitations[0].body).group(1)

    # 2. The manager accepts through the emailed link.
    page = new_page(browser, browser_context_args)
    log_in(page, base, manager.email)
    page.goto(f"{base}{path}")
    expect(page.get_by_test_id("invitation-brand")).to_have_text("Ville de Lyon")
    expect(page.get_by_test_id("invitation-role")).to_have_text("Manager")
    page.get_by_test_id("invitation-accept").click()
    expect(page.locator(f'[data-testid=team-member][data-email="{manager.email}"]')).to_be_visible()
    assert BrandMembership.objects.get(brand=brand, user=manager).role == "manager"

    # 3. Every step of the builder.
    page.reload()  # the header learns of the new role on the next page
    page.locator("header").get_by_role("link", name="New campaign").click()
    expect(page).to_have_url(f"{base}/campaigns/new/")
    form = page.get_by_test_id("step-form")
    form.locator("select[name=brand]").select_option(label="Ville de Lyon")
    form.locator("input[name=title]").fill("Cooler streets for summer")
    form.locator("input[name=cover_image]").set_input_files(
        files=[{"name": "cover.png", "mimeType": "image/png", "buffer": png_bytes()}]
    )
    save_and_continue(page, "brief")
    campaign = Campaign.objects.get(title="Cooler streets for summer")
    assert (campaign.state, campaign.brand, bool(campaign.cover_image)) == ("draft", brand, True)

    fill_when_bound(  # typing: the live preview follows
        page.locator("textarea[name=brief]"),
        "Summers are hotter every year. **Where** should we plant trees and add shade?",
    )
    expect(page.get_by_test_id("preview-brief").locator("strong")).to_have_text("Where")
    save_and_continue(page, "rules")
    page.locator("textarea[name=rules]").fill("One idea per street. Be kind.")
    page.locator("input[name=minimum_account_age_days]").fill("0")
    save_and_continue(page, "terms")
    page.locator("textarea[name=ip_terms]").fill("You keep your idea; the city may build it.")
    page.locator("textarea[name=confidentiality]").fill("Ideas are public.")
    save_and_continue(page, "schedule")
    page.locator("input[name=submission_opens_at]").fill(paris_input(opens_at))
    page.locator("input[name=submission_closes_at]").fill(
        paris_input(opens_at + timedelta(days=14))
    )
    page.locator("input[name=voting_opens_at]").fill(paris_input(opens_at))
    page.locator("input[name=voting_closes_at]").fill(paris_input(opens_at + timedelta(days=21)))
    page.locator("input[name=results_at]").fill(paris_input(opens_at + timedelta(days=28)))
    save_and_continue(page, "format")
    with page.expect_response(lambda response: response.url.endswith("/build/format/")):
        page.get_by_test_id("preset-idea_challenge").click()  # swaps the step with defaults
    expect(page.locator("select[name=voting_method]")).to_have_value("updown")
    save_and_continue(page, "moderation")  # no candidates step: the crowd submits
    page.locator("input[name=moderation][value=post]").check()
    save_and_continue(page, "rewards")
    page.get_by_test_id("prize-row").first.locator("input[name$=rank]").fill("1")
    page.get_by_test_id("prize-row").first.locator("input[name$=title]").fill("Your tree, planted")
    save_and_continue(page, "preview")
    expect(page.get_by_test_id("ready")).to_be_visible()
    expect(page.get_by_test_id("launch-problem")).to_have_count(0)
    screenshot = artifacts_dir / "builder-preview.png"
    page.screenshot(path=str(screenshot), full_page=True)

    # 4. Launch: scheduled, public, with its countdown.
    page.get_by_test_id("launch").click()
    expect(page).to_have_url(f"{base}{campaign.get_absolute_url()}")
    expect(page.get_by_text(re.compile(r"Scheduled: opens for ideas on"))).to_be_visible()
    campaign.refresh_from_db()
    assert (campaign.state, campaign.is_published) == ("scheduled", True)
    assert campaign.submission_opens_at == opens_at  # entered in Paris time, stored in UTC
    assert campaign.terms.get().version == 1
    assert campaign.prizes.get().title == "Your tree, planted"
    launch = CampaignTransition.objects.get(campaign=campaign, to_state="scheduled")
    assert (launch.actor, launch.cause) == (manager, "person")

    # 5. The contributor sees it coming, not yet open.
    visitor = new_page(browser, browser_context_args)
    log_in(visitor, base, contributor.email)
    campaign_url = f"{base}{campaign.get_absolute_url()}"
    visitor.goto(campaign_url)
    expect(visitor.get_by_test_id("campaign-phase")).to_have_text("Upcoming")
    expect(visitor.get_by_test_id("countdown")).to_contain_text("Ideas open in")
    expect(visitor.get_by_role("link", name="Submit an idea")).to_have_count(0)

    # 6. The clock reaches the opening; beat's task runs; the page says it is open.
    with time_machine.travel(opens_at + timedelta(seconds=20), tick=True):
        assert campaigns_advance_due() == 1
        assert campaigns_advance_due() == 0  # beat firing twice moves nothing
        visitor.reload()
        expect(visitor.get_by_test_id("campaign-phase")).to_have_text("Open for ideas and votes")
        expect(visitor.get_by_test_id("countdown")).to_contain_text("Ideas close in")
        opened = CampaignTransition.objects.get(campaign=campaign, to_state="submission")
        assert opened.cause == "schedule"
        assert opens_at <= opened.occurred_at < opens_at + timedelta(minutes=1)

        # The contributor accepts the terms and submits the first idea.
        visitor.get_by_role("link", name="Submit an idea").click()
        expect(visitor.get_by_test_id("campaign-terms")).to_contain_text("the city may build it")
        visitor.locator("input[name=title]").fill("Trees on Rue de la République")
        visitor.locator("textarea[name=body]").fill("Plane trees and benches in their shade.")
        visitor.get_by_role("button", name="Publish my idea").click()
        expect(visitor.locator("main")).to_contain_text("Please accept the campaign's terms")
        visitor.locator("input[name=accept_terms]").check()
        visitor.get_by_role("button", name="Publish my idea").click()
        expect(
            visitor.get_by_role("heading", name="Trees on Rue de la République", level=1)
        ).to_be_visible()
        visitor.goto(campaign_url)
        expect(visitor.get_by_test_id("idea-row")).to_have_count(1)
        expect(visitor.get_by_test_id("campaign-progress")).to_contain_text("1 idea")
        screenshot = artifacts_dir / "campaign-open.png"
        visitor.screenshot(path=str(screenshot), full_page=True)
        assert screenshot.stat().st_size > 0
    campaign.refresh_from_db()
    assert campaign.state == "submission"
    idea = Idea.objects.get(campaign=campaign)
    assert (idea.author, idea.status) == (contributor, "published")
    assert campaign.terms.get().acceptances.filter(user=contributor).exists()
