"""The step-by-step campaign builder, through the HTTP client like a browser would (with
and without htmx): each step saves and re-renders, bad input changes nothing, terms are
versioned, dates are entered in the brand's time zone, presets fill defaults, candidates,
launch and who may do what."""

import io
from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from campaigns.models import Campaign, CampaignPrize, CampaignTerms, CampaignTransition
from ideas.models import Idea
from tests.factories import (
    BrandFactory,
    BrandMembershipFactory,
    CampaignFactory,
    CampaignTermsFactory,
    UserFactory,
)
from voting.models import IdeaTally

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "builder-step"}
HTMX_CANDIDATES = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "candidates"}
MISSING = object()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def manager(client):
    membership = BrandMembershipFactory(
        role="manager", brand__name="Velo Paris", brand__time_zone="Europe/Paris"
    )
    client.force_login(membership.user)
    return membership


def png(size=(40, 30), color=(200, 30, 30), name="cover.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def empty_draft(brand, **fields) -> Campaign:
    """A draft as the builder creates it: no schedule yet."""
    values = {
        "brand": brand, "title": "Cleaner streets", "is_published": False,
        "brief": "", "brief_html": "", "submission_opens_at": None,
        "submission_closes_at": None, "voting_opens_at": None, "voting_closes_at": None,
    }  # fmt: skip
    return CampaignFactory(**{**values, **fields})


def ready_draft(brand, **fields) -> Campaign:
    """A draft that can launch: brief, terms, a future schedule."""
    now = timezone.now()
    values = {
        "brand": brand, "title": "Cleaner streets", "is_published": False,
        "submission_opens_at": now + timedelta(days=1),
        "submission_closes_at": now + timedelta(days=15),
        "voting_opens_at": now + timedelta(days=1),
        "voting_closes_at": now + timedelta(days=22),
    }  # fmt: skip
    campaign = CampaignFactory(**{**values, **fields})
    CampaignTermsFactory(campaign=campaign, version=1)
    return campaign


def step_url(campaign, step) -> str:
    return f"/campaigns/{campaign.slug}/build/{step}/"


def snapshot(campaign) -> tuple:
    """Everything a builder request could change."""
    row = Campaign.objects.filter(pk=campaign.pk).values().get()
    row.pop("updated_at")
    return (
        row,
        list(CampaignTerms.objects.filter(campaign=campaign).values_list("version", "ip_terms")),
        list(Idea.objects.filter(campaign=campaign).values_list("pk", "title", "body")),
        list(CampaignPrize.objects.filter(campaign=campaign).values_list("rank", "title")),
        CampaignTransition.objects.filter(campaign=campaign).count(),
    )


def field_errors(response) -> list[str]:
    """The field errors shown (by _form_fields.html and the prize rows)."""
    import re

    return re.findall(r'<p class="field__error" role="alert">(.*?)</p>', response.content.decode())


def local_input(moment: datetime, zone: str) -> str:
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M")


# -- starting a draft ----------------------------------------------------------------------


def test_the_new_campaign_page_is_step_one_with_the_users_brands_and_drafts(client, manager):
    other_brand = BrandFactory(name="Not mine")
    mine = empty_draft(manager.brand, title="My draft")
    scheduled = ready_draft(manager.brand, title="My scheduled one", is_published=True)
    scheduled.state = "scheduled"
    scheduled.save()
    empty_draft(other_brand, title="Someone else's draft")
    BrandMembershipFactory(user=manager.user, brand__name="Analysed", role="analyst")

    response = client.get("/campaigns/new/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 id="step-heading" data-testid="step-heading">New campaign</h1>' in html
    assert f'<option value="{manager.brand.pk}" selected>Velo Paris</option>' in html
    assert ">Analysed</option>" not in html  # an analyst cannot create campaigns there
    assert [draft.title for draft in response.context["drafts"]] == [
        "My scheduled one", "My draft",
    ]  # fmt: skip
    assert f'href="/campaigns/{mine.slug}/build/" data-testid="draft-edit"' in html
    assert "Someone else" not in html


def test_the_drafts_list_costs_a_fixed_number_of_queries(client, manager):
    empty_draft(manager.brand)
    with CaptureQueriesContext(connection) as one:
        client.get("/campaigns/new/")
    for number in range(8):
        empty_draft(manager.brand, title=f"Draft {number}")

    with CaptureQueriesContext(connection) as nine:
        response = client.get("/campaigns/new/")

    assert len(response.context["drafts"]) == 9
    assert len(nine) == len(one)


def test_the_drafts_list_query_budget(client, manager, django_assert_max_num_queries):
    for number in range(5):
        empty_draft(manager.brand, title=f"Draft {number}")
    with django_assert_max_num_queries(11):  # 10, and the header's brand links
        response = client.get("/campaigns/new/")
    assert response.content.decode().count('data-testid="draft"') == 5


def test_a_manager_creates_a_draft_and_continues_to_the_brief(client, manager):
    response = client.post(
        "/campaigns/new/",
        {"brand": manager.brand.pk, "title": "  Cleaner streets ", "cover_image": png()},
    )

    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/campaigns/{campaign.slug}/build/brief/"
    assert (campaign.title, campaign.slug, campaign.state, campaign.is_published) == (
        "Cleaner streets", "cleaner-streets", "draft", False,
    )  # fmt: skip
    assert (campaign.brand_id, campaign.created_by_id) == (manager.brand_id, manager.user_id)
    assert campaign.cover_image.name.startswith("campaigns/")
    assert campaign.cover_image.name.endswith(".png")
    page = client.get(response["Location"])
    assert "Saved: Basics." in page.content.decode()
    assert 'data-testid="step-done-basics"' in page.content.decode()


def test_with_htmx_saving_swaps_in_the_next_step_and_the_nav(client, manager):
    response = client.post("/campaigns/new/", {"brand": manager.brand.pk, "title": "Bikes"}, **HTMX)

    campaign = Campaign.objects.get()
    assert response.status_code == 200
    assert response["HX-Push-Url"] == f"/campaigns/{campaign.slug}/build/brief/"
    html = response.content.decode()
    assert html.startswith('\n<section id="builder-step"') or '<section id="builder-step"' in html
    assert 'data-testid="step-brief"' in html
    assert 'id="builder-nav"' in html and 'hx-swap-oob="true"' in html
    assert "<html" not in html
    assert 'data-testid="step-saved">Saved: Basics.</p>' in html


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"title": "   "}, "This field is required."),
        ({"brand": "nope"},
         "Select a valid choice. That choice is not one of the available choices."),
        ({"cover_image": SimpleUploadedFile("notes.png", b"just text", "image/png")},
         "This file is not an image we can read (JPEG, PNG or WebP)."),
    ],
    ids=["blank-title", "bad-brand", "not-an-image"],
)  # fmt: skip
def test_a_bad_new_draft_is_a_field_error_and_creates_nothing(client, manager, data, error):
    response = client.post("/campaigns/new/", {"brand": manager.brand.pk, "title": "T", **data})

    assert response.status_code == 200
    assert field_errors(response) == [error]
    assert Campaign.objects.count() == 0


