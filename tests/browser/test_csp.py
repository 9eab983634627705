"""The Content-Security-Policy, enforced by a real Chromium, over a journey through the main
pages: every page still works (htmx swaps, the budget meter, the language menu, Swagger UI,
the admin) and the browser reports no violation of the policy."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from campaigns.models import Campaign
from ideas.models import Comment
from insights.stats import campaign_stats_refresh
from tests.browser.htmx import fill_when_bound
from tests.browser.test_journey import log_in, log_out
from tests.factories import (
    PASSWORD,
    BrandMembershipFactory,
    CampaignFactory,
    IdeaFactory,
    UserFactory,
)
from voting.models import Ballot, PairwisePrompt, Vote
from voting.results import results_finalize_due
from voting.services import vote_cast

pytestmark = pytest.mark.browser

# Chromium's console message for a refused script, style, image or connection.
CSP_MESSAGE = re.compile(r"Content Security Policy|Refused to", re.IGNORECASE)
# A listener in every document, before any of its scripts: the event the browser fires for
# each violation, reported to the test through an exposed function.
LISTEN_FOR_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCspViolation(
    [event.violatedDirective, event.blockedURI, event.sourceFile, event.lineNumber,
     event.sample].join(" | ")
  );
});
"""


class Violations:
    """Every CSP violation the browser reports on `page`, by event and on the console."""

    def __init__(self, page: Page):
        self.events: list[str] = []
        self.console: list[str] = []
        page.expose_function("reportCspViolation", lambda text: self.events.append(text))
        page.add_init_script(LISTEN_FOR_VIOLATIONS)
        page.on("console", self._on_console)

    def _on_console(self, message) -> None:
        if CSP_MESSAGE.search(message.text):
            self.console.append(f"{message.type}: {message.text}")

    def clear(self) -> None:
        self.events.clear()
        self.console.clear()

    def assert_none(self, where: str) -> None:
        assert self.events == [], (where, self.events)
        assert self.console == [], (where, self.console)


def past(**delta):
    return timezone.now() - timedelta(**delta)


