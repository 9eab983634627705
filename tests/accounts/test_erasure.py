"""Erasure and export of an account (issue 8, item 7): a contributor downloads their data
and deletes their account; personal data goes, contributions stay under a pseudonym, and
no tally, result or audit digest changes. Public names never come from the email."""

import json

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from accounts import selectors, services
from accounts.models import ApiToken, User
from accounts.tokens import api_token_create
from brands import team
from brands.models import BrandInvitation, BrandMembership
from campaigns.models import CampaignFollow, TermsAcceptance
from campaigns.services import campaign_follow_set
from core.errors import Conflict, NotAllowed
from ideas.services import comment_post, idea_submit
from notifications.models import Notification
from notifications.services import notification_create
from rewards.models import LedgerEntry
from tests.factories import (
    PASSWORD,
    BrandFactory,
    BrandMembershipFactory,
    CampaignFactory,
    CampaignTermsFactory,
    IdeaFactory,
    UserFactory,
)
from tests.support.schedule import close_voting
from voting import ballots, pairwise
from voting.models import Ballot, CampaignResult, IdeaTally, PairwisePrompt, Vote
from voting.results import (
    audit_digest,
    audit_entries,
    compute_result,
    result_compute,
    results_finalize_due,
    voter_receipt,
)
from voting.services import vote_cast
from voting.tally import tally_recompute

pytestmark = pytest.mark.django_db

Role = BrandMembership.Role


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world():
    """One contributor, Zéphyrine, active everywhere: ideas (with accepted terms and
    points), a comment, votes in an up/down campaign and ballots in an approval campaign
    (both closed with a final result and its digest), a pairwise answer in a live
    campaign, a follow, a notification, an API token, a role in a brand (which has another
    owner) and a pending invitation. Other people vote too."""
    person = UserFactory(
        email="zephyrine.quatremare@example.org",
        display_name="Zéphyrine Quatremare",
        first_name="Zéphyrine",
        last_name="Quatremare",
    )
    EmailAddress.objects.create(user=person, email="zq@second.example", verified=True)
    others = [UserFactory() for _ in range(3)]

    updown = CampaignFactory(title="Up and down")
    CampaignTermsFactory(campaign=updown)
    own_idea = idea_submit(
        author=person, campaign=updown, title="Night buses", body="Every 20 min.",
        accept_terms=True,
    )  # fmt: skip
    other_ideas = [IdeaFactory(campaign=updown, author=other) for other in others]
    comment = comment_post(idea=other_ideas[0], author=person, body="Yes, *and* trams.")
    for idea in other_ideas[:2]:
        vote_cast(voter=person, idea=idea, value=1)
    vote_cast(voter=person, idea=other_ideas[2], value=-1)
    for index, other in enumerate(others):
        vote_cast(voter=other, idea=own_idea, value=1 if index else -1)

    approval = CampaignFactory(voting_method="approval", max_votes_per_voter=2)
    candidates = [IdeaFactory(campaign=approval) for _ in range(3)]
    ballot = ballots.ballot_submit(
        voter=person, campaign=approval, choices=[candidates[0].pk, candidates[2].pk]
    )
    for index, other in enumerate(others):
        ballots.ballot_submit(voter=other, campaign=approval, choices=[candidates[index].pk])

    pairs = CampaignFactory(voting_method="pairwise")
    for _ in range(3):
        IdeaFactory(campaign=pairs)
    prompt = pairwise.pairwise_issue(voter=person, campaign=pairs)
    pairwise.pairwise_answer(voter=person, token=prompt.token, outcome="left")
    other_prompt = pairwise.pairwise_issue(voter=others[0], campaign=pairs)
    pairwise.pairwise_answer(voter=others[0], token=other_prompt.token, outcome="right")

    tally_recompute(idea_ids=list(IdeaTally.objects.values_list("idea_id", flat=True)))
    result_compute(campaign=pairs)  # the live result (and the pairwise tallies)
    close_voting(updown)
    close_voting(approval)
    assert results_finalize_due() == 2

    brand = BrandFactory(name="Maison Claire")
    BrandMembershipFactory(brand=brand, user=others[0], role=Role.OWNER)
    BrandMembershipFactory(brand=brand, user=person, role=Role.MANAGER)
    other_brand = BrandFactory()
    owner_of_other = BrandMembershipFactory(brand=other_brand, role=Role.OWNER).user
    invitation = team.invitation_create(
        brand=other_brand, email="zq@second.example", role=Role.ANALYST, invited_by=owner_of_other
    )
    campaign_follow_set(campaign=pairs, user=person, following=True)
    notification_create(
        recipient=person, kind="idea_approved", event_key="test:1", params={"title": "Night buses"}
    )
    token, secret = api_token_create(user=person, name="my script")
    person.groups.add(Group.objects.get_or_create(name="Moderators")[0])

    return {
        "person": person, "others": others, "own_idea": own_idea, "comment": comment,
        "ballot": ballot, "prompt": prompt, "campaigns": [updown, approval, pairs],
        "brand": brand, "invitation": invitation, "token": token, "secret": secret,
    }  # fmt: skip