def test_a_draft_for_a_brand_where_the_user_is_only_analyst_is_refused(client, manager):
    analysed = BrandMembershipFactory(user=manager.user, role="analyst").brand

    response = client.post("/campaigns/new/", {"brand": analysed.pk, "title": "T"})

    assert response.status_code == 200
    assert field_errors(response) == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    assert Campaign.objects.count() == 0


@pytest.mark.parametrize("role", ["analyst", "moderator"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_only_owners_and_managers_start_drafts(client, role, method):
    membership = BrandMembershipFactory(role=role)
    client.force_login(membership.user)

    response = getattr(client, method)(
        "/campaigns/new/",
        {"brand": membership.brand.pk, "title": "T"} if method == "post" else None,
    )

    assert response.status_code == 403
    assert Campaign.objects.count() == 0


def test_anonymous_visitors_are_sent_to_log_in_from_the_builder(client):
    draft = empty_draft(BrandFactory())
    before = snapshot(draft)

    for url in ["/campaigns/new/", step_url(draft, "basics"), step_url(draft, "preview")]:
        response = client.post(url, {"title": "Hijacked"})
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
    assert snapshot(draft) == before
    assert Campaign.objects.count() == 1


# -- each step saves and re-renders --------------------------------------------------------


def test_basics_saves_title_brand_and_cover_and_shows_the_current_image(client, manager):
    draft = empty_draft(manager.brand)
    second = BrandMembershipFactory(user=manager.user, role="owner", brand__name="Acme").brand

    response = client.post(
        step_url(draft, "basics"),
        {"brand": second.pk, "title": "Greener streets", "cover_image": png()},
    )

    assert response["Location"] == step_url(draft, "brief")
    draft.refresh_from_db()
    assert (draft.title, draft.brand_id, draft.slug) == ("Greener streets", second.pk, draft.slug)
    cover = draft.cover_image.name
    page = client.get(step_url(draft, "basics")).content.decode()
    assert f'src="/media/{cover}"' in page and 'data-testid="current-cover"' in page
    assert 'value="Greener streets"' in page

    client.post(
        step_url(draft, "basics"),
        {"brand": second.pk, "title": "Greener streets", "remove_cover_image": "on"},
    )
    draft.refresh_from_db()
    assert draft.cover_image.name == ""


@pytest.mark.parametrize(
    ("upload", "error"),
    [
        (SimpleUploadedFile("cover.txt", b"hello, not an image", "text/plain"),
         "This file is not an image we can read (JPEG, PNG or WebP)."),
        (SimpleUploadedFile("cover.png", png().read()[:60], "image/png"),
         "This file is not an image we can read (JPEG, PNG or WebP)."),
    ],
    ids=["non-image", "truncated-png"],
)  # fmt: skip
def test_basics_refuses_a_bad_image_and_changes_nothing(client, manager, upload, error):
    draft = empty_draft(manager.brand)
    before = snapshot(draft)

    response = client.post(
        step_url(draft, "basics"),
        {"brand": manager.brand.pk, "title": "Changed", "cover_image": upload},
    )

    assert response.status_code == 200
    assert field_errors(response) == [error]
    assert snapshot(draft) == before


def test_brief_saves_markdown_and_the_preview_shows_it(client, manager):
    draft = empty_draft(manager.brand)

    response = client.post(
        step_url(draft, "brief"), {"brief": "Where should the **next** lane go?"}
    )

    assert response["Location"] == step_url(draft, "rules")
    draft.refresh_from_db()
    assert draft.brief == "Where should the **next** lane go?"
    assert draft.brief_html == "<p>Where should the <strong>next</strong> lane go?</p>"
    page = client.get(step_url(draft, "brief")).content.decode()
    assert ">\nWhere should the **next** lane go?</textarea>" in page
    assert (
        '<div id="preview-brief" class="prose" data-testid="preview-brief" aria-live="polite">'
        "<p>Where should the <strong>next</strong> lane go?</p></div>"
    ) in page
    assert f'hx-post="/campaigns/{draft.slug}/build/markdown-preview/?source=brief"' in page


def test_html_in_markdown_is_escaped_in_the_brief_and_the_live_preview(client, manager):
    draft = empty_draft(manager.brand)
    text = '<script>alert("x")</script> <img src=x onerror=alert(1)>'

    preview = client.post(
        f"/campaigns/{draft.slug}/build/markdown-preview/?source=brief", {"brief": text}
    )
    client.post(step_url(draft, "brief"), {"brief": text})

    expected = '<p>&lt;script&gt;alert("x")&lt;/script&gt; &lt;img src=x onerror=alert(1)&gt;</p>'
    assert preview.content.decode() == expected
    draft.refresh_from_db()
    assert draft.brief_html == expected
    assert "<script>" not in client.get(step_url(draft, "preview")).content.decode()


def test_an_empty_brief_is_a_field_error(client, manager):
    draft = empty_draft(manager.brand, brief="Old", brief_html="<p>Old</p>")
    before = snapshot(draft)

    response = client.post(step_url(draft, "brief"), {"brief": "  "})

    assert field_errors(response) == ["This field is required."]
    assert snapshot(draft) == before


def test_rules_and_eligibility_are_saved(client, manager):
    draft = empty_draft(manager.brand)

    response = client.post(
        step_url(draft, "rules"),
        {
            "rules": "Be *kind*.", "minimum_account_age_days": "30", "is_invitation_only": "on",
            "invited_participants": "  ada@example.org \r\n\r\n@Velo.example\r\n",
        },
    )  # fmt: skip

    assert response["Location"] == step_url(draft, "terms")
    draft.refresh_from_db()
    assert (draft.rules, draft.rules_html) == ("Be *kind*.", "<p>Be <em>kind</em>.</p>")
    assert (draft.minimum_account_age_days, draft.is_invitation_only) == (30, True)
    assert draft.invited_participants == "ada@example.org\n@Velo.example"
    page = client.get(step_url(draft, "rules")).content.decode()
    assert 'name="minimum_account_age_days" value="30"' in page
    assert 'name="is_invitation_only" id="id_is_invitation_only" checked' in page


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"invited_participants": "ada@example.org\nnot an email\n@bad domain"},
         ["Line 2: “not an email” is neither an email address nor an @domain.",
          "Line 3: “@bad domain” is neither an email address nor an @domain."]),
        ({"is_invitation_only": "on", "invited_participants": " "},
         ["List who is invited to an invitation-only campaign."]),
        ({"minimum_account_age_days": "-1"},
         ["Ensure this value is greater than or equal to 0."]),
    ],
    ids=["bad-lines", "invitation-only-without-list", "negative-age"],
)  # fmt: skip
def test_bad_eligibility_is_a_field_error_and_changes_nothing(client, manager, data, errors):
    draft = empty_draft(manager.brand)
    before = snapshot(draft)

    response = client.post(
        step_url(draft, "rules"), {"rules": "New rules", "minimum_account_age_days": "0", **data}
    )

    assert response.status_code == 200
    assert field_errors(response) == errors
    assert snapshot(draft) == before


