"""The contest's results through the registry (voting/formats/contest.py): the combined
ranking, the audit list and its digest covering jury scores and public stars."""

import pytest
from django.urls import reverse

from jury import services
from jury.models import Juror, JurySettings
from tests.factories import IdeaFactory, UserFactory
from voting.audit import audit_digest
from voting.formats import format_for
from voting.results import audit_entries, result_compute, results_drain_dirty
from voting.services import vote_cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def jurors(contest):
    return [Juror.objects.create(campaign=contest, user=UserFactory()) for _ in range(2)]


@pytest.fixture
def entries(contest):
    return [IdeaFactory(campaign=contest, title=title) for title in ("Fox", "Owl", "Hare")]


def score(juror, idea, criteria, values):
    services.entry_score(
        user=juror.user,
        idea=idea,
        scores={c.pk: v for c, v in zip(criteria, values, strict=True)},
    )


def stars(idea, *values):
    for value in values:
        vote_cast(voter=UserFactory(), idea=idea, value=value)


def test_the_contest_is_a_registered_format_voted_with_stars(contest):
    voting_format = format_for(contest)
    assert voting_format.key == "contest" and voting_format.votes_per_idea
    assert voting_format.vote_values == frozenset({1, 2, 3, 4, 5})
    assert voting_format.templates["results"] == "voting/formats/contest/results.html"


def test_the_ranking_combines_jury_and_public(contest, criteria, jurors, entries):
    fox, owl, hare = entries
    for juror in jurors:
        score(juror, fox, criteria, [9, 9, 9])
        score(juror, owl, criteria, [5, 5, 5])
    stars(owl, 5, 5, 5, 5, 5)
    stars(hare, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5)
    result = result_compute(campaign=contest)
    assert result.method == "contest"
    assert result.ranking == [fox.pk, owl.pk, hare.pk]
    fox_part = result.details["contest"][str(fox.pk)]
    assert fox_part["jury"] == pytest.approx(8 / 9)
    assert fox_part["public"] == pytest.approx(0.5)
    assert fox_part["combined"] == pytest.approx(0.7 * 8 / 9 + 0.3 * 0.5)
    assert fox_part["jurors"] == 2 and result.details["contest"][str(hare.pk)]["ratings"] == 10
    assert result.details["contest"][str(hare.pk)]["jury"] is None
    assert result.details["jury_weight"] == 70
    assert result.ballot_count == 15 + 4  # stars, and (juror, entry) score cards


def test_the_brands_weight_moves_the_ranking(contest, criteria, jurors, entries):
    fox, owl, _hare = entries
    score(jurors[0], fox, criteria, [10, 10, 10])
    score(jurors[0], owl, criteria, [1, 1, 1])
    stars(owl, *[5] * 20)
    assert result_compute(campaign=contest).ranking[0] == fox.pk
    JurySettings.objects.create(campaign=contest, jury_weight=10)
    contest.refresh_from_db()
    assert result_compute(campaign=contest).ranking[0] == owl.pk


def test_the_digest_covers_jury_scores_and_public_votes(contest, criteria, jurors, entries):
    fox, owl, _hare = entries
    score(jurors[0], fox, criteria, [6, 6, 6])
    score(jurors[1], owl, criteria, [7, 7, 7])
    stars(fox, 4)
    listed = audit_entries(campaign=contest)
    assert listed[0]["contest"]["jury_weight"] == 70
    assert {entry["idea"] for entry in listed if "receipt" in entry} == {fox.pk}
    assert len([entry for entry in listed if "juror" in entry]) == 6
    # The list never names a juror's account nor an idea's author.
    user_ids = {str(juror.user_id) for juror in jurors}
    assert not any(entry.get("juror") in user_ids for entry in listed)
    before = audit_digest(listed)

    score(jurors[0], fox, criteria, [6, 6, 7])
    after_jury = audit_digest(audit_entries(campaign=contest))
    assert after_jury != before

    stars(owl, 2)
    assert audit_digest(audit_entries(campaign=contest)) not in (before, after_jury)


def test_a_changed_jury_score_changes_the_ranking_and_the_final_digest(
    contest, criteria, jurors, entries
):
    fox, owl, _hare = entries
    score(jurors[0], fox, criteria, [8, 8, 8])
    score(jurors[0], owl, criteria, [7, 7, 7])
    first = result_compute(campaign=contest)
    assert first.ranking[:2] == [fox.pk, owl.pk]
    first_digest = audit_digest(audit_entries(campaign=contest))

    score(jurors[0], owl, criteria, [9, 9, 9])
    final = result_compute(campaign=contest, final=True)
    assert final.ranking[:2] == [owl.pk, fox.pk]
    assert final.digest == audit_digest(audit_entries(campaign=contest)) != first_digest


def test_a_removed_jurors_scores_no_longer_count(contest, criteria, jurors, entries, manager):
    fox, owl, _hare = entries
    score(jurors[0], fox, criteria, [10, 10, 10])
    score(jurors[1], owl, criteria, [6, 6, 6])
    assert result_compute(campaign=contest).ranking[0] == fox.pk
    services.juror_remove(juror=jurors[0], actor=manager)
    assert result_compute(campaign=contest).ranking[0] == owl.pk


def test_a_jury_score_marks_the_live_result_stale(
    contest, criteria, jurors, entries, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        score(jurors[0], entries[1], criteria, [9, 9, 9])
    assert results_drain_dirty() == 1
    assert contest.result.ranking[0] == entries[1].pk
    assert results_drain_dirty() == 0  # once


def test_the_results_page_shows_both_parts(client, contest, criteria, jurors, entries):
    fox, owl, _hare = entries
    score(jurors[0], fox, criteria, [10, 10, 10])
    stars(owl, 5, 5, 5, 5, 5)
    result_compute(campaign=contest)
    response = client.get(reverse("voting:results", kwargs={"slug": contest.slug}))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="contest-table"' in html
    # Fox: jury 100, public 50, combined 85; Owl: jury –, public 75, combined 23.
    assert 'data-testid="contest-jury">100' in html
    assert 'data-testid="contest-combined"><strong>85</strong>' in html
    assert 'data-testid="contest-public">75' in html
