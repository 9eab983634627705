"""Security headers (issue 8, item 8 and the smaller items of 9): a Content-Security-Policy
on every page whose nonce is on every inline script and style, no inline event handler or
style attribute left for it to refuse, a Permissions-Policy, `check --deploy` still clean,
/healthz figures for staff or a token only, no supporter count under a results embargo,
and no bidirectional control characters in titles."""

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.rules import STAFF_GROUP
from brands.models import Brand
from brands.team import brand_update
from builder.services import (
    PrizeRow,
    campaign_basics_update,
    campaign_rewards_update,
    draft_create,
)
from campaigns.models import Campaign, CampaignPrize
from core.errors import ApplicationError
from core.text import clean_single_line
from ideas.models import Idea
from tests.factories import (
    BrandMembershipFactory,
    CampaignFactory,
    IdeaFactory,
    UserFactory,
)
from voting.results import results_finalize_due
from voting.services import vote_cast
from voting.tally import tally_recompute

# --- what a page must satisfy ---------------------------------------------------------------

# <script type=...> that a browser does not run (data blocks): the policy does not apply.
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json", "text/template"}


class _PageAudit(HTMLParser):
    """Collects what the Content-Security-Policy decides about in a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.inline_scripts = []  # the nonce of each inline script (None if it has none)
        self.external_scripts = []
        self.styles = []  # the nonce of each <style> element
        self.nonces = set()  # every nonce="..." in the page
        self.event_handlers = []  # (tag, attribute)
        self.style_attributes = []  # tags with a style="" attribute
        self.javascript_urls = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "nonce" in attributes:
            self.nonces.add(attributes["nonce"])
        for name, value in attrs:
            if name.startswith("on"):
                self.event_handlers.append((tag, name))
            if name == "style":
                self.style_attributes.append(tag)
            is_url = name in ("href", "src", "action", "formaction")
            if is_url and (value or "").strip().lower().startswith("javascript:"):
                self.javascript_urls.append((tag, name))
        if tag == "script":
            if attributes.get("src"):
                self.external_scripts.append(attributes["src"])
            elif (attributes.get("type") or "").lower() not in DATA_SCRIPT_TYPES:
                self.inline_scripts.append(attributes.get("nonce"))
        elif tag == "style":
            self.styles.append(attributes.get("nonce"))


def parse_policy(header: str) -> dict[str, list[str]]:
    policy = {}
    for directive in header.split(";"):
        name, *values = directive.split()
        policy[name] = values
    return policy


def assert_page_is_protected(response, *, style_attributes_allowed=False):
    """The response carries both policies, and its HTML runs nothing the policy would refuse:
    every inline <script> and <style> has the header's nonce, and there is no inline event
    handler, javascript: URL or style attribute."""
    assert "Content-Security-Policy" in response, response.request["PATH_INFO"]
    policy = parse_policy(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    for directive in ("script-src", "style-src"):
        assert "'self'" in policy[directive]
        assert "'unsafe-inline'" not in policy[directive], directive
        assert "'unsafe-eval'" not in policy[directive], directive
    header_nonces = {
        value[len("'nonce-") : -1] for value in policy["script-src"] if value.startswith("'nonce-")
    }
    assert header_nonces == {
        value[len("'nonce-") : -1] for value in policy["style-src"] if value.startswith("'nonce-")
    }
    permissions = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in permissions

    audit = _PageAudit()
    audit.feed(response.content.decode())
    assert audit.event_handlers == [], audit.event_handlers
    assert audit.javascript_urls == [], audit.javascript_urls
    if not style_attributes_allowed:
        assert audit.style_attributes == [], audit.style_attributes
    # Every nonce in the page is the header's one (a page that uses none needs none).
    assert audit.nonces <= header_nonces, (audit.nonces, header_nonces)
    assert None not in audit.inline_scripts, "an inline script without the nonce"
    assert None not in audit.styles, "an inline <style> without the nonce"
    if audit.inline_scripts or audit.styles:
        assert len(header_nonces) == 1
    return audit


# --- every kind of page -------------------------------------------------------------------


def past(**delta):
    return timezone.now() - timedelta(**delta)


def closed_campaign_with_result(**kwargs):
    campaign = CampaignFactory(**kwargs)
    idea = IdeaFactory(campaign=campaign, title="Shade for the square")
    vote_cast(voter=UserFactory(), idea=idea, value=1)
    Campaign.objects.filter(pk=campaign.pk).update(
        submission_opens_at=past(days=9), submission_closes_at=past(days=2),
        voting_opens_at=past(days=9), voting_closes_at=past(days=1),
    )  # fmt: skip
    results_finalize_due()
    campaign.refresh_from_db()
    return campaign


@pytest.mark.django_db
def test_every_page_kind_carries_the_policies_and_runs_no_unnonced_inline_code(client):
    campaign = CampaignFactory()
    idea = IdeaFactory(campaign=campaign)
    support = CampaignFactory(voting_method="support", support_stages=[[5, 10]])
    IdeaFactory(campaign=support)
    budget = CampaignFactory(voting_method="budget", budget_amount=1000)
    IdeaFactory(campaign=budget, cost=300)
    pairwise = CampaignFactory(voting_method="pairwise")
    IdeaFactory(campaign=pairwise)
    IdeaFactory(campaign=pairwise)
    closed = closed_campaign_with_result()

    anonymous_pages = [
        "/",
        campaign.get_absolute_url(),
        support.get_absolute_url(),
        budget.get_absolute_url(),
        idea.get_absolute_url(),
        f"/campaigns/{closed.slug}/results/",
        f"/brands/{campaign.brand.slug}/",
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
        "/admin/login/",
    ]
    for path in anonymous_pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert_page_is_protected(response)

    # A 404, Django's own page and the results page's.
    for path in ("/no/such/page/", "/campaigns/no-such-campaign/"):
        response = client.get(path)
        assert response.status_code == 404
        assert_page_is_protected(response)

    # The API documentation: Swagger UI's inline style and script carry the nonce.
    response = client.get("/api/docs/")
    assert response.status_code == 200
    audit = assert_page_is_protected(response)
    assert len(audit.inline_scripts) == 1 and len(audit.styles) == 1

    # A contributor's pages.
    client.force_login(UserFactory())
    for path in (
        "/notifications/",
        pairwise.get_absolute_url() + "compare/",
        "/accounts/",
        "/accounts/tokens/",
        "/accounts/delete/",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_page_is_protected(response)

    # The brand's dashboard (its bars are SVG, not style attributes) and the builder.
    manager = BrandMembershipFactory(brand=closed.brand).user
    draft = CampaignFactory(brand=closed.brand, is_published=False)
    client.force_login(manager)
    for path in (
        f"/campaigns/{closed.slug}/dashboard/",
        f"/campaigns/{draft.slug}/build/",
        "/campaigns/new/",
    ):
        response = client.get(path, follow=True)
        assert response.status_code == 200, path
        assert_page_is_protected(response)

    # The admin, as a superuser.
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    for path in ("/admin/", "/admin/ideas/idea/", f"/admin/ideas/idea/{idea.pk}/change/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_page_is_protected(response)


@pytest.mark.django_db
def test_the_nonce_is_new_for_every_response(client):
    first = parse_policy(client.get("/")["Content-Security-Policy"])["script-src"]
    second = parse_policy(client.get("/")["Content-Security-Policy"])["script-src"]
    nonces = [value for value in first + second if value.startswith("'nonce-")]
    assert len(nonces) == 2 and nonces[0] != nonces[1]


@pytest.mark.django_db
def test_the_base_page_loads_its_scripts_with_the_nonce_and_turns_off_htmx_eval(client):
    response = client.get("/")
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    page = response.content.decode()
    assert f'src="/static/js/foule.js" nonce="{nonce}"' in page
    assert f'src="/static/django_htmx/htmx-2.min.js" nonce="{nonce}"' in page
    # htmx would otherwise inject its indicator <style> (refused) and may evaluate code.
    assert '"includeIndicatorStyles":false' in page and '"allowEval":false' in page
    assert "data-autosubmit" in page and "onchange" not in page


@pytest.mark.django_db
def test_the_browsable_api_alone_allows_style_attributes(client):
    IdeaFactory()
    response = client.get("/api/v1/campaigns/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert_page_is_protected(response, style_attributes_allowed=True)
    policy = parse_policy(response["Content-Security-Policy"])
    assert policy["style-src-attr"] == ["'unsafe-inline'"]
    # JSON and the pages: no such allowance.
    assert "style-src-attr" not in client.get("/api/v1/campaigns/")["Content-Security-Policy"]
    assert "style-src-attr" not in client.get("/")["Content-Security-Policy"]


# `check --deploy` with the production settings (and so these policies) still reports
# nothing: tests/core/test_deploy_check.py.


# --- /healthz -----------------------------------------------------------------------------

HEALTH_FIGURES = {"database", "broker", "worker", "worker_heartbeat_age_seconds", "tally", "ok"}


@pytest.mark.django_db
def test_healthz_tells_the_public_only_that_the_service_is_up(client, settings):
    settings.FOULE_HEALTH_TOKEN = "a-long-random-health-token"
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]

    # A logged-in contributor is the public too; so is a wrong or malformed token.
    client.force_login(UserFactory())
    assert client.get("/healthz").json() == {"status": "ok"}
    client.logout()
    for header in (
        "Bearer wrong-token",
        "Bearer a-long-random-health-token-and-more",
        "Token a-long-random-health-token",
        "Bearer",
        "Bearer \u00e9\u202e",
    ):
        assert client.get("/healthz", HTTP_AUTHORIZATION=header).json() == {"status": "ok"}


@pytest.mark.django_db
def test_healthz_shows_its_figures_to_staff_and_to_the_token(client, settings):
    settings.FOULE_HEALTH_TOKEN = "a-long-random-health-token"

    response = client.get("/healthz", HTTP_AUTHORIZATION="Bearer a-long-random-health-token")
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= HEALTH_FIGURES and body["status"] == "ok" and body["ok"] is True
    assert body["tally"]["dirty_ideas"] == 0

    # Django's is_staff only opens the admin (a brand's moderator has it): not the figures.
    client.force_login(UserFactory(is_staff=True))
    assert client.get("/healthz").json() == {"status": "ok"}
    staff = UserFactory(is_staff=True)
    staff.groups.add(Group.objects.get_or_create(name=STAFF_GROUP)[0])
    client.force_login(staff)
    assert set(client.get("/healthz").json()) >= HEALTH_FIGURES


@pytest.mark.django_db
def test_without_a_token_setting_no_token_opens_the_figures(client, settings):
    settings.FOULE_HEALTH_TOKEN = ""
    assert client.get("/healthz", HTTP_AUTHORIZATION="Bearer ").json() == {"status": "ok"}
    assert client.get("/healthz", HTTP_AUTHORIZATION="Bearer  ").json() == {"status": "ok"}


@pytest.mark.django_db
def test_healthz_says_unavailable_without_details_when_the_broker_is_down(
    client, settings, monkeypatch
):
    settings.FOULE_HEALTH_TOKEN = "a-long-random-health-token"

    def unreachable():
        raise ConnectionError("redis is down")

    monkeypatch.setattr("config.health.get_redis", unreachable)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}

    detailed = client.get("/healthz", HTTP_AUTHORIZATION="Bearer a-long-random-health-token")
    assert detailed.status_code == 503
    assert detailed.json()["broker"] == "error: ConnectionError"
    assert detailed.json()["status"] == "unavailable"


# --- the supporter count under a results embargo ------------------------------------------


def supported_idea(*, results_embargo: bool):
    campaign = CampaignFactory(
        voting_method="support", support_stages=[[5, 10], [9, 30]], results_embargo=results_embargo
    )
    idea = IdeaFactory(campaign=campaign, title="Benches in the park")
    for _ in range(3):
        vote_cast(voter=UserFactory(), idea=idea, value=1)
    tally_recompute(idea_ids=[idea.pk])
    return campaign, idea


COUNT_TEXTS = ("3 supporters", "2 more supporters", "stage 1 of 2", '<progress max="5" value="3"')


def squeeze(html: str) -> str:
    return " ".join(html.split())


@pytest.mark.django_db
def test_without_an_embargo_the_pages_show_the_supporter_count(client):
    campaign, idea = supported_idea(results_embargo=False)
    for path in (idea.get_absolute_url(), campaign.get_absolute_url()):
        page = squeeze(client.get(path).content.decode())
        for text in COUNT_TEXTS:
            assert text in page, (path, text)


@pytest.mark.django_db
def test_an_embargo_hides_the_supporter_count_everywhere(client, api_client):
    campaign, idea = supported_idea(results_embargo=True)
    voter = UserFactory()

    pages = [client.get(idea.get_absolute_url()), client.get(campaign.get_absolute_url())]
    client.force_login(voter)
    pages.append(client.get(f"/ideas/{idea.pk}/tally/", HTTP_HX_REQUEST="true"))
    # The widget htmx swaps in after a vote.
    pages.append(client.post(f"/ideas/{idea.pk}/vote/", {"value": "1"}, HTTP_HX_REQUEST="true"))
    for response in pages:
        assert response.status_code == 200
        page = squeeze(response.content.decode())
        for text in COUNT_TEXTS + ("supporter: in brand review", "<progress"):
            assert text not in page, text
        assert ">3<" not in page and ">4<" not in page
    for response in pages[:2] + pages[3:]:
        assert "Supporter counts are hidden until voting closes." in squeeze(
            response.content.decode()
        )

    # The API: no tally in the idea, the list, nor the vote's answer.
    assert api_client.get(f"/api/v1/ideas/{idea.pk}/").json()["tally"] is None
    listed = api_client.get(f"/api/v1/campaigns/{campaign.slug}/ideas/").json()["results"]
    assert [item["tally"] for item in listed] == [None]
    api_client.force_authenticate(UserFactory())
    voted = api_client.put(f"/api/v1/ideas/{idea.pk}/vote/", {"value": 1}, format="json")
    assert voted.status_code == 200 and voted.json()["tally"] is None


@pytest.mark.django_db
def test_the_supporter_count_appears_once_the_embargo_ends(client):
    campaign, idea = supported_idea(results_embargo=True)
    Campaign.objects.filter(pk=campaign.pk).update(
        submission_opens_at=past(days=9), submission_closes_at=past(days=2),
        voting_opens_at=past(days=9), voting_closes_at=past(days=1),
    )  # fmt: skip
    page = squeeze(client.get(idea.get_absolute_url()).content.decode())
    assert "Supporter counts are hidden" not in page
    assert '<progress max="5" value="3"' in page


# --- bidirectional controls and invisible characters in titles ----------------------------

RLO_TITLE = "Free \u202egnp.exe\u202c bikes"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        (RLO_TITLE, "Free gnp.exe bikes"),
        ("\u2067Isolate\u2069 and \u200emarks\u200f\u061c", "Isolate and marks"),
        ("Zero\u200bwidth\ufeff word\u2060joiner\u00ad", "Zerowidth wordjoiner"),
        ("Hidden\U000e0041\U000e0042 tags", "Hidden tags"),
        ("Tabs\tand\nnew lines\r\n  and\x00NUL  ", "Tabs and new lines and NUL"),
        ("\u3164", ""),
        ("\u202e\u200b ", ""),
        # Kept: joiners that scripts and emoji need, right-to-left letters themselves.
        ("Family \U0001f468\u200d\U0001f469\u200d\U0001f467", None),
        ("\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645", None),
        ("\u05e9\u05dc\u05d5\u05dd world", None),
        ("Cafe\u0301", "Caf\u00e9"),  # NFC
    ],
)
def test_clean_single_line(raw, clean):
    assert clean_single_line(raw) == (raw if clean is None else clean)


@pytest.mark.django_db
def test_an_idea_title_loses_its_bidi_controls_through_the_page_form(client):
    campaign = CampaignFactory()
    client.force_login(UserFactory())
    response = client.post(
        f"/campaigns/{campaign.slug}/ideas/new/", {"title": RLO_TITLE, "body": "Along the river."}
    )
    assert response.status_code == 302
    idea = Idea.objects.get(campaign=campaign)
    assert idea.title == "Free gnp.exe bikes"
    page = client.get(idea.get_absolute_url()).content.decode()
    assert "\u202e" not in page and "Free gnp.exe bikes" in page


@pytest.mark.django_db
def test_an_idea_title_of_invisible_characters_only_is_refused(client, api_as):
    campaign = CampaignFactory()
    author = UserFactory()
    client.force_login(author)
    response = client.post(
        f"/campaigns/{campaign.slug}/ideas/new/", {"title": "\u202e\u200b\u2066", "body": "Text"}
    )
    assert response.status_code in (200, 400)
    assert "Give your idea a title." in response.content.decode()

    answer = api_as(author).post(
        f"/api/v1/campaigns/{campaign.slug}/ideas/",
        {"title": "\u200f\u200e\u3164", "body": "Text"},
        format="json",
    )
    assert answer.status_code == 400
    assert not Idea.objects.filter(campaign=campaign).exists()


@pytest.mark.django_db
def test_an_idea_title_loses_its_bidi_controls_through_the_api(api_as):
    campaign = CampaignFactory()
    answer = api_as(UserFactory()).post(
        f"/api/v1/campaigns/{campaign.slug}/ideas/",
        {"title": RLO_TITLE, "body": "Along the river."},
        format="json",
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["title"] == "Free gnp.exe bikes"
    assert Idea.objects.get(pk=answer.json()["id"]).title == "Free gnp.exe bikes"


@pytest.mark.django_db
def test_campaign_brand_and_prize_titles_lose_their_bidi_controls():
    owner = BrandMembershipFactory(role="owner").user
    brand = Brand.objects.get(memberships__user=owner)

    draft = draft_create(actor=owner, brand=brand, title=RLO_TITLE)
    assert draft.title == "Free gnp.exe bikes"
    with pytest.raises(ApplicationError):
        draft_create(actor=owner, brand=brand, title="\u202e\u200b")

    brand_update(
        brand=brand, actor=owner, name="Velo\u202e Paris", description="", website="",
        time_zone="Europe/Paris",
    )  # fmt: skip
    brand.refresh_from_db()
    assert brand.name == "Velo Paris"

    campaign_rewards_update(
        campaign=draft, actor=owner, points={"idea_published": 1, "idea_first_vote": 1,
        "comment_posted": 1, "prize": 1}, prizes=[PrizeRow(rank=1, title="\u2066Trip\u2069")],
    )  # fmt: skip
    assert list(CampaignPrize.objects.filter(campaign=draft).values_list("title", flat=True)) == [
        "Trip"
    ]

    campaign = campaign_basics_update(
        campaign=draft, actor=owner, brand=brand, title="\u202dLTR\u202c override"
    )
    assert campaign.title == "LTR override"
