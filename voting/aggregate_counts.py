"""Live counts read from a campaign's incremental aggregate (voting/aggregates.py), with
the very signatures and results of voting/ballot_counts.py: the formats take either module
as their `counts`. The aggregate keeps each group of identical ballots whole; the ideas
that are no longer candidates (hidden) are filtered out here, and ballots left with none
are not counted, exactly as ballot_counts filters the choices before grouping them."""

from django.db import connection

# Each group of identical ballots, restricted to the candidates (in its order), with how
# many voters cast it; groups left empty are not counted.
_BALLOTS = """
    SELECT choices, voters FROM (
        SELECT ARRAY(
            SELECT idea FROM unnest(key) WITH ORDINALITY AS chosen (idea, position)
            WHERE idea = ANY(%(candidates)s) ORDER BY position
        ) AS choices, count AS voters
        FROM voting_livecount WHERE campaign_id = %(campaign)s
    ) groups WHERE cardinality(choices) > 0
"""


def _rows(sql: str, params: dict) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def first_choice_counts(*, campaign_id: int, candidates: list[int]) -> tuple[dict[int, int], int]:
    """As ballot_counts.first_choice_counts (the lowest candidate id of each ballot)."""
    rows = _rows(
        f"""SELECT first, sum(voters) FROM (
                SELECT (SELECT min(idea) FROM unnest(choices) AS idea) AS first, voters
                FROM ({_BALLOTS}) ballots
            ) firsts GROUP BY first""",  # noqa: S608 (a constant)
        {"campaign": campaign_id, "candidates": candidates},
    )
    counts = dict.fromkeys(candidates, 0)
    counts.update(rows)
    return counts, sum(count for _first, count in rows)


def approval_counts(
    *, campaign_id: int, candidates: list[int], max_approvals: int | None = None
) -> tuple[dict[int, int], int]:
    """As ballot_counts.approval_counts: a ballot over the limit is counted but approves
    nobody."""
    rows = _rows(
        f"""WITH ballots AS MATERIALIZED ({_BALLOTS})
            SELECT NULL, sum(voters) FROM ballots
            UNION ALL
            SELECT idea, sum(voters) FROM ballots, unnest(choices) AS idea
            WHERE %(limit)s::int IS NULL OR cardinality(choices) <= %(limit)s
            GROUP BY idea""",  # noqa: S608 (a constant)
        {"campaign": campaign_id, "candidates": candidates, "limit": max_approvals or None},
    )
    counts = dict.fromkeys(candidates, 0)
    counted = 0
    for idea_id, count in rows:
        if idea_id is None:
            counted = count or 0
        else:
            counts[idea_id] = count
    return counts, counted


def ranked_ballot_counts(*, campaign_id: int, candidates: list[int]) -> list[tuple[tuple, int]]:
    """As ballot_counts.ranked_ballot_counts, in the same order (most voters first, then
    the ballot)."""
    rows = _rows(
        f"""SELECT choices, sum(voters) FROM ({_BALLOTS}) ballots
            GROUP BY choices ORDER BY sum(voters) DESC, choices""",  # noqa: S608
        {"campaign": campaign_id, "candidates": candidates},
    )
    return [(tuple(choices), count) for choices, count in rows]


def pairwise_answer_counts(*, campaign_id: int) -> tuple[list[tuple[tuple[int, int], int]], int]:
    """As ballot_counts.pairwise_answer_counts, in the same (winner, loser) order."""
    rows = _rows(
        """SELECT key[1], key[2], key[3] = 1, count FROM voting_livecount
           WHERE campaign_id = %(campaign)s ORDER BY 1, 2""",
        {"campaign": campaign_id},
    )
    wins = [((winner, loser), count) for winner, loser, decided, count in rows if decided]
    return wins, sum(row[3] for row in rows)