def test_terms_are_versioned_only_when_their_text_changes(client, manager):
    draft = empty_draft(manager.brand)
    data = {"ip_terms": "You keep the copyright.", "confidentiality": "No secrets."}

    first = client.post(step_url(draft, "terms"), {**data, "is_private": "on"})
    client.post(step_url(draft, "terms"), {**data, "is_private": "on"})  # same text
    client.post(step_url(draft, "terms"), {**data, "ip_terms": "You keep the copyright.\r\n"})

    assert first["Location"] == step_url(draft, "schedule")
    terms = list(CampaignTerms.objects.filter(campaign=draft).values_list("version", "ip_terms"))
    assert terms == [(1, "You keep the copyright.")]
    draft.refresh_from_db()
    assert draft.is_private is False  # the last post left the box unticked

    client.post(step_url(draft, "terms"), {**data, "ip_terms": "The brand owns **everything**."})

    versions = CampaignTerms.objects.filter(campaign=draft).order_by("version")
    assert [(t.version, t.ip_terms) for t in versions] == [
        (1, "You keep the copyright."), (2, "The brand owns **everything**."),
    ]  # fmt: skip
    assert versions[1].ip_terms_html == "<p>The brand owns <strong>everything</strong>.</p>"
    assert (versions[1].confidentiality, versions[1].created_by_id) == (
        "No secrets.", manager.user_id,
    )  # fmt: skip
    page = client.get(step_url(draft, "terms")).content.decode()
    assert '<p data-testid="terms-version">Version 2</p>' in page
    assert ">\nThe brand owns **everything**.</textarea>" in page


def test_terms_without_ip_terms_are_refused(client, manager):
    draft = empty_draft(manager.brand)

    response = client.post(step_url(draft, "terms"), {"ip_terms": "", "is_private": "on"})

    assert field_errors(response) == ["This field is required."]
    assert CampaignTerms.objects.count() == 0
    draft.refresh_from_db()
    assert draft.is_private is False


def test_the_schedule_is_entered_in_the_brands_time_zone(client, manager):
    draft = empty_draft(manager.brand)  # Europe/Paris: UTC+1 in winter

    response = client.post(
        step_url(draft, "schedule"),
        {
            "submission_opens_at": "2027-01-15T09:00", "submission_closes_at": "2027-01-29T18:30",
            "voting_opens_at": "2027-01-15T09:00", "voting_closes_at": "2027-02-05T09:00",
            "results_at": "2027-02-10T12:00",
        },
    )  # fmt: skip

    assert response["Location"] == step_url(draft, "format")
    draft.refresh_from_db()
    assert draft.submission_opens_at == datetime(2027, 1, 15, 8, 0, tzinfo=UTC)
    assert draft.submission_closes_at == datetime(2027, 1, 29, 17, 30, tzinfo=UTC)
    assert draft.voting_closes_at == datetime(2027, 2, 5, 8, 0, tzinfo=UTC)
    assert draft.results_at == datetime(2027, 2, 10, 11, 0, tzinfo=UTC)
    page = client.get(step_url(draft, "schedule")).content.decode()
    assert 'name="submission_opens_at" value="2027-01-15T09:00"' in page
    assert 'name="submission_closes_at" value="2027-01-29T18:30"' in page
    assert "Dates and times are in Europe/Paris, the brand's time zone." in page


