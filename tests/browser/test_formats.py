"""Ballot and pairwise formats in a real Chromium: a budget ballot with its running total,
a ranked ballot, a pairwise comparison, and the results page of the ranked election."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_journey import log_in
from tests.factories import CampaignFactory, IdeaFactory, UserFactory
from voting.models import Ballot, PairwisePrompt
from voting.results import result_compute

pytestmark = pytest.mark.browser


def test_a_budget_ballot_shows_its_total_and_refuses_to_overspend(live_server, page: Page):
    campaign = CampaignFactory(voting_method="budget", budget_amount=100)
    trees = IdeaFactory(campaign=campaign, title="Street trees", cost=60)
    piano = IdeaFactory(campaign=campaign, title="Public piano", cost=50)
    voter = UserFactory()
    log_in(page, live_server.url, voter.email)
    page.goto(f"{live_server.url}/campaigns/{campaign.slug}/")

    page.get_by_label("Street trees").check()
    expect(page.locator("[data-spent]")).to_have_text("60")
    page.get_by_label("Public piano").check()
    expect(page.locator("[data-spent]")).to_have_text("110")
    expect(page.get_by_text("Over budget: remove an idea.")).to_be_visible()
    page.get_by_test_id("ballot-submit").click()
    expect(page.get_by_text("These choices cost 110, over the budget of 100.")).to_be_visible()
    assert not Ballot.objects.filter(voter=voter).exists()

    page.get_by_label("Public piano").uncheck()
    page.get_by_test_id("ballot-submit").click()
    expect(page.get_by_text("Your ballot is recorded.")).to_be_visible()
    ballot = Ballot.objects.get(voter=voter)
    assert list(ballot.choices.values_list("idea_id", flat=True)) == [trees.pk]
    expect(page.get_by_test_id("ballot-receipt")).to_have_text(ballot.receipt)
    assert piano.pk not in list(ballot.choices.values_list("idea_id", flat=True))


def test_a_ranked_ballot_and_its_results_page(live_server, page: Page):
    campaign = CampaignFactory(voting_method="ranked")
    first = IdeaFactory(campaign=campaign, title="Clarette")
    second = IdeaFactory(campaign=campaign, title="Bouboule")
    voter = UserFactory()
    log_in(page, live_server.url, voter.email)
    page.goto(f"{live_server.url}/campaigns/{campaign.slug}/")
    page.get_by_label("Bouboule").fill("1")
    page.get_by_label("Clarette").fill("2")
    page.get_by_test_id("ballot-submit").click()
    expect(page.get_by_text("Your ballot is recorded.")).to_be_visible()
    ballot = Ballot.objects.get(voter=voter)
    assert list(ballot.choices.values_list("idea_id", flat=True)) == [second.pk, first.pk]

    result_compute(campaign=campaign)  # what the results worker does after the ballot
    page.goto(f"{live_server.url}/campaigns/{campaign.slug}/results/")
    bars = page.get_by_test_id("result-bars").locator("li")
    expect(bars).to_have_count(2)
    expect(bars.first).to_contain_text("Bouboule")
    expect(page.get_by_test_id("pairwise-matrix")).to_be_visible()
    expect(page.get_by_test_id("my-receipt")).to_have_text(ballot.receipt)


def test_a_pairwise_comparison(live_server, page: Page):
    campaign = CampaignFactory(voting_method="pairwise")
    IdeaFactory(campaign=campaign, title="Free refills")
    IdeaFactory(campaign=campaign, title="Reading corner")
    voter = UserFactory()
    log_in(page, live_server.url, voter.email)
    page.goto(f"{live_server.url}/campaigns/{campaign.slug}/")
    page.get_by_test_id("compare-link").click()
    expect(page.get_by_text("You have compared 0 pairs.")).to_be_visible()
    left_title = page.get_by_test_id("pair-left").locator("strong").inner_text()
    page.get_by_test_id("pair-left").click()
    expect(page.get_by_text("You have compared 1 pair.")).to_be_visible()
    answered = PairwisePrompt.objects.get(voter=voter, answered_at__isnull=False)
    assert answered.outcome == "left"
    assert answered.left.title == left_title
