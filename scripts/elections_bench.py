"""One live recompute and one final result of large elections, per ballot format.

    python scripts/elections_bench.py --ballots 100000 [--formats single,ranked-irv] [--reseed]

Seeds, into its own database (FOULE_ELECTIONS_DATABASE, `foule_elections` by default,
created and migrated if missing; re-seeded when the number of ballots differs or with
--reseed), one open campaign per format with N ballots: 10 candidates and partial
rankings drawn by popularity (Plackett-Luce) for single choice, approval (at most 5),
ranked (Schulze and IRV) and budget; 50 ideas and N answered pairs for the pairwise
survey. The rows are written by PostgreSQL itself (INSERT ... SELECT generate_series).

Each measurement runs in a forked child whose peak resident memory (VmHWM) is reset at
its start, so the figure is one computation's peak. The final result is rolled back, so
the campaigns stay open and the script can be run again."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# Its own database (never the one of `make run` or of the tests), created if missing.
DATABASE = os.environ.get("FOULE_ELECTIONS_DATABASE", "foule_elections")
_SERVER = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/foule")
_SERVER = _SERVER.rsplit("/", 1)[0]
os.environ["DATABASE_URL"] = f"{_SERVER}/{DATABASE}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ.setdefault("FOULE_REDIS_PREFIX", f"foule-{DATABASE}")

import django  # noqa: E402
import psycopg  # noqa: E402

with psycopg.connect(f"{_SERVER}/postgres", autocommit=True) as _server:
    if not _server.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone():
        _server.execute(f'CREATE DATABASE "{DATABASE}"')
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402

from campaigns.models import Campaign  # noqa: E402
from tests.factories import BrandFactory, CampaignFactory  # noqa: E402
from voting.results import result_compute  # noqa: E402

FORMATS = {  # name -> (voting_method, ranked_method, ideas)
    "single": ("single", "schulze", 10),
    "approval": ("approval", "schulze", 10),
    "ranked-schulze": ("ranked", "schulze", 10),
    "ranked-irv": ("ranked", "irv", 10),
    "budget": ("budget", "schulze", 10),
    "pairwise": ("pairwise", "schulze", 50),
}
APPROVAL_LIMIT, BUDGET = 5, 100_000


def _execute(sql: str, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else None


def _seed(ballots: int) -> None:
    print(f"seeding {ballots:,} ballots per format ...", flush=True)
    started = time.perf_counter()
    for table in ("voting_campaignresult", "voting_ballotchoice", "voting_ballot",
                  "voting_pairwiseprompt", "voting_ideatally", "ideas_idea"):  # fmt: skip
        _execute(f"DELETE FROM {table}")  # noqa: S608 (names above)
    Campaign.objects.all().delete()
    _execute("DELETE FROM accounts_user WHERE email LIKE 'voter%%@example.org'")
    _execute(
        """INSERT INTO accounts_user (password, is_superuser, first_name, last_name, is_staff,
               is_active, date_joined, email, display_name)
           SELECT '!', false, '', '', false, true, now(), 'voter' || g || '@example.org', ''
           FROM generate_series(1, %s) g""", [ballots])  # fmt: skip
    first_user = _execute("SELECT min(id) FROM accounts_user WHERE email LIKE 'voter%%'")[0][0]
    brand = BrandFactory()
    for name, (method, ranked_method, ideas) in FORMATS.items():
        campaign = CampaignFactory(
            brand=brand, slug=f"election-{name}", title=name, voting_method=method,
            ranked_method=ranked_method, budget_amount=BUDGET,
            max_votes_per_voter=APPROVAL_LIMIT if method == "approval" else None,
        )  # fmt: skip
        # Idea g: popularity 1/(g+1) (a few favourites, a long tail); budget costs vary.
        _execute(
            """INSERT INTO ideas_idea (created_at, updated_at, title, body, body_html, status,
                   hidden_reason, content_hash, author_id, campaign_id, image, is_candidate,
                   answer, cost)
               SELECT now(), now(), 'Idea ' || g, 'Body', '<p>Body</p>', 'published', '',
                   md5(%s || ':' || g), %s, %s, '', true, '', 10000 + (g * 7919) %% 40000
               FROM generate_series(0, %s - 1) g""",
            [campaign.pk, first_user, campaign.pk, ideas])  # fmt: skip
        _execute(
            """INSERT INTO voting_ideatally (idea_id, campaign_id, upvotes, downvotes, score,
                   wilson_lower_bound, highest_milestone, rating_sum, method_score, hot_score,
                   controversy, support_stage, support_status, exposure_score, impressions)
               SELECT id, campaign_id, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 'active', 0, 0
               FROM ideas_idea WHERE campaign_id = %s""", [campaign.pk])  # fmt: skip
        if method == "pairwise":
            _seed_pairs(campaign.pk, first_user, ballots)
        else:
            _seed_ballots(campaign.pk, method, first_user, ballots)
        print(f"  {name}: {time.perf_counter() - started:.1f} s", flush=True)
    _execute("ANALYZE")


def _seed_ballots(campaign_id: int, method: str, first_user: int, ballots: int) -> None:
    _execute(
        """INSERT INTO voting_ballot (campaign_id, voter_id, receipt, created_at, updated_at)
           SELECT %s, %s + g, md5(%s || ':' || g), now(), now()
           FROM generate_series(0, %s - 1) g""",
        [campaign_id, first_user, campaign_id, ballots])  # fmt: skip
    # How many choices a ballot makes: one (single); 1-5 (approval); 1-10, mostly short
    # (ranked); as many as the budget allows (budget, cut below).
    length = {
        "single": "1", "approval": "1 + floor(random() * 5)",
        "ranked": "1 + floor(power(random(), 2) * 10)", "budget": "10",
    }[method]  # fmt: skip
    rank = "r" if method == "ranked" else "NULL"
    _execute(
        f"""INSERT INTO voting_ballotchoice (ballot_id, idea_id, rank)
            SELECT ballot_id, idea_id, {rank} FROM (
                SELECT b.id AS ballot_id, i.id AS idea_id, b.length,
                    row_number() OVER w AS r, sum(i.cost) OVER w AS spent
                FROM (SELECT id, {length} AS length FROM voting_ballot
                      WHERE campaign_id = %s) b
                CROSS JOIN (SELECT id, cost, row_number() OVER (ORDER BY id) AS n
                            FROM ideas_idea WHERE campaign_id = %s) i
                WINDOW w AS (PARTITION BY b.id ORDER BY -ln(1 - random()) * i.n)
            ) s
            WHERE r <= length AND (%s <> 'budget' OR spent <= %s)""",  # noqa: S608
        [campaign_id, campaign_id, method, BUDGET])  # fmt: skip


def _seed_pairs(campaign_id: int, first_user: int, answers: int) -> None:
    ideas = [row[0] for row in _execute(
        "SELECT id FROM ideas_idea WHERE campaign_id = %s ORDER BY id", [campaign_id])]  # fmt: skip
    # Pair (a, b) drawn uniformly; the better-placed idea wins 70% of the time; 5% skipped.
    _execute(
        """INSERT INTO voting_pairwiseprompt (campaign_id, voter_id, left_id, right_id, token,
               issued_at, answered_at, outcome)
           SELECT %(campaign)s, %(user)s + g %% %(n)s, ideas[a + 1], ideas[b + 1],
               md5(%(campaign)s || ':' || g) || md5(g || ':' || %(campaign)s), now(), now(),
               CASE WHEN u < 0.05 THEN 'skip' WHEN (u < 0.75) = (a < b) THEN 'left'
                    ELSE 'right' END
           FROM (SELECT g, a, (a + 1 + floor(random() * (%(size)s - 1))::int) %% %(size)s AS b,
                        random() AS u, %(ideas)s::bigint[] AS ideas
                 FROM (SELECT g, floor(random() * %(size)s)::int AS a
                       FROM generate_series(0, %(n)s - 1) g) s) p""",
        {"campaign": campaign_id, "user": first_user, "n": answers, "size": len(ideas),
         "ideas": ideas})  # fmt: skip


def _seeded_count() -> int:
    rows = _execute("SELECT count(*) FROM voting_ballot b JOIN campaigns_campaign c "
                    "ON c.id = b.campaign_id WHERE c.slug = 'election-single'")  # fmt: skip
    return rows[0][0] if rows else 0


def _measure(job) -> tuple[float, float]:
    """(seconds, peak MB) of job() in a forked child with its own connection."""
    connections.close_all()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: reset the peak, run, report, leave without cleanup
        os.close(read)
        Path("/proc/self/clear_refs").write_text("5")
        started = time.perf_counter()
        job()
        seconds = time.perf_counter() - started
        peak = next(line for line in Path("/proc/self/status").read_text().splitlines()
                    if line.startswith("VmHWM"))  # fmt: skip
        os.write(write, f"{seconds} {int(peak.split()[1]) / 1024}".encode())
        os._exit(0)
    os.close(write)
    output = os.read(read, 200).decode()
    os.waitpid(pid, 0)
    seconds, peak = output.split()
    return float(seconds), float(peak)


def _live(slug: str):
    def job():
        result_compute(campaign=Campaign.objects.get(slug=slug))

    return job


def _final(slug: str):
    def job():
        with transaction.atomic():
            result_compute(campaign=Campaign.objects.get(slug=slug), final=True)
            transaction.set_rollback(True)  # the campaign stays open for the next run

    return job


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ballots", type=int, default=100_000)
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--no-final", action="store_true", help="measure the live path only")
    options = parser.parse_args()
    call_command("migrate", verbosity=0)
    if options.reseed or _seeded_count() != options.ballots:
        _seed(options.ballots)
    print(f"\n{options.ballots:,} ballots | live s | live MB | final s | final MB")
    for name in options.formats.split(","):
        slug = f"election-{name}"
        live = _measure(_live(slug))
        final = (0.0, 0.0) if options.no_final else _measure(_final(slug))
        print(f"{name:>15} | {live[0]:6.2f} | {live[1]:7.0f} | {final[0]:7.2f} | {final[1]:8.0f}",
              flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
