"""The benchmark's data: one open up/down campaign with its ideas, voters (verified email,
personal API token), votes and tallies, written by INSERT ... SELECT generate_series (the
rows are built by PostgreSQL itself; 1,000,000 votes take about 15 s with their indexes),
and a copy of the vote table for pgbench."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import connection

from accounts.tokens import SECRET_PREFIX, secret_hash
from tests.factories import BrandFactory, CampaignFactory
from voting.models import IdeaTally
from voting.tally import tally_recompute


@dataclass
class Seeded:
    campaign_id: int
    slug: str
    first_user: int
    first_idea: int
    tokens: list[str]


def timed(label: str):
    class Timer:
        def __enter__(self):
            self.started = time.perf_counter()
            return self

        def __exit__(self, *exc):
            self.seconds = time.perf_counter() - self.started
            print(f"  ({label}: {self.seconds:.1f} s)", flush=True)

    return Timer()


def execute(sql: str, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else None


def seed(*, ideas: int, votes: int, users: int) -> Seeded:
    """Idea k (k = 0 ... ideas-1) is by user k mod `users` and gets votes // ideas votes,
    from users k+1, k+2, ... (mod `users`): unique (voter, idea) pairs, never the author.
    Idea k has k mod (per_idea + 1) of them down: every split from all up to all down, so
    the recount check meets each edge of the score formulas."""
    # Open for ideas and votes (CampaignFactory's dates), published, up/down.
    campaign = CampaignFactory(brand=BrandFactory(), slug="bench", title="Bench")
    with timed(f"{users:,} users, verified emails and API tokens"):
        execute(
            """INSERT INTO accounts_user (password, is_superuser, first_name, last_name,
                   is_staff, is_active, date_joined, email, display_name)
               SELECT '!', false, '', '', false, true, now(), 'bench' || g || '@example.org', ''
               FROM generate_series(1, %s) g""", [users])  # fmt: skip
        execute("""INSERT INTO account_emailaddress (email, verified, "primary", user_id)
                   SELECT email, true, true, id FROM accounts_user""")
        # Personal API tokens (accounts/tokens.py): real random secrets, made here and
        # kept for the load generator; the database holds only their SHA-256.
        user_ids = [row[0] for row in execute("SELECT id FROM accounts_user ORDER BY id")]
        tokens = [SECRET_PREFIX + secrets.token_urlsafe(32) for _ in user_ids]
        execute(
            """INSERT INTO accounts_apitoken (user_id, name, prefix, key_hash, created_at,
                   expires_at)
               SELECT t.user_id, 'bench', substr(t.secret, 1, 12), t.key_hash, now(),
                   now() + interval '1 day'
               FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS t(user_id, secret, key_hash)""",
            [user_ids, tokens, [secret_hash(secret) for secret in tokens]])  # fmt: skip
    first_user = execute("SELECT min(id) FROM accounts_user")[0][0]
    per_idea = max(1, votes // ideas)
    # The milestones the seeded vote counts have passed (their events are not seeded).
    passed = max([m for m in settings.FOULE_VOTE_MILESTONES if m <= per_idea] or [0])
    with timed(f"{ideas:,} ideas and their tallies"):
        execute(
            """INSERT INTO ideas_idea (created_at, updated_at, title, body, body_html, status,
                   hidden_reason, content_hash, author_id, campaign_id, image, is_candidate,
                   answer)
               SELECT now() - interval '2 days' - (g || ' seconds')::interval,
                   now() - interval '2 days', 'Idea ' || g, 'Body',
                   '<p>Body</p>', 'published', '', md5(g::text) || md5(g::text),
                   %s + (g %% %s), %s, '', false, ''
               FROM generate_series(0, %s - 1) g""",
            [first_user, users, campaign.pk, ideas])  # fmt: skip
        execute(
            """INSERT INTO voting_ideatally (idea_id, campaign_id, upvotes, downvotes, score,
                   wilson_lower_bound, highest_milestone, rating_sum, method_score, hot_score,
                   controversy, support_stage, support_status, exposure_score, impressions)
               SELECT id, campaign_id, 0, 0, 0, 0, %s, 0, 0, 0, 0, 0, 'active', 0, 0
               FROM ideas_idea WHERE campaign_id = %s""", [passed, campaign.pk])  # fmt: skip
    first_idea = execute("SELECT min(id) FROM ideas_idea WHERE campaign_id = %s", [campaign.pk])
    first_idea = first_idea[0][0]
    with timed(f"{per_idea * ideas:,} votes"):
        # Row g is vote j = g mod per_idea on idea k = g / per_idea, by user k + 1 + j.
        # Cast in the day before the last 10 minutes (after every idea was posted): the
        # reconciliation task, which recounts ideas voted in the minute before their last
        # recount, then has nothing to redo from the seed, as on a settled database.
        execute(
            """INSERT INTO voting_vote (value, created_at, updated_at, idea_id, voter_id)
               SELECT CASE WHEN g %% %(n)s < (g / %(n)s) %% (%(n)s + 1) THEN -1 ELSE 1 END,
                   now() - interval '10 minutes' - (g %% 86400 || ' seconds')::interval,
                   now() - interval '10 minutes' - (g %% 86400 || ' seconds')::interval,
                   %(idea)s + g / %(n)s, %(user)s + ((g / %(n)s) + 1 + g %% %(n)s) %% %(users)s
               FROM generate_series(0, %(votes)s - 1) g""",
            {"n": per_idea, "idea": first_idea, "user": first_user, "users": users,
             "votes": per_idea * ideas})  # fmt: skip
    return Seeded(campaign.pk, campaign.slug, first_user, first_idea, tokens)


PGBENCH_TABLE = "bench_pgbench_vote"


def pgbench_table_create() -> None:
    """A copy of the vote table for pgbench: the same columns, defaults, check constraints,
    unique constraints, indexes and foreign keys, and the same rows. pgbench's upserts land
    there, so they cost what a vote's upsert costs without changing the tallies the run
    checks (nor giving the reconciliation task ideas to recount in a scenario)."""
    with timed("a copy of the vote table for pgbench"):
        # Rows first, then the indexes and constraints: building an index over rows already
        # there is several times faster than keeping it up to date row by row.
        execute(
            f"CREATE TABLE {PGBENCH_TABLE} (LIKE voting_vote INCLUDING DEFAULTS "
            "INCLUDING IDENTITY INCLUDING GENERATED INCLUDING STORAGE)"
        )
        columns = [
            row[0]
            for row in execute(
                """SELECT column_name FROM information_schema.columns
                   WHERE table_name = 'voting_vote' AND column_name <> 'id'"""
            )
        ]
        names = ", ".join(connection.ops.quote_name(column) for column in columns)
        # Without the id: the copy's own identity numbers the rows, as it will pgbench's.
        # Every name below comes from the catalogue: no outside input reaches the SQL.
        copy = f"INSERT INTO {PGBENCH_TABLE} ({names}) SELECT {names} FROM voting_vote"  # noqa: S608
        execute(copy)
        constraints = execute(
            """SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
               WHERE conrelid = 'voting_vote'::regclass ORDER BY contype = 'f', conname"""
        )
        for name, definition in constraints:
            execute(f'ALTER TABLE {PGBENCH_TABLE} ADD CONSTRAINT "bench_{name}" {definition}')
        indexes = execute(
            """SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x
               JOIN pg_class i ON i.oid = x.indexrelid
               WHERE x.indrelid = 'voting_vote'::regclass
                 AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)"""
        )
        for name, definition in indexes:
            head, _, tail = definition.partition(" ON ")
            table_and_rest = tail.split(" ", 1)
            execute(
                head.replace(name, f'"bench_{name}"', 1)
                + f" ON {PGBENCH_TABLE} "
                + table_and_rest[1]
            )


def settle() -> None:
    """VACUUM ANALYZE and CHECKPOINT, so that neither autovacuum (1,000,000 new vote rows,
    100,000 rewritten tallies) nor the checkpointer starts in the middle of a scenario: a
    production database at this size has long been vacuumed."""
    with timed("VACUUM ANALYZE and CHECKPOINT"):
        execute("VACUUM ANALYZE")
        execute("CHECKPOINT")


TALLY_MISMATCHES = """
    SELECT count(*) FROM voting_ideatally t LEFT JOIN (
        SELECT idea_id, count(*) FILTER (WHERE value = 1) AS up,
               count(*) FILTER (WHERE value = -1) AS down
        FROM voting_vote GROUP BY idea_id) v ON v.idea_id = t.idea_id
    WHERE t.campaign_id = %s
        AND (t.upvotes <> coalesce(v.up, 0) OR t.downvotes <> coalesce(v.down, 0))"""


def tallies_differing(campaign_id: int) -> int:
    """The campaign's tallies whose counts differ from a fresh count of the vote rows."""
    return execute(TALLY_MISMATCHES, [campaign_id])[0][0]


COMPARED = ["upvotes", "downvotes", "score", "wilson_lower_bound", "hot_score", "controversy",
            "exposure_score", "last_vote_at", "highest_milestone"]  # fmt: skip


def differing_from_workers(sample_size: int = 2000) -> int:
    """Of `sample_size` random tallies, how many tally_recompute (the workers' path) would
    write differently, to the bit."""
    sample = [
        row[0]
        for row in execute(
            "SELECT idea_id FROM voting_ideatally ORDER BY random() LIMIT %s", [sample_size]
        )
    ]

    def read() -> dict:
        return {
            row[0]: row[1:]
            for row in IdeaTally.objects.filter(idea_id__in=sample).values_list(
                "idea_id", *COMPARED
            )
        }

    before = read()
    tally_recompute(idea_ids=sample)
    after = read()
    differing = [pk for pk in sample if before[pk] != after[pk]]
    for pk in differing[:5]:  # which columns, to mend the path that disagrees
        columns = {
            name: (old, new)
            for name, old, new in zip(COMPARED, before[pk], after[pk], strict=True)
            if old != new
        }
        print(f"  (tally of idea {pk}: recount_all vs tally_recompute {columns})", flush=True)
    return len(differing)
