"""Campaign exports: the service (each kind in each format, read back), the permission
matrix of the pages and the download, progress seen through the fragment a real worker
updates, retention, and a large export in bounded memory."""

import csv
import hashlib
import io
import re
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from brands.models import BrandMembership
from campaigns.models import Campaign
from core.errors import ApplicationError, Conflict, NotAllowed
from ideas.models import Comment, Idea
from insights import exports
from insights.models import CampaignExport
from tests.factories import (
    BrandFactory,
    BrandMembershipFactory,
    CampaignFactory,
    IdeaFactory,
    UserFactory,
)
from voting.models import Ballot, BallotChoice, CampaignResult, IdeaTally, PairwisePrompt, Vote
from voting.results import voter_receipt

FORMATS = ["csv", "xlsx"]
WHEN = datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)
WHEN_ISO = "2025-03-04T05:06:07.000000Z"


# -- helpers -------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _remove_new_export_files():
    """The files a test writes (in the test private folder) are removed after it."""
    folder = Path(settings.FOULE_PRIVATE_ROOT) / "exports"
    before = set(folder.iterdir()) if folder.exists() else set()
    yield
    for path in (set(folder.iterdir()) if folder.exists() else set()) - before:
        path.unlink(missing_ok=True)


def member(campaign, role, **user_fields):
    return BrandMembershipFactory(
        brand=campaign.brand, role=role, user=UserFactory(**user_fields)
    ).user


def build(campaign, kind, file_format, user=None) -> CampaignExport:
    export = CampaignExport.objects.create(
        campaign=campaign, requested_by=user, kind=kind, format=file_format
    )
    exports.export_build(export_id=export.pk)
    export.refresh_from_db()
    assert export.status == CampaignExport.Status.DONE, export.error
    return export


def read_rows(export: CampaignExport) -> list[list[str]]:
    """Every row of the file (header included) as strings; XLSX sheets one after another
    (each sheet's header is kept)."""
    with export.file.open("rb") as handle:
        data = handle.read()
    if export.format == "csv":
        assert data.startswith(b"\xef\xbb\xbf"), "CSV without a UTF-8 BOM"
        return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    return [
        ["" if value is None else str(value) for value in row]
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
    ]


def at(model, pk, **fields):
    """Set fields (dates) without going through save()."""
    model.objects.filter(pk=pk).update(**fields)


def idea_url(pk) -> str:
    return f"{settings.SITE_URL.rstrip('/')}/ideas/{pk}/"


# -- ideas ---------------------------------------------------------------------------------


@pytest.mark.parametrize("file_format", FORMATS)
def test_ideas_export_has_one_exact_row_per_idea(db, file_format):
    campaign = CampaignFactory()
    first = IdeaFactory(
        campaign=campaign,
        title='=HYPERLINK("http://evil")',
        author=UserFactory(display_name="Zoé Lefèvre"),
        answer=Idea.Answer.ACCEPTED,
        content_hash="a" * 64,
    )
    second = IdeaFactory(
        campaign=campaign,
        title="Crème brûlée",
        author=UserFactory(display_name="", email="bob@example.org"),
        status=Idea.Status.PENDING,
        content_hash="b" * 64,
    )
    IdeaFactory()  # another campaign's idea is not exported
    at(Idea, first.pk, created_at=WHEN)
    at(Idea, second.pk, created_at=WHEN + timedelta(hours=1))
    IdeaTally.objects.filter(idea=first).update(upvotes=3, downvotes=1, score=2)

    export = build(campaign, "ideas", file_format)

    assert read_rows(export) == [
        ["id", "title", "author", "status", "answer", "created_at", "upvotes", "downvotes",
         "score", "url", "content_hash"],
        [str(first.pk), "'=HYPERLINK(\"http://evil\")", "Zoé Lefèvre", "published",
         "accepted", WHEN_ISO, "3", "1", "2", idea_url(first.pk), "a" * 64],
        # No display name: a neutral "Participant #n", never a piece of the email address.
        [str(second.pk), "Crème brûlée", f"Participant #{second.author_id}", "pending", "",
         "2025-03-04T06:06:07.000000Z", "0", "0", "0", idea_url(second.pk), "b" * 64],
    ]  # fmt: skip
    assert (export.rows_done, export.rows_total) == (2, 2)
    assert export.finished_at is not None