def visit(page: Page, violations: Violations, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    violations.assert_none(url)


def test_the_main_pages_work_under_the_policy_without_a_violation(live_server, page: Page):
    base = live_server.url
    violations = Violations(page)

    brand_manager = UserFactory(email="manager@brand.example")
    membership = BrandMembershipFactory(user=brand_manager, role="owner")
    campaign = CampaignFactory(brand=membership.brand, title="Cooler streets")
    idea = IdeaFactory(campaign=campaign, title="Trees on Rue Pasteur")
    budget = CampaignFactory(voting_method="budget", budget_amount=100, title="Small budget")
    IdeaFactory(campaign=budget, title="Street trees", cost=60)
    IdeaFactory(campaign=budget, title="Public piano", cost=50)
    pairwise = CampaignFactory(voting_method="pairwise", title="Which one")
    IdeaFactory(campaign=pairwise, title="Free refills")
    IdeaFactory(campaign=pairwise, title="Reading corner")
    closed = CampaignFactory(brand=membership.brand, title="Last summer")
    winner = IdeaFactory(campaign=closed, title="Shade for the square")
    vote_cast(voter=UserFactory(), idea=winner, value=1)
    Campaign.objects.filter(pk=closed.pk).update(
        submission_opens_at=past(days=9), submission_closes_at=past(days=2),
        voting_opens_at=past(days=9), voting_closes_at=past(days=1),
    )  # fmt: skip
    results_finalize_due()
    campaign_stats_refresh(campaign=closed)  # what the stats task does: the dashboard's figures

    # 0. The listeners work: on a page of its own (the conftest's watch over `page` would
    #    rightly fail the test), an inline script without the nonce is refused and reported.
    probe = page.context.new_page()
    probe_violations = Violations(probe)
    probe.goto(f"{base}/")
    probe.evaluate(
        """() => { const script = document.createElement("script");
                   script.textContent = "window.injected = true;";
                   document.body.appendChild(script); }"""
    )
    probe.wait_for_timeout(300)
    assert probe.evaluate("() => window.injected === undefined")
    assert any(event.startswith("script-src") for event in probe_violations.events), (
        probe_violations.events
    )
    assert any("inline script" in text for text in probe_violations.console), (
        probe_violations.console
    )
    probe.close()

    # 1. The public pages.
    for path in (
        "/",
        campaign.get_absolute_url(),
        idea.get_absolute_url(),
        f"/campaigns/{closed.slug}/results/",
        f"/brands/{membership.brand.slug}/",
        "/accounts/signup/",
        "/no/such/page/",
    ):
        visit(page, violations, f"{base}{path}")
    expect(page.locator("h1")).to_have_text("Not Found")

    # The API documentation: Swagger UI draws the schema (its inline script ran).
    visit(page, violations, f"{base}/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Foule API")
    expect(page.locator(".opblock").first).to_be_visible()
    page.locator(".opblock-summary").first.click()  # opens an operation (React re-renders)
    expect(page.locator(".opblock-body").first).to_be_visible()
    violations.assert_none("api docs")
    # The browsable API.
    visit(page, violations, f"{base}/api/v1/campaigns/")
    expect(page.locator(".response-info")).to_contain_text(campaign.slug)

    # 2. A contributor: the language menu, a vote (htmx), a comment (htmx), a budget ballot
    #    (the running total), a pairwise comparison, the notifications.
    contributor = UserFactory(email="camille@crowd.example")
    log_in(page, base, contributor.email)
    violations.assert_none("log in")

    page.goto(f"{base}{campaign.get_absolute_url()}")
    page.locator("#language").select_option("fr")  # submits its form: no inline handler
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.locator("#language").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    violations.assert_none("language menu")

    row = page.get_by_test_id("idea-row").filter(has_text=idea.title)
    with page.expect_response(lambda response: response.url.endswith(f"/ideas/{idea.pk}/vote/")):
        row.get_by_test_id("vote-up").click()
    expect(row.get_by_test_id("vote-up")).to_have_attribute("aria-pressed", "true")
    assert Vote.objects.get(idea=idea, voter=contributor).value == 1
    page.wait_for_timeout(1000)  # the score polls for the tally once
    violations.assert_none("vote")

    page.goto(f"{base}{idea.get_absolute_url()}")
    page.locator("#comment-form textarea").fill("Yes, with *benches* too.")
    page.locator("#comment-form").get_by_role("button").click()
    expect(page.get_by_test_id("comments").locator("em")).to_have_text("benches")
    assert Comment.objects.filter(idea=idea, author=contributor).count() == 1
    violations.assert_none("comment")

    visit(page, violations, f"{base}{budget.get_absolute_url()}")
    page.get_by_label("Street trees").check()
    expect(page.locator("[data-spent]")).to_have_text("60")
    page.get_by_label("Public piano").check()
    expect(page.locator("[data-spent]")).to_have_text("110")
    expect(page.get_by_text("Over budget: remove an idea.")).to_be_visible()
    page.get_by_label("Public piano").uncheck()
    expect(page.get_by_text("Over budget: remove an idea.")).to_be_hidden()
    page.get_by_test_id("ballot-submit").click()
    expect(page.get_by_text("Your ballot is recorded.")).to_be_visible()
    assert Ballot.objects.filter(voter=contributor, campaign=budget).exists()
    violations.assert_none("ballot")

    visit(page, violations, f"{base}/campaigns/{pairwise.slug}/compare/")
    page.get_by_test_id("pair-left").click()
    expect(page.get_by_text("You have compared 1 pair.")).to_be_visible()
    assert PairwisePrompt.objects.filter(voter=contributor, answered_at__isnull=False).exists()
    for path in ("/notifications/", "/accounts/", "/accounts/tokens/"):
        visit(page, violations, f"{base}{path}")
    log_out(page)

    # 3. The brand: the builder (htmx steps and the live preview) and the dashboard.
    log_in(page, base, brand_manager.email)
    visit(page, violations, f"{base}/campaigns/new/")
    form = page.get_by_test_id("step-form")
    form.locator("input[name=title]").fill("Quieter streets")
    page.get_by_test_id("save-continue").click()
    expect(page.get_by_test_id("step-brief")).to_be_visible()
    fill_when_bound(page.locator("textarea[name=brief]"), "Where is it **too loud**?")
    expect(page.get_by_test_id("preview-brief").locator("strong")).to_have_text("too loud")
    violations.assert_none("builder")
    visit(page, violations, f"{base}/campaigns/{closed.slug}/dashboard/")
    expect(page.get_by_test_id("funnel")).to_be_visible()
    log_out(page)

    # 4. The admin, through its own login page.
    UserFactory(email="root@foule.example", is_staff=True, is_superuser=True)
    visit(page, violations, f"{base}/admin/login/")
    page.locator("input[name=username]").fill("root@foule.example")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[type=submit]").click()
    expect(page.locator("#site-name")).to_be_visible()
    for path in (
        "/admin/",
        "/admin/ideas/idea/",
        f"/admin/ideas/idea/{idea.pk}/change/",
        f"/admin/campaigns/campaign/{campaign.pk}/change/",
    ):
        visit(page, violations, f"{base}{path}")
    # The admin's own scripts run: ticking "select all" makes actions.js count the rows.
    visit(page, violations, f"{base}/admin/ideas/idea/")
    page.locator("#action-toggle").check()
    expect(page.locator(".action-counter")).to_have_text(re.compile(r"([1-9]\d*) of \1 selected"))
    violations.assert_none("admin")