def figures(campaigns) -> dict:
    """Every number a voter, a brand or an auditor can see or recompute."""
    tallies = {
        row.pop("idea_id"): row
        for row in IdeaTally.objects.values(
            "idea_id", "upvotes", "downvotes", "score", "wilson_lower_bound", "rating_sum",
            "method_score", "support_stage", "highest_milestone",
        )
    }  # fmt: skip
    results = {
        result.campaign_id: (
            result.ranking,
            result.details,
            result.ballot_count,
            result.digest,
            result.is_final,
        )
        for result in CampaignResult.objects.all()
    }
    audits = {}
    for campaign in campaigns:
        entries = audit_entries(campaign=campaign)
        ranking, details, counted = compute_result(campaign=campaign, entries=entries)
        audits[campaign.pk] = (audit_digest(entries), ranking, details, counted)
    return {"tallies": tallies, "results": results, "audits": audits}


# -- what stays: every count, result and digest --------------------------------------------


def test_erasure_keeps_every_tally_live_and_final_result_and_audit_digest(world, capsys):
    person, campaigns = world["person"], world["campaigns"]
    updown, approval, pairs = campaigns
    before = figures(campaigns)
    assert before["results"][updown.pk][4] and before["results"][updown.pk][3]  # final, digest
    assert before["results"][approval.pk][2] == 4  # four ballots counted
    receipt = voter_receipt(campaign_id=updown.pk, voter_id=person.pk)
    assert sum(entry["receipt"] == receipt for entry in audit_entries(campaign=updown)) == 3

    services.account_erase(user=person, requested_by=person)

    # The workers recompute everything from the rows: nothing moves.
    tally_recompute(idea_ids=list(IdeaTally.objects.values_list("idea_id", flat=True)))
    result_compute(campaign=pairs)
    assert figures(campaigns) == before
    assert sum(entry["receipt"] == receipt for entry in audit_entries(campaign=updown)) == 3
    # The votes, ballot and answer are the same rows, on the same (pseudonymous) account.
    assert Vote.objects.filter(voter=person).count() == 3
    assert Ballot.objects.get(pk=world["ballot"].pk).voter_id == person.pk
    assert PairwisePrompt.objects.get(pk=world["prompt"].pk).outcome == "left"
    for campaign in (updown, approval):
        call_command("results_recount", campaign.slug)
        assert "OK: the recount matches the stored result." in capsys.readouterr().out


def test_erasure_removes_personal_data_and_keeps_the_records(world):
    person = world["person"]
    ledger = list(LedgerEntry.objects.filter(user=person).values_list("pk", "points"))
    acceptances = list(TermsAcceptance.objects.filter(user=person).values_list("pk", flat=True))
    # Points for the idea published, its first vote and the comment; the campaign's terms.
    assert len(ledger) == 3 and len(acceptances) == 1

    erased = services.account_erase(user=person, requested_by=person)

    person.refresh_from_db()
    assert erased.pk == person.pk
    assert person.email == f"erased-{person.pk}@erased.invalid"
    assert (person.display_name, person.first_name, person.last_name) == ("", "", "")
    assert not person.has_usable_password()
    assert not person.check_password(PASSWORD)
    assert (person.is_active, person.is_staff, person.is_superuser) == (False, False, False)
    assert person.erased_at is not None and person.last_login is None
    assert not person.groups.exists()
    assert person.public_name == f"Former participant #{person.pk}"
    assert str(person) == person.public_name
    assert not EmailAddress.objects.filter(user=person).exists()
    assert not EmailAddress.objects.filter(email__icontains="second.example").exists()
    assert not ApiToken.objects.filter(user=person).exists()
    assert not Notification.objects.filter(recipient=person).exists()
    assert not CampaignFollow.objects.filter(user=person).exists()
    assert not BrandMembership.objects.filter(user=person).exists()
    assert not BrandInvitation.objects.filter(pk=world["invitation"].pk).exists()
    # The brand keeps its owner; nothing anywhere still holds the addresses.
    assert BrandMembership.objects.filter(brand=world["brand"], role=Role.OWNER).count() == 1
    for address in ("zephyrine.quatremare@example.org", "zq@second.example"):
        assert not User.objects.filter(email__iexact=address).exists()
        assert not BrandInvitation.objects.filter(email__iexact=address).exists()
    # Kept: the ledger (and so the balance) and the legal record of accepted terms.
    assert list(LedgerEntry.objects.filter(user=person).values_list("pk", "points")) == ledger
    assert list(TermsAcceptance.objects.filter(user=person).values_list("pk", flat=True)) == (
        acceptances
    )
    assert world["own_idea"].__class__.objects.get(pk=world["own_idea"].pk).author_id == person.pk


