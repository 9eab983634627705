"""The creative contest in a real Chromium: the brand invites a juror from its jury page,
the juror accepts the emailed link and scores the anonymised entries, the public rates them
with stars, and the results page shows the jury's part, the public's and their combination."""

import re

import pytest
from playwright.sync_api import Page, expect

from jury.models import Criterion, Juror, JuryScore
from tests.browser.test_journey import log_in, log_out
from tests.factories import (
    BrandFactory,
    BrandMembershipFactory,
    CampaignFactory,
    IdeaFactory,
    UserFactory,
)
from voting.models import Vote
from voting.results import result_compute

pytestmark = pytest.mark.browser

# The email names the site (settings.SITE_URL); the test server listens elsewhere.
INVITATION_PATH = re.compile(r"https?://[^/\s]+(/jury/invitations/\S+/)")


def test_jurors_score_the_public_votes_and_the_results_combine_both(
    live_server, page: Page, mailoutbox, artifacts_dir
):
    base = live_server.url
    brand = BrandFactory(name="Tea & Co")
    manager = UserFactory(email="manager@tea.example")
    BrandMembershipFactory(user=manager, brand=brand)
    contest = CampaignFactory(brand=brand, title="A new tin for our Earl Grey",
                              voting_method="contest")  # fmt: skip
    for index, (name, weight) in enumerate(
        [("Originality", 40), ("Fit with the brief", 40), ("Feasibility", 20)]
    ):
        Criterion.objects.create(campaign=contest, name=name, weight=weight, position=index)
    author = UserFactory(display_name="Zéphyrine Authorname")
    fox = IdeaFactory(campaign=contest, author=author, title="A fox in a teacup")
    owl = IdeaFactory(campaign=contest, author=author, title="An owl at midnight")

    # 1. The brand invites a juror from the contest's jury page.
    log_in(page, base, manager.email)
    page.goto(f"{base}{contest.get_absolute_url()}")
    page.get_by_test_id("jury-manage-link").click()
    invite = page.get_by_test_id("juror-invite-form")
    invite.get_by_label("Juror's email address").fill("jules@jury.example")
    invite.get_by_role("button", name="Invite").click()
    expect(page.get_by_text("Invitation sent to jules@jury.example.")).to_be_visible()
    expect(page.get_by_test_id("juror-invitation")).to_have_attribute(
        "data-email", "jules@jury.example"
    )
    log_out(page)

    # 2. The juror accepts the emailed link and scores the entries, never seeing who wrote them.
    (message,) = [m for m in mailoutbox if "jules@jury.example" in m.to]
    link = base + INVITATION_PATH.search(message.body).group(1)
    juror_user = UserFactory(email="jules@jury.example", display_name="Jules")
    log_in(page, base, juror_user.email)
    page.goto(link)
    page.get_by_test_id("invitation-accept").click()
    expect(page.get_by_text("Welcome to the jury of A new tin for our Earl Grey.")).to_be_visible()
    expect(page.get_by_test_id("jury-entry")).to_have_count(2)
    expect(page.locator("main")).not_to_contain_text("Zéphyrine")
    assert "Authorname" not in page.content()

    for title, values in [(fox.title, ["9", "8", "7"]), (owl.title, ["4", "5", "6"])]:
        card = page.get_by_test_id("jury-entry").filter(has_text=title)
        for label, value in zip(["Originality", "Fit with the brief", "Feasibility"], values,
                                strict=True):  # fmt: skip
            card.get_by_label(label).fill(value)
        card.get_by_test_id("jury-score-submit").click()
        expect(
            page.get_by_test_id("jury-entry").filter(has_text=title).get_by_test_id("jury-saved")
        ).to_be_visible()
    expect(page.get_by_test_id("jury-progress")).to_have_text("2 of 2 entries scored.")
    juror = Juror.objects.get(campaign=contest, user=juror_user)
    assert JuryScore.objects.filter(juror=juror).count() == 6

    # A juror changes their mind until voting closes.
    card = page.get_by_test_id("jury-entry").filter(has_text=owl.title)
    card.get_by_label("Originality").fill("5")
    with page.expect_response(lambda response: f"/jury/entries/{owl.pk}/" in response.url):
        card.get_by_test_id("jury-score-submit").click()
    expect(
        page.get_by_test_id("jury-entry").filter(has_text=owl.title).get_by_label("Originality")
    ).to_have_value("5")
    assert JuryScore.objects.get(juror=juror, idea=owl, criterion__name="Originality").value == 5
    page.set_viewport_size({"width": 390, "height": 844})  # a juror on a phone
    page.screenshot(path=str(artifacts_dir / "contest-jury-phone.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})
    log_out(page)

    # 3. The public rates the owl with five stars.
    voter = UserFactory(email="vera@public.example")
    log_in(page, base, voter.email)
    page.goto(f"{base}{contest.get_absolute_url()}")
    row = page.get_by_test_id("idea-row").filter(has_text=owl.title)
    row.get_by_test_id("star-5").click()
    expect(
        page.get_by_test_id("idea-row").filter(has_text=owl.title).get_by_test_id("star-5")
    ).to_have_attribute("aria-pressed", "true")
    assert Vote.objects.get(voter=voter, idea=owl).value == 5

    # 4. The results combine the jury (70%) and the public (30%).
    result_compute(campaign=contest)  # what the results worker does
    page.goto(f"{base}/campaigns/{contest.slug}/results/")
    rows = page.get_by_test_id("contest-row")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text(fox.title)
    fox_row = rows.filter(has_text=fox.title)
    # Fox: jury (0.4*8 + 0.4*7 + 0.2*6)/9 = 7.2/9 = 80, no stars: public 50, combined 71.
    expect(fox_row.get_by_test_id("contest-jury")).to_contain_text("80")
    expect(fox_row.get_by_test_id("contest-public")).to_contain_text("50")
    expect(fox_row.get_by_test_id("contest-combined")).to_have_text("71")
    owl_row = rows.filter(has_text=owl.title)
    # Owl: jury (0.4*4 + 0.4*4 + 0.2*5)/9 = 4.2/9 = 47; one 5-star: public 58; combined 50.
    expect(owl_row.get_by_test_id("contest-jury")).to_contain_text("47")
    expect(owl_row.get_by_test_id("contest-public")).to_contain_text("58")
    expect(owl_row.get_by_test_id("contest-combined")).to_have_text("50")
    page.screenshot(path=str(artifacts_dir / "contest-results.png"), full_page=True)
