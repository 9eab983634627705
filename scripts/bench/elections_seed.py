"""The elections' data, in their own database (BENCH_ELECTIONS_DATABASE), kept between runs:
one open campaign per ballot format with BENCH_BALLOTS ballots by as many voters (10
candidates and partial rankings drawn by popularity, Plackett-Luce, for single choice,
approval (at most 5), ranked (Schulze and IRV) and budget; 50 ideas and as many answered
pairs for the pairwise survey), plus LOAD_VOTERS voters with verified emails and personal
API tokens (the ballots and votes cast during the run) and an up/down campaign of
UPDOWN_IDEAS ideas for the tally lag. Every row is written by PostgreSQL itself (INSERT ...
SELECT generate_series): about 1 minute a format at 1,000,000 ballots on 2 cores.

A later run reuses the data when its marker (ballots, load voters, seed version) matches,
after `reset()` has removed what the last run added (the load voters' ballots, answers and
votes, every result and its audit chunks)."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field

import psycopg
from django.core.management import call_command
from django.db import connection, connections

from accounts.tokens import SECRET_PREFIX, secret_hash
from scripts.bench.knobs import BALLOTS, ELECTIONS_DATABASE, LOAD_VOTERS, UPDOWN_IDEAS
from scripts.bench.report import note
from scripts.bench.seed import execute, timed
from tests.factories import BrandFactory, CampaignFactory
from voting import aggregates
from voting.tally import tally_recompute

FORMATS = {  # name -> (voting_method, ranked_method, ideas)
    "single": ("single", "schulze", 10),
    "approval": ("approval", "schulze", 10),
    "ranked-schulze": ("ranked", "schulze", 10),
    "ranked-irv": ("ranked", "irv", 10),
    "budget": ("budget", "schulze", 10),
    "pairwise": ("pairwise", "schulze", 50),
}
APPROVAL_LIMIT, BUDGET = 5, 100_000
# Raised whenever the seeded rows change shape: a kept database of an older seed is rebuilt.
SEED_VERSION = 1
MARKER = "bench_elections_seed"
UPDOWN_SLUG = "election-updown"


@dataclass
class Elections:
    first_load_voter: int
    tokens: list[str]
    candidates: dict[str, list[int]] = field(default_factory=dict)  # format -> idea ids
    costs: dict[int, int] = field(default_factory=dict)  # budget ideas' costs
    updown_first_idea: int = 0


def _server(database: str = "postgres") -> psycopg.Connection:
    settings = connection.settings_dict
    return psycopg.connect(
        dbname=database, host=settings["HOST"] or None, port=settings["PORT"] or None,
        user=settings["USER"] or None, password=settings["PASSWORD"] or None, autocommit=True,
    )  # fmt: skip


def database_use(*, reseed: bool) -> str:
    """Point Django at the elections database (created when missing or when `reseed`),
    migrated. "reuse" when its seeded data matches the knobs, "empty" when it has none,
    "other" when it holds another seed."""
    connections.close_all()
    with _server() as server:
        exists = server.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [ELECTIONS_DATABASE]
        ).fetchone()
        if exists and reseed:
            server.execute(f'DROP DATABASE "{ELECTIONS_DATABASE}" WITH (FORCE)')
            exists = None
        if not exists:
            server.execute(f'CREATE DATABASE "{ELECTIONS_DATABASE}"')
    connection.settings_dict["NAME"] = ELECTIONS_DATABASE
    with timed("elections database migrated"):
        call_command("migrate", verbosity=0, interactive=False)
    execute(f"CREATE TABLE IF NOT EXISTS {MARKER} (ballots bigint, load_voters int, version int)")
    marker = execute(f"SELECT ballots, load_voters, version FROM {MARKER}")  # noqa: S608
    if marker and tuple(marker[0]) == (BALLOTS, LOAD_VOTERS, SEED_VERSION):
        return "reuse"
    return "other" if execute("SELECT count(*) FROM accounts_user")[0][0] else "empty"


def database_drop() -> None:
    connections.close_all()
    with _server() as server:
        server.execute(f'DROP DATABASE IF EXISTS "{ELECTIONS_DATABASE}" WITH (FORCE)')


def seed() -> None:
    """Every row, into an empty (just created) database."""
    print(f"seeding {BALLOTS:,} ballots per format into {ELECTIONS_DATABASE}:", flush=True)
    with timed(f"{BALLOTS:,} voters and {LOAD_VOTERS:,} load voters"):
        execute(
            """INSERT INTO accounts_user (password, is_superuser, first_name, last_name,
                   is_staff, is_active, date_joined, email, display_name)
               SELECT '!', false, '', '', false, true, now() - interval '30 days',
                   'voter' || g || '@example.org', ''
               FROM generate_series(1, %s) g""", [BALLOTS])  # fmt: skip
        # The voters of the run (ballots, answers and votes over HTTP and through the
        # services): verified emails, as the rules ask of anyone who votes.
        execute(
            """INSERT INTO accounts_user (password, is_superuser, first_name, last_name,
                   is_staff, is_active, date_joined, email, display_name)
               SELECT '!', false, '', '', false, true, now() - interval '30 days',
                   'load' || g || '@example.org', ''
               FROM generate_series(1, %s) g""", [LOAD_VOTERS])  # fmt: skip
        execute("""INSERT INTO account_emailaddress (email, verified, "primary", user_id)
                   SELECT email, true, true, id FROM accounts_user WHERE email LIKE 'load%%'""")
    first_user = execute("SELECT min(id) FROM accounts_user WHERE email LIKE 'voter%%'")[0][0]
    brand = BrandFactory()
    for name, (method, ranked_method, ideas) in FORMATS.items():
        with timed(f"{name}: {ideas} ideas and {BALLOTS:,} ballots"):
            campaign = CampaignFactory(
                brand=brand, slug=f"election-{name}", title=name, voting_method=method,
                ranked_method=ranked_method, budget_amount=BUDGET,
                max_votes_per_voter=APPROVAL_LIMIT if method == "approval" else None,
            )  # fmt: skip
            _ideas_insert(campaign.pk, ideas, author_sql=str(first_user))
            if method == "pairwise":
                _pairs_insert(campaign.pk, first_user, BALLOTS)
            else:
                _ballots_insert(campaign.pk, method, first_user, BALLOTS)
    with timed(f"the up/down campaign's {UPDOWN_IDEAS:,} ideas"):
        campaign = CampaignFactory(brand=brand, slug=UPDOWN_SLUG, title="Up and down")
        # Idea k is by load voter k mod LOAD_VOTERS, as scripts/bench/lua/vote.lua expects.
        first_load = execute("SELECT min(id) FROM accounts_user WHERE email LIKE 'load%%'")[0][0]
        _ideas_insert(campaign.pk, UPDOWN_IDEAS, author_sql=f"{first_load} + g %% {LOAD_VOTERS}")
    with timed("VACUUM ANALYZE"):
        execute("VACUUM ANALYZE")
    execute(f"DELETE FROM {MARKER}")  # noqa: S608
    execute(f"INSERT INTO {MARKER} VALUES (%s, %s, %s)", [BALLOTS, LOAD_VOTERS, SEED_VERSION])  # noqa: S608


def _ideas_insert(campaign_id: int, ideas: int, *, author_sql: str) -> None:
    """Idea g: popularity 1/(g+1) for the ballots (a few favourites, a long tail); budget
    costs vary from 10,000 to 50,000. `author_sql` is an SQL expression of g (no input)."""
    execute(
        f"""INSERT INTO ideas_idea (created_at, updated_at, title, body, body_html, status,
               hidden_reason, content_hash, author_id, campaign_id, image, is_candidate,
               answer, cost)
           SELECT now() - interval '2 days', now() - interval '2 days', 'Idea ' || g, 'Body',
               '<p>Body</p>', 'published', '', md5(%s || ':' || g), {author_sql}, %s, '',
               true, '', 10000 + (g * 7919) %% 40000
           FROM generate_series(0, %s - 1) g""",  # noqa: S608 (author_sql is ours)
        [campaign_id, campaign_id, ideas])  # fmt: skip
    execute(
        """INSERT INTO voting_ideatally (idea_id, campaign_id, upvotes, downvotes, score,
               wilson_lower_bound, highest_milestone, rating_sum, method_score, hot_score,
               controversy, support_stage, support_status, exposure_score, impressions)
           SELECT id, campaign_id, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 'active', 0, 0
           FROM ideas_idea WHERE campaign_id = %s""", [campaign_id])  # fmt: skip


def _ballots_insert(campaign_id: int, method: str, first_user: int, ballots: int) -> None:
    execute(
        """INSERT INTO voting_ballot (campaign_id, voter_id, receipt, created_at, updated_at)
           SELECT %s, %s + g, md5(%s || ':' || g), now() - interval '1 day',
               now() - interval '1 day'
           FROM generate_series(0, %s - 1) g""",
        [campaign_id, first_user, campaign_id, ballots])  # fmt: skip
    # How many choices a ballot makes: one (single); 1-5 (approval); 1-10, mostly short
    # (ranked); as many as the budget allows (budget, cut below).
    length = {
        "single": "1", "approval": "1 + floor(random() * 5)",
        "ranked": "1 + floor(power(random(), 2) * 10)", "budget": "10",
    }[method]  # fmt: skip
    rank = "r" if method == "ranked" else "NULL"
    execute(
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


def _pairs_insert(campaign_id: int, first_user: int, answers: int) -> None:
    ideas = [row[0] for row in execute(
        "SELECT id FROM ideas_idea WHERE campaign_id = %s ORDER BY id", [campaign_id])]  # fmt: skip
    # Pair (a, b) drawn uniformly; the better-placed idea wins 70% of the time; 5% skipped.
    execute(
        """INSERT INTO voting_pairwiseprompt (campaign_id, voter_id, left_id, right_id, token,
               issued_at, answered_at, outcome)
           SELECT %(campaign)s, %(user)s + g %% %(n)s, ideas[a + 1], ideas[b + 1],
               md5(%(campaign)s || ':' || g) || md5(g || ':' || %(campaign)s),
               now() - interval '1 day', now() - interval '1 day',
               CASE WHEN u < 0.05 THEN 'skip' WHEN (u < 0.75) = (a < b) THEN 'left'
                    ELSE 'right' END
           FROM (SELECT g, a, (a + 1 + floor(random() * (%(size)s - 1))::int) %% %(size)s AS b,
                        random() AS u, %(ideas)s::bigint[] AS ideas
                 FROM (SELECT g, floor(random() * %(size)s)::int AS a
                       FROM generate_series(0, %(n)s - 1) g) s) p""",
        {"campaign": campaign_id, "user": first_user, "n": answers, "size": len(ideas),
         "ideas": ideas})  # fmt: skip


def reset() -> Elections:
    """Back to the seeded state: the load voters' ballots, answers and votes removed, every
    result, audit chunk and stored aggregate deleted (derived data, rebuilt by the workers),
    the campaigns open again; then fresh API tokens for the load voters."""
    load = "SELECT id FROM accounts_user WHERE email LIKE 'load%%'"
    with timed("reset to the seeded state"):
        ballots = f"SELECT id FROM voting_ballot WHERE voter_id IN ({load})"  # noqa: S608
        execute(f"DELETE FROM voting_ballotchoice WHERE ballot_id IN ({ballots})")  # noqa: S608
        execute(f"DELETE FROM voting_ballot WHERE voter_id IN ({load})")  # noqa: S608
        execute(f"DELETE FROM voting_pairwiseprompt WHERE voter_id IN ({load})")  # noqa: S608
        execute(f"DELETE FROM voting_vote WHERE voter_id IN ({load})")  # noqa: S608
        execute("DELETE FROM voting_auditchunk")
        execute("DELETE FROM voting_campaignresult")
        for (campaign_id,) in execute("SELECT id FROM campaigns_campaign"):
            aggregates.aggregate_drop(campaign_id=campaign_id)  # rebuilt by the first tick
        execute(
            """UPDATE campaigns_campaign SET voting_opens_at = now() - interval '1 day',
                   voting_closes_at = now() + interval '20 days', results_at = NULL"""
        )
        updown = [row[0] for row in execute(
            """SELECT i.id FROM ideas_idea i JOIN campaigns_campaign c ON c.id = i.campaign_id
               WHERE c.slug = %s ORDER BY i.id""", [UPDOWN_SLUG])]  # fmt: skip
        tally_recompute(idea_ids=updown)
        user_ids = [row[0] for row in execute(f"{load} ORDER BY id")]
        tokens = [SECRET_PREFIX + secrets.token_urlsafe(32) for _ in user_ids]
        execute(f"DELETE FROM accounts_apitoken WHERE user_id IN ({load})")  # noqa: S608
        execute(
            """INSERT INTO accounts_apitoken (user_id, name, prefix, key_hash, created_at,
                   expires_at)
               SELECT t.user_id, 'bench', substr(t.secret, 1, 12), t.key_hash, now(),
                   now() + interval '1 day'
               FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS t(user_id, secret, key_hash)""",
            [user_ids, tokens, [secret_hash(secret) for secret in tokens]])  # fmt: skip
        execute("VACUUM ANALYZE voting_ballot, voting_ballotchoice, voting_pairwiseprompt")
    elections = Elections(first_load_voter=user_ids[0], tokens=tokens)
    for slug, idea_id, cost in execute(
        """SELECT c.slug, i.id, i.cost FROM ideas_idea i
           JOIN campaigns_campaign c ON c.id = i.campaign_id ORDER BY i.id"""
    ):
        name = slug.removeprefix("election-")
        if name in FORMATS:
            elections.candidates.setdefault(name, []).append(idea_id)
            elections.costs[idea_id] = cost or 0
        elif slug == UPDOWN_SLUG and not elections.updown_first_idea:
            elections.updown_first_idea = idea_id
    note(f"{len(tokens):,} load voters with fresh API tokens; {len(updown):,} up/down ideas")
    return elections


def prepare(*, reseed: bool) -> Elections:
    started = time.perf_counter()
    state = database_use(reseed=reseed)
    if state == "other":
        state = database_use(reseed=True)
    if state == "reuse":
        note(f"reusing the seeded data of {ELECTIONS_DATABASE} ({BALLOTS:,} ballots a format)")
    else:
        seed()
    elections = reset()
    note(f"elections data ready in {time.perf_counter() - started:.0f} s")
    return elections