def test_erasing_twice_changes_nothing_the_second_time(world):
    person = world["person"]
    services.account_erase(user=person, requested_by=person)
    person.refresh_from_db()
    first = User.objects.filter(pk=person.pk).values().get()

    again = services.account_erase(user=person, requested_by=person)

    assert again.pk == person.pk
    assert User.objects.filter(pk=person.pk).values().get() == first


def test_nobody_else_erases_an_account_but_a_superuser(world):
    person, other = world["person"], world["others"][1]
    with pytest.raises(NotAllowed):
        services.account_erase(user=person, requested_by=other)
    person.refresh_from_db()
    assert person.erased_at is None and person.email == "zephyrine.quatremare@example.org"

    superuser = UserFactory(is_superuser=True, is_staff=True)
    services.account_erase(user=person, requested_by=superuser)
    person.refresh_from_db()
    assert person.erased_at is not None


# -- the doors: page and API ---------------------------------------------------------------


def test_the_delete_page_erases_logs_out_everywhere_and_says_goodbye(world):
    person = world["person"]
    browser, other_device = logged_in(person), logged_in(person)
    api = Client(HTTP_AUTHORIZATION=f"Token {world['secret']}")
    assert other_device.get("/accounts/").status_code == 200
    assert api.get("/api/v1/me/notifications/").status_code == 200

    page = browser.get("/accounts/delete/")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-testid="delete-form"' in text
    assert f"Former participant #{person.pk}" in text

    response = browser.post("/accounts/delete/", {"password": PASSWORD, "confirm": "on"})

    assert response.status_code == 302 and response["Location"] == "/accounts/deleted/"
    assert "Your account is deleted" in browser.get("/accounts/deleted/").content.decode()
    person.refresh_from_db()
    assert person.erased_at is not None
    # Every session and token of the account is over.
    for client in (browser, other_device):
        response = client.get("/accounts/")
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert api.get("/api/v1/me/notifications/").status_code == 401
    # And the account cannot log in again with its old address and password.
    login = Client().post(
        "/accounts/login/", {"login": "zephyrine.quatremare@example.org", "password": PASSWORD}
    )
    assert login.status_code == 200 and "_auth_user_id" not in login.wsgi_request.session


@pytest.mark.parametrize(
    "data, field_error",
    [
        ({"password": "wrong password", "confirm": "on"}, "This is not your current password."),
        ({"password": PASSWORD}, "Tick the box to confirm."),
        ({"confirm": "on"}, "This field is required."),
    ],
)
def test_the_delete_page_needs_the_password_and_the_confirmation(world, data, field_error):
    person = world["person"]
    client = logged_in(person)

    response = client.post("/accounts/delete/", data)

    assert response.status_code == 400
    assert field_error in response.content.decode()
    person.refresh_from_db()
    assert person.erased_at is None and person.email == "zephyrine.quatremare@example.org"
    assert client.get("/accounts/").status_code == 200  # still logged in


@override_settings(ACCOUNT_RATE_LIMITS={"login_failed": "3/5m/key"})
def test_wrong_passwords_on_the_delete_page_count_as_failed_logins(world, api_as):
    person = world["person"]
    client = logged_in(person)
    for _ in range(3):
        response = client.post("/accounts/delete/", {"password": "guess", "confirm": "on"})
        assert "This is not your current password." in response.content.decode()

    response = client.post("/accounts/delete/", {"password": PASSWORD, "confirm": "on"})

    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 300
    assert "Too many failed login attempts" in response.content.decode()
    api = api_as(person)
    response = api.delete("/api/v1/me/", {"password": PASSWORD}, format="json")
    assert response.status_code == 429 and "Retry-After" in response
    person.refresh_from_db()
    assert person.erased_at is None


