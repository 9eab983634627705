"""Instant runoff: worked examples, and random ballots against a plain reference count
written here from the rules."""

from hypothesis import given, settings
from hypothesis import strategies as st

from voting.methods.irv import instant_runoff

FAST = settings(max_examples=100, deadline=None)


def test_the_plurality_leader_loses_tennessee():
    """Wikipedia's Tennessee capital example: Memphis leads the first round with 42%
    but Knoxville wins the runoff."""
    memphis, nashville, chattanooga, knoxville = 1, 2, 3, 4
    ballots = (
        [[memphis, nashville, chattanooga, knoxville]] * 42
        + [[nashville, chattanooga, knoxville, memphis]] * 26
        + [[chattanooga, knoxville, nashville, memphis]] * 15
        + [[knoxville, chattanooga, nashville, memphis]] * 17
    )
    result = instant_runoff(candidates=[1, 2, 3, 4], ballots=ballots)
    assert result.rounds == [
        {memphis: 42, nashville: 26, chattanooga: 15, knoxville: 17},
        {memphis: 42, nashville: 26, knoxville: 32},
        {memphis: 42, knoxville: 58},
    ]
    assert result.eliminated == [chattanooga, nashville]
    assert result.exhausted == [0, 0, 0]
    assert result.winner == knoxville
    assert result.ranking == [knoxville, memphis, nashville, chattanooga]


def test_elimination_ties_by_first_round_votes_then_higher_id():
    # Round 1: 1:6, 2:3, 3:4, 4:2 -> 4 goes. Round 2: 2 and 3 tie on 4 votes; 2 had fewer
    # first preferences (3 against 4), so 2 goes although 3 has the higher id. Round 3:
    # 1 holds 6 of the 10 ballots still ranking someone (5 are exhausted): a majority.
    ballots = [[1]] * 6 + [[3]] * 4 + [[2]] * 3 + [[4, 2]] + [[4]]
    result = instant_runoff(candidates=[1, 2, 3, 4], ballots=ballots)
    assert result.rounds == [{1: 6, 2: 3, 3: 4, 4: 2}, {1: 6, 2: 4, 3: 4}, {1: 6, 3: 4}]
    assert result.exhausted == [0, 1, 5]
    assert result.eliminated == [4, 2]
    assert result.winner == 1
    assert result.ranking == [1, 3, 2, 4]
    # Equal in round one too: the higher id goes first.
    result = instant_runoff(candidates=[5, 6, 7], ballots=[[5]] * 4 + [[6]] * 3 + [[7]] * 3)
    assert result.eliminated == [7]
    assert result.winner == 5  # 4 of the 7 ballots left
    assert result.ranking == [5, 6, 7]


def test_a_first_round_majority_ends_the_count_and_the_rest_rank_by_votes():
    result = instant_runoff(candidates=[1, 2, 3], ballots=[[2]] * 3 + [[3, 1]] + [[1]])
    assert result.rounds == [{1: 1, 2: 3, 3: 1}]
    assert result.eliminated == []
    assert result.winner == 2
    assert result.ranking == [2, 1, 3]  # 1 and 3 tie on one vote: lower id first


def test_no_ballots_no_winner():
    result = instant_runoff(candidates=[3, 1, 2], ballots=[[], [99]])
    assert result.winner is None
    assert result.rounds == [{1: 0, 2: 0, 3: 0}]
    assert result.exhausted == [2]
    assert result.ranking == [1, 2, 3]
    empty = instant_runoff(candidates=[], ballots=[[1]])
    assert (empty.winner, empty.rounds, empty.ranking) == (None, [], [])


def test_the_last_one_standing_wins_without_a_majority_of_all_ballots():
    result = instant_runoff(candidates=[1, 2], ballots=[[1], [2], [2]])
    assert result.winner == 2
    result = instant_runoff(candidates=[1], ballots=[[1], [], [9]])
    assert (result.winner, result.rounds, result.exhausted) == (1, [{1: 1}], [2])


# --- the reference ------------------------------------------------------------------------


def reference_irv(candidates, ballots):
    """A plain count from the rules: (rounds, exhausted, eliminated, winner, ranking)."""
    standing = sorted(candidates)
    rounds, exhausted, eliminated = [], [], []
    first_round = None
    while standing:
        votes = {c: 0 for c in standing}
        dead = 0
        for ballot in ballots:
            for choice in ballot:
                if choice in votes:
                    votes[choice] += 1
                    break
            else:
                dead += 1
        rounds.append(votes)
        exhausted.append(dead)
        if first_round is None:
            first_round = votes
        live = len(ballots) - dead
        if live == 0:
            return rounds, exhausted, eliminated, None, standing + eliminated[::-1]
        for c in standing:
            if 2 * votes[c] > live or len(standing) == 1:
                rest = sorted((x for x in standing if x != c), key=lambda x: (-votes[x], x))
                return rounds, exhausted, eliminated, c, [c, *rest, *eliminated[::-1]]
        lowest = min(votes.values())
        tied = [c for c in standing if votes[c] == lowest]
        fewest_first = min(first_round[c] for c in tied)
        loser = max(c for c in tied if first_round[c] == fewest_first)
        standing.remove(loser)
        eliminated.append(loser)
    return rounds, exhausted, eliminated, None, []


candidate_sets = st.lists(st.integers(1, 40), min_size=1, max_size=5, unique=True)
elections = candidate_sets.flatmap(
    lambda candidates: st.tuples(
        st.just(candidates),
        st.lists(st.lists(st.sampled_from([*candidates, 99]), max_size=6), max_size=40),
    )
)


@FAST
@given(elections)
def test_instant_runoff_matches_the_reference(election):
    candidates, ballots = election
    result = instant_runoff(candidates=candidates, ballots=ballots)
    rounds, exhausted, eliminated, winner, ranking = reference_irv(candidates, ballots)
    assert result.rounds == rounds
    assert result.exhausted == exhausted
    assert result.eliminated == eliminated
    assert result.winner == winner
    assert result.ranking == ranking


@FAST
@given(elections)
def test_every_round_accounts_for_every_ballot_and_the_winner_has_a_final_majority(election):
    candidates, ballots = election
    result = instant_runoff(candidates=candidates, ballots=ballots)
    assert sorted(result.ranking) == sorted(candidates)
    for votes, exhausted in zip(result.rounds, result.exhausted, strict=True):
        assert sum(votes.values()) + exhausted == len(ballots)
    for votes, loser in zip(result.rounds, result.eliminated, strict=False):
        assert votes[loser] == min(votes.values())  # only the weakest is eliminated
    anyone_ranked = any(choice in candidates for ballot in ballots for choice in ballot)
    assert (result.winner is not None) == anyone_ranked
    if result.winner is not None:
        final = result.rounds[-1]
        assert 2 * final[result.winner] > sum(final.values()) or len(final) == 1
        assert result.ranking[0] == result.winner
        first = result.rounds[0]
        majority = [c for c in first if 2 * first[c] > sum(first.values())]
        if majority:  # the majority criterion
            assert result.winner == majority[0]
            assert len(result.rounds) == 1
