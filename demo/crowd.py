"""How the demo's crowd votes in each format's campaign, and how a contest's jury scores:
made-up behaviour, through the same services as real voters and jurors."""

from __future__ import annotations

from campaigns.models import Campaign
from jury.selectors import criteria_for, jurors_active
from jury.services import entry_score
from voting.ballots import ballot_submit
from voting.pairwise import pairwise_answer, pairwise_issue
from voting.services import vote_cast


def _ranked(*, campaign, voter, number, ideas, others) -> None:
    ids = [idea.pk for idea in ideas]
    order = ids[number % len(ids) :] + ids[: number % len(ids)]
    eligible = {idea.pk for idea in others}
    ballot_submit(voter=voter, campaign=campaign, choices=[pk for pk in order if pk in eligible])


def _budget(*, campaign, voter, number, ideas, others) -> None:
    ids = [idea.pk for idea in ideas]
    choices = [ids[number % 2], ids[3]] if number % 3 else [ids[1]]
    ballot_submit(voter=voter, campaign=campaign, choices=choices)


def _pairwise(*, campaign, voter, number, ideas, others) -> None:
    for _ in range(3):
        prompt = pairwise_issue(voter=voter, campaign=campaign)
        outcome = "left" if prompt.left_id < prompt.right_id else "right"
        pairwise_answer(voter=voter, token=prompt.token, outcome=outcome)


def _support(*, campaign, voter, number, ideas, others) -> None:
    for idea in others[: 1 + number % 2]:
        vote_cast(voter=voter, idea=idea, value=1)


def _stars(*, campaign, voter, number, ideas, others) -> None:
    for index, idea in enumerate(others):
        vote_cast(voter=voter, idea=idea, value=1 + (number + index * 2) % 5)


# The demo's behaviour per format key; a format with no entry gets no demo votes.
CROWD = {
    "ranked": _ranked,
    "budget": _budget,
    "pairwise": _pairwise,
    "support": _support,
    "star": _stars,
    "contest": _stars,
}


def crowd_votes(*, campaign: Campaign, crowd, ideas) -> None:
    vote = CROWD.get(campaign.voting_method)
    if vote is None:
        return
    for number, voter in enumerate(crowd):
        others = [idea for idea in ideas if idea.author_id != voter.pk]
        vote(campaign=campaign, voter=voter, number=number, ideas=ideas, others=others)


def jury_scores(*, campaign: Campaign, ideas) -> None:
    """Every juror of the campaign (none outside contests) scores every entry."""
    criteria = criteria_for(campaign=campaign)
    for number, juror in enumerate(jurors_active(campaign=campaign).select_related("user")):
        for index, idea in enumerate(ideas):
            scores = {c.pk: 1 + (number + index * 3 + c.pk) % 10 for c in criteria}
            entry_score(user=juror.user, idea=idea, scores=scores)