@pytest.mark.parametrize("file_format", FORMATS)
def test_ideas_export_of_a_star_campaign_has_its_ratings(db, file_format):
    campaign = CampaignFactory(voting_method=Campaign.VotingMethod.STAR)
    idea = IdeaFactory(campaign=campaign, author=UserFactory(display_name="Ann"))
    at(Idea, idea.pk, created_at=WHEN)
    IdeaTally.objects.filter(idea=idea).update(upvotes=3, rating_sum=13, method_score=3.9)

    rows = read_rows(build(campaign, "ideas", file_format))

    assert rows[0][9:12] == ["ratings", "average_rating", "rating_score"]
    assert rows[1][9:12] == ["3", "4.33", "3.9"]


@pytest.mark.parametrize("file_format", FORMATS)
def test_ideas_export_of_a_budget_campaign_has_the_costs(db, file_format):
    campaign = CampaignFactory(voting_method=Campaign.VotingMethod.BUDGET, budget_amount=100)
    costed, free = IdeaFactory(campaign=campaign, cost=40), IdeaFactory(campaign=campaign)

    rows = read_rows(build(campaign, "ideas", file_format))

    assert [row[0] for row in rows] == ["id", str(costed.pk), str(free.pk)]
    assert [row[9] for row in rows] == ["cost", "40", ""]


# -- votes ---------------------------------------------------------------------------------


@pytest.mark.parametrize("file_format", FORMATS)
def test_votes_export_is_anonymised_and_exact(db, file_format):
    campaign = CampaignFactory()
    idea = IdeaFactory(campaign=campaign)
    voters = [
        UserFactory(display_name=f"Voter{n}", email=f"voter{n}@example.org") for n in range(3)
    ]
    up = Vote.objects.create(idea=idea, voter=voters[0], value=1, created_at=WHEN, updated_at=WHEN)
    down = Vote.objects.create(
        idea=idea, voter=voters[1], value=-1, created_at=WHEN, updated_at=WHEN
    )
    Vote.objects.create(idea=idea, voter=voters[2], value=0, created_at=WHEN, updated_at=WHEN)
    Vote.objects.create(  # another campaign's vote
        idea=IdeaFactory(), voter=voters[0], value=1, created_at=WHEN, updated_at=WHEN
    )

    export = build(campaign, "votes", file_format)
    rows = read_rows(export)

    receipt = {v.pk: voter_receipt(campaign_id=campaign.pk, voter_id=v.pk) for v in voters}
    assert rows == [
        ["receipt", "idea_id", "value", "created_at"],
        [receipt[up.voter_id], str(idea.pk), "1", WHEN_ISO],
        [receipt[down.voter_id], str(idea.pk), "-1", WHEN_ISO],
    ]
    # Neither the email nor the name is anywhere; the receipt column holds no account id.
    text = "\n".join(",".join(row) for row in rows)
    for voter in voters:
        assert voter.email not in text and voter.display_name not in text
        assert str(voter.pk) not in {row[0] for row in rows}
    assert all(re.fullmatch(r"[0-9a-f]{32}", row[0]) for row in rows[1:])


@pytest.mark.parametrize("file_format", FORMATS)
def test_votes_export_of_a_ranked_campaign_lists_each_ballot_by_its_receipt(db, file_format):
    campaign = CampaignFactory(voting_method=Campaign.VotingMethod.RANKED)
    first, second, third = (IdeaFactory(campaign=campaign, is_candidate=True) for _ in range(3))
    voter, other = UserFactory(), UserFactory()
    ballot = Ballot.objects.create(campaign=campaign, voter=voter, receipt="r" * 32)
    BallotChoice.objects.create(ballot=ballot, idea=third, rank=1)
    BallotChoice.objects.create(ballot=ballot, idea=first, rank=2)
    other_ballot = Ballot.objects.create(campaign=campaign, voter=other, receipt="s" * 32)
    BallotChoice.objects.create(ballot=other_ballot, idea=second, rank=1)
    Ballot.objects.create(campaign=campaign, voter=UserFactory(), receipt="t" * 32)  # empty
    at(Ballot, ballot.pk, updated_at=WHEN)
    at(Ballot, other_ballot.pk, updated_at=WHEN)

    export = build(campaign, "votes", file_format)

    assert read_rows(export) == [
        ["receipt", "choices", "choice_count", "cast_at"],
        ["r" * 32, f"{third.pk} {first.pk}", "2", WHEN_ISO],
        ["s" * 32, f"{second.pk}", "1", WHEN_ISO],
    ]
    assert (export.rows_done, export.rows_total) == (2, 2)