def test_another_brand_time_zone_is_used_both_ways(client, manager):
    manager.brand.time_zone = "America/New_York"
    manager.brand.save()
    draft = empty_draft(manager.brand)

    client.post(
        step_url(draft, "schedule"),
        {
            "submission_opens_at": "2027-01-15T09:00", "submission_closes_at": "2027-01-20T09:00",
            "voting_opens_at": "2027-01-15T09:00", "voting_closes_at": "2027-01-25T09:00",
        },
    )  # fmt: skip

    draft.refresh_from_db()
    assert draft.submission_opens_at == datetime(2027, 1, 15, 14, 0, tzinfo=UTC)
    assert draft.results_at is None
    preview = client.get(step_url(draft, "preview")).content.decode()
    assert "15 Jan 2027 09:00 → 20 Jan 2027 09:00" in preview
    assert "Times in America/New_York." in preview


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        ({"voting_opens_at": "2027-02-05T09:00", "voting_closes_at": "2027-02-01T09:00"},
         {"voting_closes_at": "The voting window ends before it starts."}),
        ({"submission_opens_at": "2027-01-20T09:00", "submission_closes_at": "2027-01-16T09:00",
          "voting_opens_at": "2027-01-20T09:00"},
         {"submission_closes_at": "The submission window ends before it starts."}),
        ({"results_at": "2027-01-01T09:00"},
         {"results_at": "Results cannot be published before voting closes."}),
        ({"voting_opens_at": "2020-01-01T09:00", "voting_closes_at": "2020-01-09T09:00",
          "submission_opens_at": "2020-01-01T09:00", "submission_closes_at": "2020-01-05T09:00"},
         {"voting_closes_at": "The voting window is already over."}),
        ({"voting_closes_at": "soon"}, {"voting_closes_at": "Enter a valid date/time."}),
        ({"submission_opens_at": ""}, {"submission_opens_at": "This field is required."}),
    ],
    ids=["voting-ends-before-start", "submission-ends-before-start", "results-before-close",
         "already-over", "malformed", "missing"],
)  # fmt: skip
def test_an_impossible_schedule_shows_the_problem_on_its_field(client, manager, overrides, errors):
    draft = empty_draft(manager.brand)
    before = snapshot(draft)
    data = {
        "submission_opens_at": "2027-01-15T09:00", "submission_closes_at": "2027-01-29T09:00",
        "voting_opens_at": "2027-01-15T09:00", "voting_closes_at": "2027-02-05T09:00",
        **overrides,
    }  # fmt: skip

    response = client.post(step_url(draft, "schedule"), data)

    assert response.status_code == 200
    form = response.context["form"]
    assert {field: messages[0] for field, messages in form.errors.items()} == errors
    assert snapshot(draft) == before


def test_an_election_with_the_brands_candidates_has_no_submission_window(client, manager):
    draft = empty_draft(manager.brand, voting_method="single")

    page = client.get(step_url(draft, "schedule")).content.decode()
    response = client.post(
        step_url(draft, "schedule"),
        {
            "submission_opens_at": "2027-01-01T09:00", "submission_closes_at": "2027-01-02T09:00",
            "voting_opens_at": "2027-01-15T09:00", "voting_closes_at": "2027-02-05T09:00",
        },
    )  # fmt: skip

    assert 'name="submission_opens_at"' not in page
    assert 'data-testid="no-submission-window"' in page
    assert response["Location"] == step_url(draft, "format")
    draft.refresh_from_db()
    assert (draft.submission_opens_at, draft.submission_closes_at) == (None, None)
    assert draft.voting_opens_at == datetime(2027, 1, 15, 8, 0, tzinfo=UTC)


def test_format_settings_are_saved(client, manager):
    draft = empty_draft(manager.brand)

    response = client.post(
        step_url(draft, "format"),
        {
            "voting_method": "support", "ranked_method": "schulze", "candidates_from": "crowd",
            "support_stages": "50/30, 500 / 90", "results_embargo": "on",
        },
    )  # fmt: skip

    assert response["Location"] == step_url(draft, "moderation")  # candidates: not needed
    draft.refresh_from_db()
    assert (draft.voting_method, draft.support_stages, draft.results_embargo) == (
        "support", [[50, 30], [500, 90]], True,
    )  # fmt: skip
    page = client.get(step_url(draft, "format")).content.decode()
    assert 'value="50/30, 500/90"' in page


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"voting_method": "support", "support_stages": "100, 1000/365"},
         {"support_stages": "Every supporter threshold needs a deadline: “100” has no days. "
                            "Write supporters/days, for example 100/60."}),
        ({"voting_method": "support", "support_stages": "100/0"},
         {"support_stages": "Every supporter threshold needs a deadline of at least one day "
                            "(“100/0”)."}),
        ({"voting_method": "support", "support_stages": ""},
         {"support_stages": "A supporter-threshold campaign needs stages."}),
        ({"voting_method": "support", "support_stages": "1000/30, 100/30"},
         {"support_stages": "Each stage needs more supporters than the last."}),
        ({"voting_method": "budget"}, {"budget_amount": "A budget campaign needs a budget."}),
        ({"voting_method": "updown", "candidates_from": "brand"},
         {"candidates_from": "Only an election (single, approval or ranked) takes candidates "
                             "from the brand."}),
        ({"voting_method": "bogus"},
         {"voting_method": "Select a valid choice. bogus is not one of the available choices."}),
    ],
    ids=["threshold-without-days", "zero-days", "no-stages", "decreasing", "budget-without-amount",
         "brand-candidates-not-election", "bad-method"],
)  # fmt: skip
def test_a_bad_format_is_a_field_error_and_changes_nothing(client, manager, data, errors):
    draft = empty_draft(manager.brand)
    before = snapshot(draft)

    response = client.post(
        step_url(draft, "format"),
        {"ranked_method": "schulze", "candidates_from": "crowd", **data},
    )

    assert response.status_code == 200
    assert {field: messages[0] for field, messages in response.context["form"].errors.items()} == (
        errors
    )
    assert snapshot(draft) == before


