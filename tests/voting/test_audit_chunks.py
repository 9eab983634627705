"""The audit list written once at the close in numbered gzip chunks (issue 11, part 4):
streamed in the lists' order, hashed to the very digest of the list, served by pages and
as a download from the chunks, with the result's visibility, and checked by the recount."""

import gzip
import hashlib
import json
import random
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import BrandMembershipFactory, CampaignFactory, IdeaFactory, UserFactory
from tests.support.schedule import close_voting
from voting import audit, audit_store, ballots, pairwise
from voting.formats import format_for
from voting.models import AuditChunk, CampaignResult
from voting.results import audit_digest, audit_entries, result_compute, results_finalize_due
from voting.services import vote_cast

pytestmark = pytest.mark.django_db

FORMATS = {  # name -> campaign fields
    "updown": {"voting_method": "updown"},
    "support": {"voting_method": "support", "support_stages": [[50, 10]]},
    "star": {"voting_method": "star"},
    "single": {"voting_method": "single"},
    "approval": {"voting_method": "approval", "max_votes_per_voter": 3},
    "schulze": {"voting_method": "ranked", "ranked_method": "schulze"},
    "irv": {"voting_method": "ranked", "ranked_method": "irv"},
    "budget": {"voting_method": "budget", "budget_amount": 100},
    "pairwise": {"voting_method": "pairwise"},
}


def voted_campaign(name: str, *, voters: int = 11, seed: int = 1):
    """A campaign of format `name` with votes, ballots (some ranked partially, some
    replaced) or answered pairs from `voters` voters, still open."""
    rng = random.Random(seed)
    campaign = CampaignFactory(**FORMATS[name])
    ideas = [IdeaFactory(campaign=campaign, cost=rng.randint(10, 40)) for _ in range(5)]
    for _ in range(voters):
        voter = UserFactory()
        if name == "pairwise":
            for _answer in range(2):
                prompt = pairwise.pairwise_issue(voter=voter, campaign=campaign, rng=rng)
                outcome = rng.choice(["left", "right", "skip"])
                pairwise.pairwise_answer(voter=voter, token=prompt.token, outcome=outcome)
        elif format_for(campaign).votes_per_idea:
            for idea in rng.sample(ideas, 3):
                value = rng.choice([1, -1]) if name == "updown" else rng.randint(1, 5)
                vote_cast(voter=voter, idea=idea, value=1 if name == "support" else value)
        else:
            for _replace in range(rng.randint(1, 2)):
                ballots.ballot_submit(
                    voter=voter, campaign=campaign, choices=choices(rng, name, ideas)
                )
    return campaign


def choices(rng: random.Random, name: str, ideas) -> list[int]:
    if name == "single":
        return [rng.choice(ideas).pk]
    if name == "budget":
        chosen, spent = [], 0
        for idea in rng.sample(ideas, 4):
            if spent + idea.cost <= 100:
                chosen.append(idea.pk)
                spent += idea.cost
        return chosen
    return [idea.pk for idea in rng.sample(ideas, rng.randint(1, 3))]


def finalised(campaign):
    close_voting(campaign)
    results_finalize_due()
    return CampaignResult.objects.get(campaign=campaign, is_final=True)


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(audit_store, "CHUNK_ENTRIES", 4)


# --- the stream and the digest ------------------------------------------------------------


@pytest.mark.parametrize("name", list(FORMATS))
def test_the_stream_is_the_list_and_the_chunks_give_the_digest_of_the_list(name, small_chunks):
    campaign = voted_campaign(name)
    listed = audit_entries(campaign=campaign)  # what every published digest was made from
    assert len(listed) > 8  # three chunks at least

    assert list(format_for(campaign).audit_stream(campaign=campaign)) == listed
    result = finalised(campaign)

    assert result.digest == audit_digest(listed)
    assert audit_store.chunks_digest(result_id=result.pk) == (result.digest, len(listed))
    counts = list(
        AuditChunk.objects.filter(result=result).order_by("number").values_list("entry_count")
    )
    assert [count for (count,) in counts] == [4] * (len(listed) // 4) + (
        [len(listed) % 4] if len(listed) % 4 else []
    )
    call_command("results_recount", campaign.slug)


def test_votes_sorted_in_spilled_runs_come_out_in_the_lists_order():
    campaign = voted_campaign("updown", voters=15)
    listed = audit.vote_entries(campaign=campaign)

    assert list(audit.iter_vote_entries(campaign=campaign, run_size=4)) == listed
    assert len(listed) == 45


def test_a_final_result_with_nothing_counted_has_one_empty_chunk():
    campaign = CampaignFactory(voting_method="ranked")
    IdeaFactory(campaign=campaign)
    result = finalised(campaign)

    assert result.digest == hashlib.sha256(b"[]").hexdigest() == audit_digest([])
    assert list(AuditChunk.objects.filter(result=result).values_list("number", "entry_count")) == [
        (1, 0)
    ]


def test_a_live_result_writes_no_chunk():
    campaign = voted_campaign("single", voters=3)
    result_compute(campaign=campaign)
    assert not AuditChunk.objects.exists()


# --- the API ------------------------------------------------------------------------------