@pytest.mark.parametrize("file_format", FORMATS)
def test_votes_export_of_a_pairwise_campaign_lists_the_answered_prompts(db, file_format):
    campaign = CampaignFactory(voting_method=Campaign.VotingMethod.PAIRWISE)
    left, right = IdeaFactory(campaign=campaign), IdeaFactory(campaign=campaign)
    voter = UserFactory()
    PairwisePrompt.objects.create(
        campaign=campaign, voter=voter, left=left, right=right, token="tok-1",
        answered_at=WHEN, outcome="right",
    )  # fmt: skip
    PairwisePrompt.objects.create(  # shown, never answered
        campaign=campaign, voter=voter, left=right, right=left, token="tok-2"
    )

    rows = read_rows(build(campaign, "votes", file_format))

    assert rows == [
        ["receipt", "left_idea_id", "right_idea_id", "outcome", "answered_at"],
        [hashlib.sha256(b"tok-1").hexdigest()[:32], str(left.pk), str(right.pk), "right",
         WHEN_ISO],
    ]  # fmt: skip


# -- comments ------------------------------------------------------------------------------


@pytest.mark.parametrize("file_format", FORMATS)
def test_comments_export_neutralises_formulas(db, file_format):
    campaign = CampaignFactory()
    idea = IdeaFactory(campaign=campaign)
    author = UserFactory(display_name="+Eve")
    comments = [
        Comment.objects.create(idea=idea, author=author, body="@SUM(1+1)", body_html="x"),
        Comment.objects.create(
            idea=idea, author=author, body="Très *bien*\nsur deux lignes", body_html="x",
            status=Comment.Status.HIDDEN,
        ),
        Comment.objects.create(idea=idea, author=author, body="-2+3", body_html="x"),
        Comment.objects.create(idea=idea, author=author, body="=1+1", body_html="x"),
    ]  # fmt: skip
    for comment in comments:
        at(Comment, comment.pk, created_at=WHEN)

    rows = read_rows(build(campaign, "comments", file_format))

    ids = [str(comment.pk) for comment in comments]
    assert rows == [
        ["id", "idea_id", "author", "created_at", "body", "status"],
        [ids[0], str(idea.pk), "'+Eve", WHEN_ISO, "'@SUM(1+1)", "published"],
        [ids[1], str(idea.pk), "'+Eve", WHEN_ISO, "Très *bien*\nsur deux lignes", "hidden"],
        [ids[2], str(idea.pk), "'+Eve", WHEN_ISO, "'-2+3", "published"],
        [ids[3], str(idea.pk), "'+Eve", WHEN_ISO, "'=1+1", "published"],
    ]


# -- results -------------------------------------------------------------------------------


@pytest.mark.parametrize("file_format", FORMATS)
def test_results_export_without_a_result_has_the_header_and_a_note(db, file_format):
    campaign = CampaignFactory()
    IdeaFactory(campaign=campaign)

    export = build(campaign, "results", file_format)

    assert read_rows(export) == [
        ["rank", "idea_id", "title", "upvotes", "downvotes", "score", "method_score"],
        ["", "", "No result has been computed for this campaign yet.", "", "", "", ""],
    ]


