"""The audit list of large elections: the final result with its chunks, the recount, a
page of /api/v1/campaigns/<slug>/audit/ and the whole download.

    python scripts/audit_bench.py --ballots 100000 [--formats ranked-schulze,pairwise]

Seeds like scripts/elections_bench.py (whose database, seeding and forked measurements it
reuses; FOULE_ELECTIONS_DATABASE names the database). Per format: the final result is
computed and committed (chunks written) in a forked child, its time and peak memory
printed; then results_recount's streamed digest, the download streamed to nowhere, and
REQUESTS pages read in this process through Django's whole request stack (anonymous,
random pages), their p50 and p99. The campaign is closed for the pages, then reopened and
its result deleted, so the script can be run again."""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import elections_bench as bench  # noqa: E402 (sets up Django and its database)
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from campaigns.models import Campaign  # noqa: E402
from voting.models import AuditChunk, CampaignResult  # noqa: E402
from voting.results import result_compute, result_recount  # noqa: E402

REQUESTS = 200


def _forget(campaign: Campaign) -> None:
    AuditChunk.objects.filter(result_id=campaign.pk).delete()
    CampaignResult.objects.filter(campaign=campaign).delete()


def _final(slug: str):
    def job():
        with transaction.atomic():
            result_compute(campaign=Campaign.objects.get(slug=slug), final=True)

    return job


def _recount(slug: str):
    def job():
        result_recount(campaign=Campaign.objects.get(slug=slug))

    return job


def _download(slug: str):
    def job():
        response = Client(SERVER_NAME="localhost").get(
            f"/api/v1/campaigns/{slug}/audit/?format=jsonl"
        )
        assert response.status_code == 200, (response.status_code, response.content[:300])
        sum(len(part) for part in response.streaming_content)

    return job


def _pages(slug: str) -> tuple[float, float, int]:
    client = Client(SERVER_NAME="localhost")
    url = f"/api/v1/campaigns/{slug}/audit/"
    pages = client.get(url).json()["pages"]
    rng = random.Random(1)
    timings = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        response = client.get(url, {"page": rng.randint(1, pages)})
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    timings.sort()
    return statistics.median(timings) * 1000, timings[int(len(timings) * 0.99) - 1] * 1000, pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ballots", type=int, default=100_000)
    parser.add_argument("--formats", default="single,ranked-schulze,pairwise")
    options = parser.parse_args()
    call_command("migrate", verbosity=0)
    AuditChunk.objects.all().delete()  # the seeding deletes results with raw SQL
    if bench._seeded_count() != options.ballots:
        bench._seed(options.ballots)
    print(f"\n{options.ballots:,} | final s | final MB | recount s | recount MB "
          "| download s | download MB | pages | page p50 ms | page p99 ms")  # fmt: skip
    for name in options.formats.split(","):
        slug = f"election-{name}"
        campaign = Campaign.objects.get(slug=slug)
        _forget(campaign)
        opened = (campaign.voting_opens_at, campaign.voting_closes_at, campaign.results_at)
        past = timezone.now() - timedelta(minutes=1)
        Campaign.objects.filter(pk=campaign.pk).update(
            voting_opens_at=past - timedelta(days=1), voting_closes_at=past, results_at=None
        )
        try:
            final = bench._measure(_final(slug))
            recount = bench._measure(_recount(slug))
            download = bench._measure(_download(slug))
            p50, p99, pages = _pages(slug)
        finally:
            _forget(campaign)
            Campaign.objects.filter(pk=campaign.pk).update(
                voting_opens_at=opened[0], voting_closes_at=opened[1], results_at=opened[2]
            )
        print(f"{name:>15} | {final[0]:7.2f} | {final[1]:8.0f} | {recount[0]:9.2f} | "
              f"{recount[1]:10.0f} | {download[0]:10.2f} | {download[1]:11.0f} | {pages:5} | "
              f"{p50:11.1f} | {p99:11.1f}", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