def test_moderation_is_saved(client, manager):
    draft = empty_draft(manager.brand)

    response = client.post(step_url(draft, "moderation"), {"moderation": "pre"})
    refused = client.post(step_url(draft, "moderation"), {"moderation": "none"})

    assert response["Location"] == step_url(draft, "rewards")
    assert refused.status_code == 200
    assert field_errors(refused) == [
        "Select a valid choice. none is not one of the available choices."
    ]
    draft.refresh_from_db()
    assert draft.moderation == "pre"


def rewards_data(rows, **points) -> dict:
    data = {
        "points_idea_published": "15", "points_idea_first_vote": "3", "points_comment_posted": "0",
        "prizes-TOTAL_FORMS": str(len(rows)), "prizes-INITIAL_FORMS": "0",
        "prizes-MIN_NUM_FORMS": "0", "prizes-MAX_NUM_FORMS": "50",
    }  # fmt: skip
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"prizes-{index}-{key}"] = value
    return {**data, **points}


def test_rewards_set_points_and_prizes(client, manager):
    draft = empty_draft(manager.brand)
    CampaignPrize.objects.create(campaign=draft, rank=5, title="Old prize")

    response = client.post(
        step_url(draft, "rewards"),
        rewards_data([
            {"rank": "2", "title": "A bike", "description": "City bike"},
            {"rank": "", "title": "", "description": ""},
            {"rank": "1", "title": "A trip"},
        ]),
    )  # fmt: skip

    assert response["Location"] == step_url(draft, "preview")
    draft.refresh_from_db()
    assert draft.points == {"idea_published": 15, "idea_first_vote": 3, "comment_posted": 0}
    prizes = CampaignPrize.objects.filter(campaign=draft).order_by("rank")
    assert [(p.rank, p.title, p.description) for p in prizes] == [
        (1, "A trip", ""), (2, "A bike", "City bike"),
    ]  # fmt: skip
    page = client.get(step_url(draft, "rewards")).content.decode()
    assert 'name="prizes-0-title" value="A trip"' in page
    assert 'name="points_idea_published" value="15"' in page
    assert page.count('data-testid="prize-row"') == 4  # two prizes and two empty rows


@pytest.mark.parametrize(
    ("rows", "points", "error"),
    [
        ([{"rank": "1", "title": "A"}, {"rank": "1", "title": "B"}], {},
         "Two prizes have the same rank."),
        ([{"rank": "1", "title": ""}], {}, "Name the prize."),
        ([{"rank": "0", "title": "Zero"}], {}, "Ensure this value is greater than or equal to 1."),
        ([], {"points_comment_posted": "-5"}, "Ensure this value is greater than or equal to 0."),
    ],
    ids=["same-rank", "no-title", "rank-zero", "negative-points"],
)  # fmt: skip
def test_bad_rewards_change_nothing(client, manager, rows, points, error):
    draft = empty_draft(manager.brand)
    before = snapshot(draft)

    response = client.post(step_url(draft, "rewards"), rewards_data(rows, **points))

    assert response.status_code == 200
    assert error in response.content.decode()
    assert snapshot(draft) == before


# -- presets -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("preset", "expected", "accepts_ideas", "prizes"),
    [
        ("idea_challenge", {"voting_method": "updown", "moderation": "post"}, True, []),
        ("supporter_threshold",
         {"voting_method": "support", "support_stages": [[100, 60], [1000, 365], [5000, 180],
                                                         [10000, 180]]}, True, []),
        ("election", {"voting_method": "single", "ranked_method": "schulze"}, False, []),
        ("creative_contest", {"voting_method": "contest", "moderation": "pre",
                              "results_embargo": True}, True,
         ["First prize", "Second prize", "Third prize"]),
        ("pairwise", {"voting_method": "pairwise"}, True, []),
        ("budget", {"voting_method": "budget", "budget_amount": 100000}, True, []),
    ],
)  # fmt: skip
def test_a_preset_fills_the_defaults_and_stays_on_the_format_step(
    client, manager, preset, expected, accepts_ideas, prizes
):
    draft = empty_draft(manager.brand, moderation="pre" if preset != "creative_contest" else "post")

    response = client.post(step_url(draft, "format"), {"preset": preset}, **HTMX)

    assert response.status_code == 200
    assert 'data-testid="step-format"' in response.content.decode()
    assert "Format applied" in response.content.decode()
    draft.refresh_from_db()
    assert {name: getattr(draft, name) for name in expected} == expected
    assert draft.accepts_ideas is accepts_ideas
    assert draft.voting_opens_at is not None and draft.voting_closes_at > draft.voting_opens_at
    assert draft.voting_closes_at > timezone.now()
    assert draft.points["idea_published"] >= 0
    assert list(draft.prizes.order_by("rank").values_list("title", flat=True)) == prizes
    if preset == "idea_challenge":
        assert draft.moderation == "post"
        assert draft.voting_opens_at == draft.submission_opens_at  # ideas and votes overlap
        assert draft.voting_closes_at - draft.submission_opens_at == timedelta(days=35)


def test_a_preset_keeps_a_schedule_already_entered(client, manager):
    draft = ready_draft(manager.brand)
    dates = (draft.submission_opens_at, draft.voting_opens_at, draft.voting_closes_at)

    client.post(step_url(draft, "format"), {"preset": "budget"})

    draft.refresh_from_db()
    assert (draft.submission_opens_at, draft.voting_opens_at, draft.voting_closes_at) == dates
    assert (draft.voting_method, draft.budget_amount) == ("budget", 100000)


def test_an_unknown_preset_changes_nothing(client, manager):
    draft = empty_draft(manager.brand)
    before = snapshot(draft)

    response = client.post(step_url(draft, "format"), {"preset": "lottery"})

    assert response.status_code == 400
    assert "Choose one of the formats." in response.content.decode()
    assert snapshot(draft) == before