@pytest.mark.parametrize("file_format", FORMATS)
def test_results_export_of_an_updown_campaign(db, file_format):
    campaign = CampaignFactory()
    first, second = (
        IdeaFactory(campaign=campaign, title="First"),
        IdeaFactory(campaign=campaign, title="@second"),
    )
    CampaignResult.objects.create(
        campaign=campaign, method="updown", ranking=[second.pk, first.pk],
        details={"counts": {
            str(first.pk): {"idea_id": first.pk, "upvotes": 1, "downvotes": 2, "score": -1,
                            "method_score": 0.125},
            str(second.pk): {"idea_id": second.pk, "upvotes": 5, "downvotes": 0, "score": 5,
                             "method_score": 0.25},
        }},
        ballot_count=8, is_final=True, computed_at=timezone.now(),
    )  # fmt: skip

    rows = read_rows(build(campaign, "results", file_format))

    assert rows == [
        ["rank", "idea_id", "title", "upvotes", "downvotes", "score", "method_score"],
        ["1", str(second.pk), "'@second", "5", "0", "5", "0.25"],
        ["2", str(first.pk), "First", "1", "2", "-1", "0.125"],
    ]


@pytest.mark.parametrize("file_format", FORMATS)
def test_results_export_of_a_ranked_schulze_campaign(db, file_format):
    campaign = CampaignFactory(voting_method=Campaign.VotingMethod.RANKED)
    a, b = IdeaFactory(campaign=campaign, title="A"), IdeaFactory(campaign=campaign, title="B")
    CampaignResult.objects.create(
        campaign=campaign, method="ranked:schulze", ranking=[b.pk, a.pk],
        details={"method": "schulze", "winners": [b.pk], "pairwise": {
            str(a.pk): {str(a.pk): 0, str(b.pk): 1},
            str(b.pk): {str(a.pk): 2, str(b.pk): 0},
        }},
        ballot_count=3, is_final=False, computed_at=timezone.now(),
    )  # fmt: skip

    rows = read_rows(build(campaign, "results", file_format))

    assert rows == [
        ["rank", "idea_id", "title", "pairwise_wins", "winner"],
        ["1", str(b.pk), "B", "1", "yes"],
        ["2", str(a.pk), "A", "0", "no"],
    ]


# -- the build: XLSX sheets, idempotency, failures -----------------------------------------


def test_xlsx_rows_beyond_a_sheet_continue_on_the_next_sheet(db, monkeypatch):
    monkeypatch.setattr(exports, "XLSX_MAX_DATA_ROWS", 2)
    campaign = CampaignFactory()
    ideas = [IdeaFactory(campaign=campaign) for _ in range(5)]

    export = build(campaign, "ideas", "xlsx")

    with export.file.open("rb") as handle:
        workbook = openpyxl.load_workbook(io.BytesIO(handle.read()), read_only=True)
    sheets = [[row[0] for row in sheet.iter_rows(values_only=True)] for sheet in workbook]
    assert workbook.sheetnames == ["Sheet 1", "Sheet 2", "Sheet 3"]
    assert sheets == [
        ["id", ideas[0].pk, ideas[1].pk],
        ["id", ideas[2].pk, ideas[3].pk],
        ["id", ideas[4].pk],
    ]
    assert export.rows_done == 5


def test_an_empty_xlsx_export_is_one_sheet_with_the_header(db):
    export = build(CampaignFactory(), "comments", "xlsx")

    assert read_rows(export) == [["id", "idea_id", "author", "created_at", "body", "status"]]


def test_a_done_export_is_left_alone(db):
    campaign = CampaignFactory()
    IdeaFactory(campaign=campaign)
    export = build(campaign, "ideas", "csv")
    IdeaFactory(campaign=campaign)

    exports.export_build(export_id=export.pk)

    again = CampaignExport.objects.get(pk=export.pk)
    assert (again.file.name, again.finished_at, again.rows_done) == (
        export.file.name, export.finished_at, 1,
    )  # fmt: skip


def test_a_redelivered_build_restarts_cleanly(db):
    campaign = CampaignFactory()
    IdeaFactory(campaign=campaign)
    stale = CampaignExport.objects.create(
        campaign=campaign, kind="ideas", format="csv", status="running", rows_done=7,
        rows_total=9,
    )  # fmt: skip
    stale.file.save("left-over.csv", io.BytesIO(b"half a file"), save=True)
    left_over = stale.file.name

    exports.export_build(export_id=stale.pk)

    stale.refresh_from_db()
    assert (stale.status, stale.rows_done, stale.rows_total, stale.error) == ("done", 1, 1, "")
    assert not stale.file.storage.exists(left_over)
    assert len(read_rows(stale)) == 2