def test_the_pages_joined_are_the_list_and_the_download_is_its_lines(api_client, small_chunks):
    campaign = voted_campaign("schulze")
    listed = audit_entries(campaign=campaign)
    result = finalised(campaign)
    url = f"/api/v1/campaigns/{campaign.slug}/audit/"

    pages, served, next_url = [], [], url
    while next_url:
        response = api_client.get(next_url)
        assert response.status_code == 200
        body = response.json()
        pages.append(body)
        served.extend(body["results"])
        next_url = body["next"]
    assert served == listed
    assert [page["page"] for page in pages] == list(range(1, len(pages) + 1))
    assert pages[0]["previous"] is None and pages[1]["previous"].endswith("page=1")
    assert {(p["digest"], p["count"], p["pages"]) for p in pages} == {
        (result.digest, len(listed), len(pages))
    }
    assert len(pages) == (len(listed) + 3) // 4

    download = api_client.get(url, {"format": "jsonl"})
    assert download.status_code == 200
    assert download["Content-Type"] == "application/gzip"
    assert download["Content-Disposition"] == (
        f'attachment; filename="{campaign.slug}-audit.jsonl.gz"'
    )
    lines = gzip.decompress(b"".join(download.streaming_content)).splitlines()
    assert [json.loads(line) for line in lines] == listed
    assert hashlib.sha256(b"[" + b",".join(lines) + b"]").hexdigest() == result.digest


def test_a_page_costs_the_same_queries_whatever_the_lists_length(api_client, small_chunks):
    small, large = voted_campaign("single", voters=2), voted_campaign("single", voters=30)
    finalised(small), finalised(large)
    counts = []
    for campaign, page in [(small, 1), (large, 1), (large, 5)]:
        with CaptureQueriesContext(connection) as queries:
            response = api_client.get(f"/api/v1/campaigns/{campaign.slug}/audit/?page={page}")
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts == [counts[0]] * 3
    assert counts[0] <= 4


@pytest.mark.parametrize(
    ("query", "status"),
    [("page=abc", 400), ("page=0", 400), ("page=-1", 400), ("page=1.5", 400),
     ("page=99999999999", 400), ("page=9", 404), ("format=xml", 404)],
)  # fmt: skip
def test_a_bad_page_is_a_clear_client_error(api_client, query, status):
    campaign = voted_campaign("approval", voters=3)
    finalised(campaign)

    response = api_client.get(f"/api/v1/campaigns/{campaign.slug}/audit/?{query}")
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert response.json()


def test_the_audit_has_the_results_visibility(api_as, api_client):
    reviewed = voted_campaign("single", voters=3)
    now = timezone.now()
    type(reviewed).objects.filter(pk=reviewed.pk).update(
        submission_opens_at=now - timedelta(days=9), submission_closes_at=now - timedelta(days=2),
        voting_opens_at=now - timedelta(days=9), voting_closes_at=now - timedelta(days=1),
        results_at=now + timedelta(days=3),
    )  # fmt: skip
    results_finalize_due()
    assert CampaignResult.objects.get(campaign=reviewed).is_final
    private = CampaignFactory(is_private=True)
    IdeaFactory(campaign=private)
    finalised(private)
    open_campaign = voted_campaign("single", voters=3)
    result_compute(campaign=open_campaign)  # a live result: no audit yet

    for campaign in (reviewed, private, open_campaign):
        url = f"/api/v1/campaigns/{campaign.slug}/audit/"
        for client in (api_client, api_as(UserFactory())):
            assert client.get(url).status_code == 404
            assert client.get(url, {"format": "jsonl"}).status_code == 404
    for campaign in (reviewed, private):
        team = api_as(BrandMembershipFactory(brand=campaign.brand, role="analyst").user)
        url = f"/api/v1/campaigns/{campaign.slug}/audit/"
        assert team.get(url).status_code == 200
        assert team.get(url, {"format": "jsonl"}).status_code == 200


# --- results published before the chunks --------------------------------------------------


def test_a_result_published_before_the_chunks_gets_them_once(api_client, small_chunks):
    campaign = voted_campaign("irv")
    result = finalised(campaign)
    AuditChunk.objects.all().delete()
    url = f"/api/v1/campaigns/{campaign.slug}/audit/"

    body = api_client.get(url, {"page": 2}).json()
    assert body["results"] == audit_entries(campaign=campaign)[4:8]
    chunk_ids = set(AuditChunk.objects.values_list("pk", flat=True))
    assert api_client.get(url).status_code == 200
    assert set(AuditChunk.objects.values_list("pk", flat=True)) == chunk_ids  # not rewritten
    assert audit_store.chunks_digest(result_id=result.pk)[0] == result.digest


def test_the_build_command_writes_missing_chunks_and_refuses_a_changed_list(capsys, api_client):
    kept, changed = voted_campaign("single", voters=3), voted_campaign("approval", voters=3)
    finalised(kept), finalised(changed)
    AuditChunk.objects.all().delete()
    CampaignResult.objects.filter(campaign=changed).update(digest="0" * 64)

    call_command("audit_chunks_build")
    assert "1 audit lists written." in capsys.readouterr().out
    assert set(AuditChunk.objects.values_list("result_id", flat=True)) == {kept.pk}
    response = api_client.get(f"/api/v1/campaigns/{changed.slug}/audit/")
    assert response.status_code == 409
    assert response.json()["code"] == "audit_mismatch"
    assert not AuditChunk.objects.filter(result_id=changed.pk).exists()


def test_the_recount_detects_tampered_chunks(capsys):
    campaign = voted_campaign("budget", voters=4)
    result = finalised(campaign)
    call_command("results_recount", campaign.slug)
    assert "OK: the recount matches" in capsys.readouterr().out
    chunk = AuditChunk.objects.get(result=result, number=1)
    lines = audit_store.chunk_lines(chunk.data)
    chunk.data = gzip.compress(b"\n".join(lines[1:]) + b"\n")
    chunk.save()

    with pytest.raises(CommandError):
        call_command("results_recount", campaign.slug)
    assert "chunks of the audit list differ" in capsys.readouterr().err