def test_choosing_crowd_ideas_for_an_election_gives_it_a_submission_window(client, manager):
    draft = empty_draft(manager.brand)
    client.post(step_url(draft, "format"), {"preset": "election"})
    draft.refresh_from_db()
    assert not draft.accepts_ideas

    client.post(
        step_url(draft, "format"),
        {"voting_method": "ranked", "ranked_method": "irv", "candidates_from": "crowd"},
    )

    draft.refresh_from_db()
    assert (draft.voting_method, draft.ranked_method) == ("ranked", "irv")
    assert (draft.submission_opens_at, draft.submission_closes_at) == (
        draft.voting_opens_at, draft.voting_closes_at,
    )  # fmt: skip


# -- candidates ----------------------------------------------------------------------------


@pytest.fixture
def election(manager):
    now = timezone.now()
    return ready_draft(
        manager.brand, voting_method="approval", submission_opens_at=None,
        submission_closes_at=None, voting_opens_at=now + timedelta(days=7),
        voting_closes_at=now + timedelta(days=21),
    )  # fmt: skip


def test_candidates_are_added_edited_and_removed(client, manager, election):
    add_url = f"/campaigns/{election.slug}/build/candidates/add/"

    added = client.post(
        add_url,
        {"title": "Vanilla", "description": "The *classic*.", "image": png(name="v.png")},
        **HTMX_CANDIDATES,
    )
    client.post(add_url, {"title": "Pistachio", "description": ""})

    assert added.status_code == 200
    assert 'data-testid="candidate-title">Vanilla</strong>' in added.content.decode()
    vanilla, pistachio = Idea.objects.filter(campaign=election).order_by("id")
    assert (vanilla.title, vanilla.body_html, vanilla.author_id, vanilla.status) == (
        "Vanilla", "<p>The <em>classic</em>.</p>", manager.user_id, "published",
    )  # fmt: skip
    assert vanilla.is_candidate and pistachio.is_candidate
    assert vanilla.image.name.startswith("ideas/") and pistachio.image.name == ""
    assert IdeaTally.objects.filter(idea__in=[vanilla, pistachio], campaign=election).count() == 2

    edit_url = f"/campaigns/{election.slug}/build/candidates/{vanilla.pk}/edit/"
    form = client.get(edit_url, **HTMX_CANDIDATES)
    assert 'data-testid="candidate-edit-form"' in form.content.decode()
    assert 'value="Vanilla"' in form.content.decode()
    edited = client.post(
        edit_url, {"title": "Vanilla bean", "description": "", "remove_image": "on"}
    )
    assert edited["Location"] == step_url(election, "candidates")
    vanilla.refresh_from_db()
    assert (vanilla.title, vanilla.body, vanilla.image.name) == ("Vanilla bean", "", "")

    removed = client.post(
        f"/campaigns/{election.slug}/build/candidates/{pistachio.pk}/remove/", **HTMX_CANDIDATES
    )
    assert removed.status_code == 200
    assert list(Idea.objects.filter(campaign=election).values_list("title", flat=True)) == [
        "Vanilla bean"
    ]
    assert not IdeaTally.objects.filter(idea_id=pistachio.pk).exists()
    page = client.get(step_url(election, "candidates")).content.decode()
    assert page.count('data-testid="candidate"') == 1


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"title": " "}, "This field is required."),
        ({"title": "X", "image": SimpleUploadedFile("x.gif", b"GIF89a-broken", "image/gif")},
         "This file is not an image we can read (JPEG, PNG or WebP)."),
    ],
    ids=["no-title", "bad-image"],
)  # fmt: skip
def test_a_bad_candidate_is_refused(client, manager, election, data, error):
    response = client.post(f"/campaigns/{election.slug}/build/candidates/add/", data)

    assert response.status_code == 200
    assert field_errors(response) == [error]
    assert Idea.objects.count() == 0


def test_a_campaign_with_crowd_ideas_takes_no_candidates(client, manager):
    draft = ready_draft(manager.brand)

    page = client.get(step_url(draft, "candidates")).content.decode()
    response = client.post(f"/campaigns/{draft.slug}/build/candidates/add/", {"title": "X"})

    assert 'data-testid="candidates-not-needed"' in page
    assert 'data-testid="nav-step-candidates"' in page and "(not needed)" in page
    assert response.status_code == 409
    assert (
        'data-testid="step-error">Only an election without crowd submissions takes candidates.'
    ) in response.content.decode()
    assert Idea.objects.count() == 0


def test_the_candidate_step_follows_the_format_step_of_an_election(client, manager, election):
    response = client.post(
        step_url(election, "format"),
        {"voting_method": "approval", "ranked_method": "schulze", "candidates_from": "brand",
         "max_votes_per_voter": "2"},
    )  # fmt: skip

    assert response["Location"] == step_url(election, "candidates")
    election.refresh_from_db()
    assert election.max_votes_per_voter == 2


# -- preview and launch --------------------------------------------------------------------


def test_the_preview_shows_the_campaign_and_launch_refuses_without_terms(client, manager):
    draft = ready_draft(manager.brand, brief="Make **bikes** safe.")
    CampaignTerms.objects.filter(campaign=draft).delete()
    CampaignPrize.objects.create(campaign=draft, rank=1, title="A bike")

    page = client.get(step_url(draft, "preview"))
    response = client.post(step_url(draft, "preview"))

    html = page.content.decode()
    assert 'data-testid="campaign-preview"' in html
    assert "<p>Make <strong>bikes</strong> safe.</p>" in html
    assert "A bike" in html
    assert (
        f'<li data-testid="launch-problem" data-field="terms"><a href="/campaigns/{draft.slug}'
        '/build/terms/#id_terms">Set the IP and confidentiality terms contributors must accept.'
        "</a></li>"
    ) in html
    assert 'data-testid="launch" disabled' in html
    assert response.status_code == 400
    assert (
        'data-testid="step-error">Set the IP and confidentiality terms contributors must '
        "accept.</p>"
    ) in response.content.decode()
    draft.refresh_from_db()
    assert (draft.state, draft.is_published) == ("draft", False)
    assert CampaignTransition.objects.count() == 0