def test_a_failing_build_is_marked_failed_and_raises_nothing(db, monkeypatch):
    campaign = CampaignFactory()
    IdeaFactory(campaign=campaign)
    export = CampaignExport.objects.create(campaign=campaign, kind="ideas", format="csv")

    def broken(*args, **kwargs):
        raise OSError("No space left on device")

    monkeypatch.setattr(exports, "_write", broken)
    exports.export_build(export_id=export.pk)

    export.refresh_from_db()
    assert export.status == "failed"
    assert export.error == (
        "The export failed (OSError: No space left on device). Please request it again."
    )
    assert export.file.name == ""
    assert export.finished_at is not None


def test_building_a_missing_export_does_nothing(db):
    assert exports.export_build(export_id=987654) is None


# -- request (service) ---------------------------------------------------------------------


def test_export_request_creates_the_row_and_enqueues_the_build_after_commit(
    db, monkeypatch, django_capture_on_commit_callbacks
):
    from insights import tasks

    sent = []
    monkeypatch.setattr(tasks.campaign_export_build, "delay", lambda *args: sent.append(args))
    campaign = CampaignFactory()
    analyst = member(campaign, "analyst")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        export = exports.export_request(
            campaign=campaign, user=analyst, kind="votes", format="xlsx"
        )
        assert sent == []  # not before the commit

    assert len(callbacks) == 1
    assert sent == [(export.pk,)]
    assert (export.status, export.kind, export.format, export.requested_by) == (
        "queued", "votes", "xlsx", analyst,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "file_format", "field"), [("everything", "csv", "kind"), ("ideas", "pdf", "format")]
)
def test_export_request_refuses_an_unknown_kind_or_format(db, kind, file_format, field):
    campaign = CampaignFactory()
    owner = member(campaign, "owner")

    with pytest.raises(ApplicationError) as refused:
        exports.export_request(campaign=campaign, user=owner, kind=kind, format=file_format)

    assert refused.value.field == field
    assert not CampaignExport.objects.exists()


def test_export_request_refuses_a_sixth_export_in_progress(db, monkeypatch):
    campaign = CampaignFactory()
    owner = member(campaign, "owner")
    for status in ["queued", "queued", "running", "running", "queued", "done", "failed"]:
        CampaignExport.objects.create(
            campaign=campaign, requested_by=owner, kind="ideas", format="csv", status=status
        )
    # Another member's exports do not count against this one.
    exports.export_request(
        campaign=campaign, user=member(campaign, "manager"), kind="ideas", format="csv"
    )

    with pytest.raises(Conflict):
        exports.export_request(campaign=campaign, user=owner, kind="ideas", format="csv")

    assert CampaignExport.objects.filter(requested_by=owner).count() == 7


def test_export_request_refuses_a_moderator(db):
    campaign = CampaignFactory()

    with pytest.raises(NotAllowed):
        exports.export_request(
            campaign=campaign, user=member(campaign, "moderator"), kind="ideas", format="csv"
        )

    assert not CampaignExport.objects.exists()


# -- pages: the permission matrix ----------------------------------------------------------


def who(campaign, role):
    """A user in `role` towards `campaign` (None: anonymous)."""
    if role in ("owner", "manager", "moderator", "analyst"):
        return member(campaign, role)
    if role == "unverified analyst":
        return member(campaign, "analyst", verified=False)
    if role == "contributor":
        return UserFactory()
    if role == "other brand's owner":
        return BrandMembershipFactory(brand=BrandFactory(), role="owner").user
    return None


ALLOWED = ["owner", "manager", "analyst"]
REFUSED = [
    ("moderator", 403),
    ("contributor", 403),
    ("other brand's owner", 403),
    ("unverified analyst", 403),
    ("anonymous", 302),
]


def client_for(client, user):
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("role", ALLOWED)
def test_allowed_roles_see_the_page_and_request_an_export(db, client, role, monkeypatch):
    from insights import tasks

    monkeypatch.setattr(tasks.campaign_export_build, "delay", lambda *args: None)
    campaign = CampaignFactory()
    client = client_for(client, who(campaign, role))
    url = reverse("insights:exports", kwargs={"slug": campaign.slug})

    page = client.get(url)
    posted = client.post(url, {"kind": "comments", "format": "xlsx"})

    assert page.status_code == 200
    assert b'name="kind"' in page.content
    assert posted.status_code == 302 and posted["Location"] == url
    assert list(CampaignExport.objects.values_list("kind", "format", "status")) == [
        ("comments", "xlsx", "queued")
    ]