def test_the_api_deletes_the_account_with_its_password(world, api_as):
    person = world["person"]
    client = api_as(person)

    wrong = client.delete("/api/v1/me/", {"password": "nope"}, format="json")
    assert wrong.status_code == 400
    assert wrong.json() == {"password": ["This is not your current password."]}
    missing = client.delete("/api/v1/me/", {}, format="json")
    assert missing.status_code == 400 and "password" in missing.json()
    person.refresh_from_db()
    assert person.erased_at is None

    response = client.delete("/api/v1/me/", {"password": PASSWORD}, format="json")

    assert response.status_code == 204
    person.refresh_from_db()
    assert person.erased_at is not None
    assert client.get("/api/v1/me/notifications/").status_code == 401


def test_anonymous_visitors_cannot_delete_or_export(api_client):
    assert api_client.delete("/api/v1/me/", {"password": "x"}, format="json").status_code == 401
    assert api_client.get("/api/v1/me/export/").status_code == 401
    for url in ("/accounts/delete/", "/accounts/export/", "/accounts/"):
        response = Client().get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# -- the last owner ------------------------------------------------------------------------


def test_the_last_owner_can_neither_leave_nor_be_erased_until_another_owner_exists(api_as):
    owner = UserFactory()
    brand = BrandFactory(name="Atelier Solo")
    membership = BrandMembershipFactory(brand=brand, user=owner, role=Role.OWNER)
    manager = BrandMembershipFactory(brand=brand, role=Role.MANAGER)
    client = logged_in(owner)

    # The page says why and links to the team page, with no form.
    page = client.get("/accounts/delete/").content.decode()
    assert 'data-testid="delete-last-owner"' in page
    assert f'href="/brands/{brand.slug}/team/"' in page
    assert 'data-testid="delete-form"' not in page
    # Every door refuses, and nothing changes.
    response = client.post("/accounts/delete/", {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 409
    assert "Atelier Solo needs at least one owner" in response.content.decode()
    api = api_as(owner)
    response = api.delete("/api/v1/me/", {"password": PASSWORD}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "last_owner"
    with pytest.raises(Conflict) as refusal:
        services.account_erase(user=owner, requested_by=owner)
    assert refusal.value.code == "last_owner"
    with pytest.raises(Conflict) as leaving:
        team.membership_remove(membership=membership, actor=owner)
    assert leaving.value.code == "last_owner"
    owner.refresh_from_db()
    assert owner.erased_at is None and owner.is_active
    assert BrandMembership.objects.filter(pk=membership.pk, role=Role.OWNER).exists()
    assert ApiToken.objects.filter(user=owner).count() == 1

    # Once someone else is an owner, the account may go (and the brand keeps an owner).
    team.membership_change_role(membership=manager, role=Role.OWNER, actor=owner)
    response = api.delete("/api/v1/me/", {"password": PASSWORD}, format="json")
    assert response.status_code == 204
    assert list(BrandMembership.objects.filter(brand=brand).values_list("user", "role")) == [
        (manager.user_id, Role.OWNER)
    ]


def test_an_owner_may_leave_once_another_owner_exists():
    owner, other = UserFactory(), UserFactory()
    brand = BrandFactory()
    membership = BrandMembershipFactory(brand=brand, user=owner, role=Role.OWNER)
    BrandMembershipFactory(brand=brand, user=other, role=Role.OWNER)
    assert team.brands_needing_another_owner(user=owner) == []

    team.membership_remove(membership=membership, actor=owner)

    assert list(BrandMembership.objects.filter(brand=brand).values_list("user", flat=True)) == [
        other.pk
    ]
    assert [b.pk for b in team.brands_needing_another_owner(user=other)] == [brand.pk]


# -- pseudonyms and public names -----------------------------------------------------------


def test_an_erased_authors_ideas_and_comments_show_the_pseudonym(world, api_client):
    person, idea, comment = world["person"], world["own_idea"], world["comment"]
    services.account_erase(user=person, requested_by=person)
    pseudonym = f"Former participant #{person.pk}"

    pages = {
        "idea": Client().get(f"/ideas/{idea.pk}/").content.decode(),
        "commented idea": Client().get(f"/ideas/{comment.idea_id}/").content.decode(),
        "campaign": Client().get(idea.campaign.get_absolute_url()).content.decode(),
        "api": api_client.get(f"/api/v1/ideas/{idea.pk}/").content.decode(),
    }

    for name, text in pages.items():
        assert pseudonym in text, name
        for trace in ("Zéphyrine", "Quatremare", "zephyrine", "zq@"):
            assert trace not in text, (name, trace)
    assert api_client.get(f"/api/v1/ideas/{idea.pk}/").json()["author"] == {"name": pseudonym}


def test_no_page_shows_anything_of_the_email_of_a_person_without_a_display_name(api_client, client):
    quiet = UserFactory(email="hidden.localpart@example.org", display_name="")
    campaign = CampaignFactory()
    idea = IdeaFactory(campaign=campaign, author=quiet, title="A quiet idea")
    other_idea = IdeaFactory(campaign=campaign)
    comment_post(idea=other_idea, author=quiet, body="A quiet comment.")
    neutral = f"Participant #{quiet.pk}"
    assert quiet.public_name == neutral and str(quiet) == neutral

    pages = [
        client.get(f"/ideas/{idea.pk}/"),
        client.get(f"/ideas/{other_idea.pk}/"),
        client.get(campaign.get_absolute_url()),
        api_client.get(f"/api/v1/ideas/{idea.pk}/"),
        api_client.get(f"/api/v1/campaigns/{campaign.slug}/ideas/"),
    ]
    client.force_login(quiet)
    pages.append(client.get("/"))  # the account's own name in the navigation

    for response in pages:
        assert response.status_code == 200
        text = response.content.decode()
        assert "hidden.localpart" not in text
    assert neutral in pages[0].content.decode() and neutral in pages[1].content.decode()
    assert neutral in pages[-1].content.decode()


def test_a_person_without_a_display_name_can_choose_one(client):
    quiet = UserFactory(display_name="")
    client.force_login(quiet)

    refused = client.post("/accounts/", {"display_name": "someone@example.org"})
    assert refused.status_code == 400
    assert "not an email address" in refused.content.decode()
    response = client.post("/accounts/", {"display_name": "  Quiet\u202e Quentin "})

    assert response.status_code == 302
    quiet.refresh_from_db()
    assert quiet.display_name == "Quiet Quentin"


# -- sign-up asks for a display name -------------------------------------------------------


def signup(client, **data):
    return client.post(
        "/accounts/signup/",
        {"email": "newcomer@example.org", "password1": PASSWORD, "password2": PASSWORD, **data},
    )


def test_the_sign_up_form_asks_for_the_display_name(client):
    page = client.get("/accounts/signup/").content.decode()
    assert 'name="display_name"' in page
    assert page.index('name="email"') < page.index('name="display_name"')
    assert page.index('name="display_name"') < page.index('name="password1"')


@pytest.mark.parametrize(
    "display_name, error",
    [
        (None, "This field is required."),
        ("   ", "This field is required."),
        ("A", "Ensure this value has at least 2 characters"),
        ("x" * 81, "Ensure this value has at most 80 characters"),
        ("newcomer@example.org", "not an email address"),
        ("\u202e\u2066 ", "at least 2 characters"),
    ],
)
def test_a_sign_up_without_a_proper_display_name_is_refused(client, display_name, error):
    data = {} if display_name is None else {"display_name": display_name}

    response = signup(client, **data)

    assert response.status_code == 200
    assert error in response.content.decode()
    assert not User.objects.filter(email="newcomer@example.org").exists()


def test_a_sign_up_stores_the_display_name_cleaned(client):
    response = signup(client, display_name="  Ada\u202e\u200b Lovelace\t ")

    assert response.status_code == 302
    user = User.objects.get(email="newcomer@example.org")
    assert user.display_name == "Ada Lovelace"
    assert user.public_name == "Ada Lovelace"


# -- the export ----------------------------------------------------------------------------


def test_the_export_holds_the_persons_data_and_nobody_elses(world):
    person, others = world["person"], world["others"]
    client = logged_in(person)

    response = client.get("/accounts/export/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="foule-account-{person.pk}-'
    )
    data = json.loads(response.content)
    assert data["profile"]["email"] == "zephyrine.quatremare@example.org"
    assert data["profile"]["display_name"] == "Zéphyrine Quatremare"
    assert {a["email"] for a in data["email_addresses"]} == {
        "zephyrine.quatremare@example.org",
        "zq@second.example",
    }
    assert [idea["title"] for idea in data["ideas"]] == ["Night buses"]
    assert data["ideas"][0]["content_hash"] == world["own_idea"].content_hash
    assert [c["body"] for c in data["comments"]] == ["Yes, *and* trams."]
    updown = world["campaigns"][0]
    assert sorted(v["value"] for v in data["votes"]) == [-1, 1, 1]
    assert {v["receipt"] for v in data["votes"]} == {
        voter_receipt(campaign_id=updown.pk, voter_id=person.pk)
    }
    assert [b["receipt"] for b in data["ballots"]] == [world["ballot"].receipt]
    assert len(data["ballots"][0]["choices"]) == 2
    assert [p["outcome"] for p in data["pairwise_answers"]] == ["left"]
    points = LedgerEntry.objects.filter(user=person)
    assert data["points"]["balance"] == sum(entry.points for entry in points) > 0
    assert len(data["points"]["ledger"]) == points.count()
    assert [t["campaign"] for t in data["terms_accepted"]] == [updown.slug]
    assert [(m["brand"], m["role"]) for m in data["brand_memberships"]] == [
        (world["brand"].slug, "manager")
    ]
    assert len(data["campaign_follows"]) == 1
    assert {n["kind"] for n in data["notifications"]} == {"idea_approved", "vote_milestone"}
    assert [t["name"] for t in data["api_tokens"]] == ["my script"]
    text = response.content.decode()
    assert world["secret"] not in text and world["token"].key_hash not in text
    for other in others:
        assert other.email not in text
        assert f'"{other.display_name}"' not in text
    assert '"token"' not in text  # no pairwise prompt token either


def test_the_api_export_is_the_same_file(world, api_as):
    person = world["person"]

    response = api_as(person).get("/api/v1/me/export/")

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["profile"]["id"] == person.pk
    assert [idea["title"] for idea in data["ideas"]] == ["Night buses"]


def test_the_export_costs_a_fixed_number_of_queries(world):
    person = world["person"]
    with CaptureQueriesContext(connection) as before:
        selectors.account_export(user=person)
    # More of everything: ideas, comments, votes, ballots, follows, notifications.
    campaign = CampaignFactory()
    for number in range(4):
        idea = idea_submit(author=person, campaign=campaign, title=f"More {number}", body="…")
        other_idea = IdeaFactory(campaign=campaign)
        comment_post(idea=other_idea, author=person, body="More.")
        vote_cast(voter=person, idea=other_idea, value=1)
        notification_create(
            recipient=person, kind="idea_approved", event_key=f"more:{idea.pk}", params={}
        )
    ballot_campaign = CampaignFactory(voting_method="single")
    candidate = IdeaFactory(campaign=ballot_campaign)
    ballots.ballot_submit(voter=person, campaign=ballot_campaign, choices=[candidate.pk])
    campaign_follow_set(campaign=campaign, user=person, following=True)

    with CaptureQueriesContext(connection) as after:
        data = selectors.account_export(user=person)

    assert (len(data["ideas"]), len(data["comments"]), len(data["votes"])) == (5, 5, 7)
    assert len(data["ballots"]) == 2
    assert len(after.captured_queries) == len(before.captured_queries) <= 16


def test_an_erased_accounts_export_holds_no_personal_data(world):
    person = world["person"]
    services.account_erase(user=person, requested_by=person)

    data = selectors.account_export(user=person)

    assert data["profile"]["email"] == f"erased-{person.pk}@erased.invalid"
    assert data["profile"]["display_name"] == ""
    assert data["email_addresses"] == [] and data["api_tokens"] == []
    assert "Zéphyrine" not in json.dumps(data, ensure_ascii=False)


def test_the_brands_exports_name_an_erased_author_by_the_pseudonym(world):
    from insights import exports
    from insights.models import CampaignExport

    person, idea = world["person"], world["own_idea"]
    services.account_erase(user=person, requested_by=person)

    for kind in ("ideas", "comments"):
        export = CampaignExport.objects.create(campaign=idea.campaign, kind=kind, format="csv")
        exports.export_build(export_id=export.pk)
        export.refresh_from_db()
        assert export.status == CampaignExport.Status.DONE, export.error
        with export.file.open("rb") as handle:
            text = handle.read().decode("utf-8-sig")
        export.file.delete(save=False)

        assert f"Former participant #{person.pk}" in text, kind
        assert "Zéphyrine" not in text and "zephyrine" not in text, kind