def test_launch_is_refused_when_the_voting_window_is_over(client, manager):
    # The database itself refuses a voting window that ends before it starts (a check
    # constraint), so the schedule step catches that one (see above); a stored window
    # can still be over by the time of the launch.
    now = timezone.now()
    draft = ready_draft(
        manager.brand, submission_opens_at=now - timedelta(days=9),
        submission_closes_at=now - timedelta(days=5), voting_opens_at=now - timedelta(days=9),
        voting_closes_at=now - timedelta(days=1),
    )  # fmt: skip

    response = client.post(step_url(draft, "preview"), **HTMX)

    assert response.status_code == 400
    assert 'data-testid="step-error">The voting window is already over.</p>' in (
        response.content.decode()
    )
    assert 'data-field="voting_closes_at"' in response.content.decode()
    draft.refresh_from_db()
    assert draft.state == "draft"
    assert CampaignTransition.objects.count() == 0


def test_a_voting_window_ending_before_it_starts_cannot_even_be_stored():
    """Why the launch never meets it: the schedule step refuses it (above) and so does the
    database."""
    from django.db import IntegrityError, transaction

    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        CampaignFactory(voting_opens_at=now + timedelta(days=5), voting_closes_at=now)


def test_launch_is_refused_for_a_threshold_without_a_deadline(client, manager):
    draft = ready_draft(manager.brand, voting_method="support", support_stages=[[100, 0]])

    page = client.get(step_url(draft, "preview")).content.decode()
    response = client.post(step_url(draft, "preview"))

    message = "Every supporter threshold needs a deadline (days to reach it)."
    assert (
        f'data-field="support_stages"><a href="/campaigns/{draft.slug}/build/format/'
        f'#id_support_stages">{message}</a>'
    ) in page
    assert response.status_code == 400
    assert f'data-testid="step-error">{message}</p>' in response.content.decode()
    draft.refresh_from_db()
    assert draft.state == "draft"


def test_a_complete_draft_launches_and_is_scheduled(client, manager):
    draft = ready_draft(manager.brand)
    draft.submission_opens_at = datetime(2027, 1, 15, 8, 0, tzinfo=UTC)
    draft.voting_opens_at = datetime(2027, 1, 15, 8, 0, tzinfo=UTC)
    draft.submission_closes_at = datetime(2027, 1, 29, 8, 0, tzinfo=UTC)
    draft.voting_closes_at = datetime(2027, 2, 5, 8, 0, tzinfo=UTC)
    draft.save()

    page = client.get(step_url(draft, "preview")).content.decode()
    response = client.post(step_url(draft, "preview"))

    assert 'data-testid="ready"' in page
    assert 'data-testid="launch">' in page  # enabled
    assert response.status_code == 302
    assert response["Location"] == f"/campaigns/{draft.slug}/"
    draft.refresh_from_db()
    assert (draft.state, draft.is_published) == ("scheduled", True)
    transition = CampaignTransition.objects.get(campaign=draft)
    assert (transition.from_state, transition.to_state, transition.cause, transition.actor_id) == (
        "draft", "scheduled", "person", manager.user_id,
    )  # fmt: skip
    landing = client.get(response["Location"]).content.decode()
    assert "Scheduled: opens for ideas on 15 January 2027, 09:00 (Europe/Paris)." in landing


def test_launch_with_htmx_redirects_the_browser(client, manager):
    draft = ready_draft(manager.brand, voting_method="single", submission_opens_at=None,
                        submission_closes_at=None)  # fmt: skip
    for title in ("A", "B"):
        client.post(f"/campaigns/{draft.slug}/build/candidates/add/", {"title": title})

    response = client.post(step_url(draft, "preview"), **HTMX)

    assert response.status_code == 200
    assert response["HX-Redirect"] == f"/campaigns/{draft.slug}/"
    draft.refresh_from_db()
    assert draft.state == "scheduled"
    assert "Scheduled: voting opens on" in client.get(f"/campaigns/{draft.slug}/").content.decode()


def test_a_draft_whose_dates_have_come_is_open_at_once(client, manager):
    draft = ready_draft(manager.brand, submission_opens_at=timezone.now() - timedelta(hours=1),
                        voting_opens_at=timezone.now() - timedelta(hours=1))  # fmt: skip

    response = client.post(step_url(draft, "preview"))

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.state == "submission"
    assert list(
        CampaignTransition.objects.filter(campaign=draft).values_list("to_state", flat=True)
    ) == ["scheduled", "submission"]


def test_a_scheduled_campaign_is_still_edited_but_not_launched_again(client, manager):
    draft = ready_draft(manager.brand)
    client.post(step_url(draft, "preview"))
    draft.refresh_from_db()
    assert draft.state == "scheduled"

    edited = client.post(step_url(draft, "brief"), {"brief": "A better brief."})
    again = client.post(step_url(draft, "preview"))

    assert edited.status_code == 302
    draft.refresh_from_db()
    assert draft.brief == "A better brief."
    assert again.status_code == 409
    assert "This campaign has already been launched." in again.content.decode()
    assert CampaignTransition.objects.filter(campaign=draft).count() == 1


def test_an_open_campaign_is_not_edited_by_the_builder(client, manager):
    running = CampaignFactory(brand=manager.brand)  # open for ideas and votes
    before = snapshot(running)

    response = client.post(step_url(running, "brief"), {"brief": "Changed"})

    assert response.status_code == 403
    assert snapshot(running) == before


# -- the whole walk, clicking "Save and continue" ------------------------------------------