@pytest.mark.parametrize(("role", "status"), REFUSED)
def test_refused_roles_get_nothing_and_create_nothing(db, client, role, status):
    campaign = CampaignFactory()
    client = client_for(client, who(campaign, role))
    url = reverse("insights:exports", kwargs={"slug": campaign.slug})

    page = client.get(url)
    posted = client.post(url, {"kind": "ideas", "format": "csv"})

    assert (page.status_code, posted.status_code) == (status, status)
    if status == 302:
        assert posted["Location"].startswith(reverse("account_login"))
    assert not CampaignExport.objects.exists()


def test_people_who_cannot_see_a_draft_campaign_get_a_404(db, client):
    campaign = CampaignFactory(is_published=False)
    assert campaign.state == "draft"
    client.force_login(UserFactory())

    page = client.get(reverse("insights:exports", kwargs={"slug": campaign.slug}))
    posted = client.post(
        reverse("insights:exports", kwargs={"slug": campaign.slug}),
        {"kind": "ideas", "format": "csv"},
    )

    assert (page.status_code, posted.status_code) == (404, 404)
    assert not CampaignExport.objects.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [({"kind": "passwords", "format": "csv"}, "kind"), ({"kind": "ideas", "format": "pdf"},
     "format"), ({}, "kind")],
)  # fmt: skip
def test_bad_kind_or_format_is_a_form_error(db, client, data, field):
    campaign = CampaignFactory()
    client.force_login(member(campaign, "owner"))

    response = client.post(reverse("insights:exports", kwargs={"slug": campaign.slug}), data)

    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert not CampaignExport.objects.exists()


def test_a_sixth_export_in_progress_is_refused_on_the_form(db, client):
    campaign = CampaignFactory()
    owner = member(campaign, "owner")
    for _ in range(5):
        CampaignExport.objects.create(campaign=campaign, requested_by=owner, kind="ideas",
                                      format="csv")  # fmt: skip
    client.force_login(owner)

    response = client.post(
        reverse("insights:exports", kwargs={"slug": campaign.slug}),
        {"kind": "ideas", "format": "csv"},
    )

    assert response.status_code == 409
    assert "You already have 5 exports in progress" in response.content.decode()
    assert CampaignExport.objects.count() == 5


