"""Live counts of one campaign's ballots and pairwise answers, done by PostgreSQL.

The live result (recomputed by the workers while voting is open) needs only counts: votes
per idea, ballots grouped with how many voters cast each, the pairwise win matrix. Python
receives a few hundred rows at most (a few per distinct ranked ballot), never one row per
ballot, and the anonymised audit list is not built (only the final result and
`results_recount` build it, for its digest). Each function counts exactly what the
format's `compute_result` counts from the audit list: choices among `candidates` only,
ballots with no candidate left out."""

from django.db import connection

# One campaign's choices among the candidates; the (campaign, voter) index finds its
# ballots, never the receipts of every campaign.
_CHOICES = """
    SELECT choice.ballot_id, choice.idea_id, choice.rank
    FROM voting_ballotchoice choice
    JOIN voting_ballot ballot ON ballot.id = choice.ballot_id
    WHERE ballot.campaign_id = %(campaign)s AND choice.idea_id = ANY(%(candidates)s)
"""


def _rows(sql: str, params: dict) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def first_choice_counts(*, campaign_id: int, candidates: list[int]) -> tuple[dict[int, int], int]:
    """({candidate: ballots whose first choice it is}, ballots counted) of an unranked
    single-choice campaign. An unranked ballot's first choice is its lowest idea id, as in
    the audit list (choices ordered by rank, then id)."""
    rows = _rows(
        f"""SELECT first, count(*) FROM (
                SELECT min(idea_id) AS first FROM ({_CHOICES}) choices GROUP BY ballot_id
            ) ballots GROUP BY first""",  # noqa: S608 (a constant)
        {"campaign": campaign_id, "candidates": candidates},
    )
    counts = dict.fromkeys(candidates, 0)
    counts.update(rows)
    return counts, sum(count for _first, count in rows)


def approval_counts(
    *, campaign_id: int, candidates: list[int], max_approvals: int | None = None
) -> tuple[dict[int, int], int]:
    """({candidate: ballots approving it}, ballots counted). A ballot approving more than
    `max_approvals` candidates (None or 0: no limit) is counted but approves nobody, as
    voting.methods.approval ignores it (HAVING on each ballot's size)."""
    rows = _rows(
        f"""WITH choices AS MATERIALIZED ({_CHOICES}),
                 sizes AS (SELECT ballot_id, count(*) AS size FROM choices GROUP BY ballot_id)
            SELECT NULL, count(*) FROM sizes
            UNION ALL
            SELECT choices.idea_id, count(*) FROM choices
            WHERE %(limit)s::int IS NULL OR choices.ballot_id IN (
                SELECT ballot_id FROM sizes WHERE size <= %(limit)s)
            GROUP BY choices.idea_id""",  # noqa: S608 (a constant)
        {"campaign": campaign_id, "candidates": candidates, "limit": max_approvals or None},
    )
    counts = dict.fromkeys(candidates, 0)
    counted = 0
    for idea_id, count in rows:
        if idea_id is None:
            counted = count
        else:
            counts[idea_id] = count
    return counts, counted


def ranked_ballot_counts(*, campaign_id: int, candidates: list[int]) -> list[tuple[tuple, int]]:
    """[(candidate ids best first, voters who cast exactly that ballot)], grouped by
    PostgreSQL, in a stable order (most voters first, then the ballot)."""
    rows = _rows(
        f"""SELECT choices, count(*) FROM (
                SELECT array_agg(idea_id ORDER BY rank, idea_id) AS choices
                FROM ({_CHOICES}) choices GROUP BY ballot_id
            ) ballots GROUP BY choices ORDER BY count(*) DESC, choices""",  # noqa: S608
        {"campaign": campaign_id, "candidates": candidates},
    )
    return [(tuple(choices), count) for choices, count in rows]


def pairwise_answer_counts(*, campaign_id: int) -> tuple[list[tuple[tuple[int, int], int]], int]:
    """([((winner, loser), answers)], answers counted): the win matrix of a pairwise
    survey, grouped by PostgreSQL in (winner, loser) order; skipped pairs count as answers
    but win nothing."""
    rows = _rows(
        """SELECT CASE WHEN outcome = 'left' THEN left_id ELSE right_id END,
                  CASE WHEN outcome = 'left' THEN right_id ELSE left_id END,
                  outcome IN ('left', 'right'), count(*)
           FROM voting_pairwiseprompt
           WHERE campaign_id = %(campaign)s AND answered_at IS NOT NULL
           GROUP BY 1, 2, 3 ORDER BY 1, 2""",
        {"campaign": campaign_id},
    )
    wins = [((winner, loser), count) for winner, loser, decided, count in rows if decided]
    return wins, sum(row[3] for row in rows)