def test_every_step_is_reached_by_save_and_continue(client, manager):
    response = client.post(
        "/campaigns/new/", {"brand": manager.brand.pk, "title": "Vote the flavour"}, follow=True
    )
    campaign = Campaign.objects.get()
    steps = [response.context["step"]]
    now = timezone.now()
    posts = {
        "brief": {"brief": "Which flavour next?"},
        "rules": {"rules": "", "minimum_account_age_days": "0"},
        "terms": {"ip_terms": "The brand may produce the winner."},
        "schedule": {
            "submission_opens_at": local_input(now + timedelta(days=1), "Europe/Paris"),
            "submission_closes_at": local_input(now + timedelta(days=5), "Europe/Paris"),
            "voting_opens_at": local_input(now + timedelta(days=6), "Europe/Paris"),
            "voting_closes_at": local_input(now + timedelta(days=20), "Europe/Paris"),
        },
        "format": {"voting_method": "ranked", "ranked_method": "irv", "candidates_from": "brand"},
        "candidates": {},
        "moderation": {"moderation": "post"},
        "rewards": rewards_data([{"rank": "1", "title": "A year of ice cream"}]),
    }
    while response.context["step"] != "preview":
        step = response.context["step"]
        if step == "candidates":
            for title in ("Mango", "Sesame"):
                client.post(f"/campaigns/{campaign.slug}/build/candidates/add/", {"title": title})
        response = client.post(step_url(campaign, step), posts[step], follow=True)
        assert response.status_code == 200, response.context["form"].errors
        steps.append(response.context["step"])

    assert steps == [
        "brief", "rules", "terms", "schedule", "format", "candidates", "moderation", "rewards",
        "preview",
    ]  # fmt: skip
    assert response.context["problems"] == []
    steps_done = {step.key for step in response.context["steps"] if step.is_complete}
    assert steps_done >= {"basics", "brief", "terms", "schedule", "format", "candidates"}
    launched = client.post(step_url(campaign, "preview"), follow=True)
    campaign.refresh_from_db()
    assert (campaign.state, campaign.voting_method, campaign.ranked_method) == (
        "scheduled", "ranked", "irv",
    )  # fmt: skip
    assert campaign.accepts_ideas is False
    assert "Scheduled: voting opens on" in launched.content.decode()


# -- who may -------------------------------------------------------------------------------


def builder_requests(campaign, candidate):
    """Every kind of builder request, as (method, url, data)."""
    slug = campaign.slug
    return [
        ("get", step_url(campaign, "basics"), None),
        ("post", step_url(campaign, "basics"), {"brand": campaign.brand_id, "title": "Hijacked"}),
        ("post", step_url(campaign, "brief"), {"brief": "Hijacked"}),
        ("post", step_url(campaign, "terms"), {"ip_terms": "We own it all."}),
        ("post", step_url(campaign, "format"), {"preset": "budget"}),
        ("post", step_url(campaign, "preview"), {}),
        ("get", f"/campaigns/{slug}/build/", None),
        ("post", f"/campaigns/{slug}/build/markdown-preview/?source=brief", {"brief": "x"}),
        ("post", f"/campaigns/{slug}/build/candidates/add/", {"title": "Hijacked"}),
        ("post", f"/campaigns/{slug}/build/candidates/{candidate.pk}/edit/", {"title": "Hijacked"}),
        ("post", f"/campaigns/{slug}/build/candidates/{candidate.pk}/remove/", {}),
    ]


def election_draft_with_candidate(brand):
    campaign = ready_draft(
        brand, voting_method="single", submission_opens_at=None, submission_closes_at=None
    )
    candidate = Idea.objects.create(
        campaign=campaign, author=UserFactory(), title="Vanilla", body="", content_hash="0" * 64,
        is_candidate=True,
    )  # fmt: skip
    return campaign, candidate


@pytest.mark.parametrize(
    ("who", "status"),
    [("analyst", 403), ("moderator", 403), ("other_owner", 404), ("contributor", 404),
     ("unverified_manager", 403)],
)  # fmt: skip
def test_who_may_not_edit_a_draft_gets_404_or_403_and_nothing_changes(client, who, status):
    brand = BrandFactory()
    campaign, candidate = election_draft_with_candidate(brand)
    if who in ("analyst", "moderator"):
        user = BrandMembershipFactory(brand=brand, role=who).user
    elif who == "other_owner":
        user = BrandMembershipFactory(role="owner").user
    elif who == "unverified_manager":
        user = BrandMembershipFactory(brand=brand, role="manager", user__verified=False).user
    else:
        user = UserFactory()
    client.force_login(user)
    before = snapshot(campaign)

    for method, url, data in builder_requests(campaign, candidate):
        response = getattr(client, method)(url, data)
        assert response.status_code == status, (method, url)

    assert snapshot(campaign) == before


def test_another_brands_owner_gets_403_on_a_scheduled_campaign(client):
    campaign, candidate = election_draft_with_candidate(BrandFactory())
    Campaign.objects.filter(pk=campaign.pk).update(state="scheduled", is_published=True)
    client.force_login(BrandMembershipFactory(role="owner").user)
    before = snapshot(campaign)

    for method, url, data in builder_requests(campaign, candidate):
        assert getattr(client, method)(url, data).status_code == 403, (method, url)

    assert snapshot(campaign) == before


def test_an_unknown_step_or_campaign_is_404(client, manager):
    draft = empty_draft(manager.brand)

    assert client.get(step_url(draft, "payment")).status_code == 404
    assert client.get("/campaigns/nope/build/basics/").status_code == 404
    assert (
        client.post(f"/campaigns/{draft.slug}/build/markdown-preview/?source=title").status_code
        == 400
    )


def test_the_owner_of_the_brand_may_build_too(client):
    membership = BrandMembershipFactory(role="owner")
    client.force_login(membership.user)
    draft = empty_draft(membership.brand)

    response = client.post(step_url(draft, "brief"), {"brief": "By the owner."})

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.brief == "By the owner."