def test_the_list_costs_a_fixed_number_of_queries(db, client, django_assert_max_num_queries):
    campaign = CampaignFactory()
    owner = member(campaign, "owner")
    client.force_login(owner)
    url = reverse("insights:exports", kwargs={"slug": campaign.slug})
    statuses = ["queued", "running", "done", "failed"]

    def add(count):
        for n in range(count):
            CampaignExport.objects.create(
                campaign=campaign, requested_by=UserFactory(), kind="ideas", format="csv",
                status=statuses[n % 4], rows_total=10, rows_done=4,
            )  # fmt: skip

    add(1)
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    add(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count('data-testid="export-status"') == 21


def test_the_progress_fragment_polls_until_done_then_links_the_file(db, client):
    campaign = CampaignFactory()
    IdeaFactory(campaign=campaign)
    owner = member(campaign, "owner")
    client.force_login(owner)
    running = CampaignExport.objects.create(
        campaign=campaign, kind="ideas", format="csv", status="running", rows_total=200,
        rows_done=50,
    )  # fmt: skip
    done = build(campaign, "ideas", "csv")

    polling = client.get(
        reverse("insights:export_progress", kwargs={"slug": campaign.slug, "pk": running.pk})
    ).content.decode()
    finished = client.get(
        reverse("insights:export_progress", kwargs={"slug": campaign.slug, "pk": done.pk})
    ).content.decode()

    assert 'hx-trigger="every 1s"' in polling
    assert f'<progress id="export-{running.pk}-progress" max="100" value="25"' in polling
    assert 'aria-valuenow="25"' in polling and "25% (50 of 200 rows)" in polling
    assert "hx-trigger" not in finished
    download = reverse("insights:export_download", kwargs={"slug": campaign.slug, "pk": done.pk})
    assert f'href="{download}"' in finished


def test_an_export_of_another_campaign_is_a_404(db, client):
    campaign, other = CampaignFactory(), CampaignFactory()
    client.force_login(member(campaign, "owner"))
    foreign = build(other, "ideas", "csv")

    for name in ("export_progress", "export_download"):
        url = reverse(f"insights:{name}", kwargs={"slug": campaign.slug, "pk": foreign.pk})
        assert client.get(url).status_code == 404


# -- download ------------------------------------------------------------------------------


@pytest.mark.parametrize("file_format", FORMATS)
@pytest.mark.parametrize("role", ALLOWED)
def test_allowed_roles_download_the_file(db, client, role, file_format):
    campaign = CampaignFactory()
    IdeaFactory(campaign=campaign)
    export = build(campaign, "ideas", file_format)
    client.force_login(who(campaign, role))

    response = client.get(
        reverse("insights:export_download", kwargs={"slug": campaign.slug, "pk": export.pk})
    )

    assert response.status_code == 200
    with export.file.open("rb") as handle:
        assert b"".join(response.streaming_content) == handle.read()
    assert response["Content-Type"] == exports.CONTENT_TYPES[file_format]
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert response["Content-Disposition"].endswith(f'.{file_format}"')


@pytest.mark.parametrize(("role", "status"), REFUSED)
def test_refused_roles_cannot_download(db, client, role, status):
    campaign = CampaignFactory()
    IdeaFactory(campaign=campaign)
    export = build(campaign, "ideas", "csv")
    client = client_for(client, who(campaign, role))

    response = client.get(
        reverse("insights:export_download", kwargs={"slug": campaign.slug, "pk": export.pk})
    )

    assert response.status_code == status
    assert not hasattr(response, "streaming_content")


def test_a_member_removed_since_cannot_download(db, client):
    campaign = CampaignFactory()
    analyst = member(campaign, "analyst")
    export = build(campaign, "ideas", "csv", user=analyst)
    client.force_login(analyst)
    url = reverse("insights:export_download", kwargs={"slug": campaign.slug, "pk": export.pk})
    assert client.get(url).status_code == 200

    BrandMembership.objects.filter(user=analyst).delete()

    assert client.get(url).status_code == 403


def test_an_unfinished_export_cannot_be_downloaded(db, client):
    campaign = CampaignFactory()
    client.force_login(member(campaign, "owner"))
    export = CampaignExport.objects.create(campaign=campaign, kind="ideas", format="csv")

    response = client.get(
        reverse("insights:export_download", kwargs={"slug": campaign.slug, "pk": export.pk})
    )

    assert response.status_code == 404


# -- retention -----------------------------------------------------------------------------


def test_exports_older_than_seven_days_are_deleted_with_their_file(db):
    campaign = CampaignFactory()
    IdeaFactory(campaign=campaign)
    old, recent = build(campaign, "ideas", "csv"), build(campaign, "ideas", "xlsx")
    stuck = CampaignExport.objects.create(campaign=campaign, kind="votes", format="csv")
    now = timezone.now()
    at(CampaignExport, old.pk, created_at=now - timedelta(days=7, minutes=1))
    at(CampaignExport, recent.pk, created_at=now - timedelta(days=6))
    at(CampaignExport, stuck.pk, created_at=now - timedelta(hours=7))

    assert exports.exports_delete_expired(now=now) == 1
    assert exports.exports_delete_expired(now=now) == 0

    assert set(CampaignExport.objects.values_list("pk", flat=True)) == {recent.pk, stuck.pk}
    assert not old.file.storage.exists(old.file.name)
    assert recent.file.storage.exists(recent.file.name)
    stuck.refresh_from_db()
    assert stuck.status == "failed"


def test_the_retention_task_is_in_the_beat_schedule():
    entries = [entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()]
    assert "insights.tasks.campaign_exports_delete_expired" in entries


# -- volume: bulk-seeded votes -------------------------------------------------------------


def seed_votes(campaign: Campaign, *, voters: int, ideas: int) -> int:
    """voters × ideas up/down votes written by PostgreSQL (INSERT ... SELECT, as
    scripts/bench/seed.py does); the voters have no email address rows (they never log in)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO accounts_user (password, is_superuser, first_name, last_name,
                   is_staff, is_active, date_joined, email, display_name)
               SELECT '!', false, '', '', false, true, now(),
                   'seeded' || g || '-' || %s || '@example.org', ''
               FROM generate_series(1, %s) g""",
            [campaign.pk, voters],
        )
        cursor.execute(
            """INSERT INTO ideas_idea (created_at, updated_at, title, body, body_html, status,
                   hidden_reason, content_hash, author_id, campaign_id, is_candidate, answer,
                   image)
               SELECT now(), now(), 'Idea ' || g, 'Body', '<p>Body</p>', 'published', '',
                   md5(g::text) || md5(g::text),
                   (SELECT min(id) FROM accounts_user WHERE email LIKE 'seeded%%'), %s,
                   false, '', ''
               FROM generate_series(1, %s) g""",
            [campaign.pk, ideas],
        )
        cursor.execute(
            """INSERT INTO voting_vote (value, created_at, updated_at, idea_id, voter_id)
               SELECT CASE WHEN (u.id + i.id) %% 3 = 0 THEN -1 ELSE 1 END, now(), now(),
                   i.id, u.id
               FROM accounts_user u CROSS JOIN ideas_idea i
               WHERE u.email LIKE 'seeded%%-' || %s || '@example.org' AND i.campaign_id = %s""",
            [campaign.pk, campaign.pk],
        )
    return voters * ideas


def test_two_hundred_thousand_votes_export_in_bounded_memory(db):
    campaign = CampaignFactory()
    total = seed_votes(campaign, voters=2000, ideas=100)
    assert Vote.objects.filter(idea__campaign=campaign).count() == total == 200_000
    export = CampaignExport.objects.create(campaign=campaign, kind="votes", format="csv")

    started = time.perf_counter()
    tracemalloc.start()
    try:
        exports.export_build(export_id=export.pk)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    elapsed = time.perf_counter() - started

    export.refresh_from_db()
    assert export.status == "done", export.error
    assert (export.rows_done, export.rows_total) == (total, total)
    with export.file.open("rb") as handle:
        lines = sum(1 for _line in handle)
    assert lines == total + 1
    assert peak < 50 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"
    assert elapsed < 30, f"{elapsed:.1f} s"


def test_a_real_worker_builds_the_export_and_the_page_sees_its_progress(
    celery_worker_process, client
):
    campaign = CampaignFactory()
    total = seed_votes(campaign, voters=400, ideas=50)
    assert total == 20_000
    owner = member(campaign, "owner")
    client.force_login(owner)

    response = client.post(
        reverse("insights:exports", kwargs={"slug": campaign.slug}),
        {"kind": "votes", "format": "csv"},
    )
    assert response.status_code == 302
    export = CampaignExport.objects.get()
    url = reverse("insights:export_progress", kwargs={"slug": campaign.slug, "pk": export.pk})

    seen = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        fragment = client.get(url).content.decode()
        status = re.search(r'data-status="(\w+)"', fragment).group(1)
        percent = re.search(r'data-percent="(\d+)"', fragment)
        seen.append((status, int(percent.group(1)) if percent else None))
        if status in ("done", "failed"):
            break
        time.sleep(0.01)
    else:
        pytest.fail(f"the export did not finish:\n{celery_worker_process.output()}")

    assert seen[-1] == ("done", 100), seen[-1]
    percents = [percent for _status, percent in seen if percent is not None]
    assert percents == sorted(percents)  # progress never goes back
    export.refresh_from_db()
    assert (export.rows_done, export.rows_total) == (total, total)
    with export.file.open("rb") as handle:
        assert sum(1 for _line in handle) == total + 1
    intermediate = sorted({p for s, p in seen if s == "running" and p and 1 <= p <= 99})
    # The build takes about a second: a poll usually lands between two progress updates
    # (every 5,000 rows of 20,000), but that is not certain on a fast machine, so the
    # final count and the file are what is always checked (above). What is seen must be
    # what the row held: a multiple of 5,000 rows, or 99 while the file is being saved.
    assert set(intermediate) <= {25, 50, 75, 99}, intermediate
    print(f"percents seen while running: {intermediate or 'none (too fast)'}")
