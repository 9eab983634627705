"""Every campaign format through its services, API and pages."""

import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import close_old_connections
from django.utils import timezone

from core.errors import ApplicationError, Conflict
from notifications.models import Notification
from tests.factories import CampaignFactory, IdeaFactory, UserFactory
from tests.support.schedule import close_voting
from voting import ballots, pairwise
from voting.methods.bradley_terry import bradley_terry
from voting.models import Ballot, CampaignResult, IdeaTally, PairwisePrompt, Vote
from voting.results import audit_digest, audit_entries, result_compute, results_finalize_due
from voting.services import vote_cast, vote_retract
from voting.tally import support_expire_due, tally_drain_dirty, tally_recompute

pytestmark = pytest.mark.django_db


# --- supporter thresholds -----------------------------------------------------------------


def support_campaign(**kwargs):
    return CampaignFactory(voting_method="support", support_stages=[[2, 10], [3, 30]], **kwargs)


def test_support_stages_advance_then_send_the_idea_to_review(django_capture_on_commit_callbacks):
    campaign = support_campaign()
    idea = IdeaFactory(campaign=campaign)
    IdeaTally.objects.filter(idea=idea).update(support_deadline=timezone.now() + timedelta(days=10))
    voters = [UserFactory() for _ in range(3)]

    for voter in voters[:2]:
        vote_cast(voter=voter, idea=idea, value=1)
    tally_recompute(idea_ids=[idea.pk])
    tally = IdeaTally.objects.get(idea=idea)
    assert (tally.upvotes, tally.support_stage, tally.support_status) == (2, 1, "active")
    assert timedelta(days=29) < tally.support_deadline - timezone.now() <= timedelta(days=30)

    vote_cast(voter=voters[2], idea=idea, value=1)
    tally_recompute(idea_ids=[idea.pk])
    tally_recompute(idea_ids=[idea.pk])  # twice: nothing is notified twice
    tally = IdeaTally.objects.get(idea=idea)
    assert (tally.upvotes, tally.support_stage, tally.support_status) == (3, 2, "review")
    keys = set(
        Notification.objects.filter(recipient=idea.author, kind__startswith="support").values_list(
            "event_key", flat=True
        )
    )
    assert keys == {
        f"idea_support:{idea.pk}:stage:2",
        f"idea_support:{idea.pk}:stage:3",
        f"idea_support:{idea.pk}:review:3",
    }
    with pytest.raises(Conflict) as refusal:
        vote_cast(voter=UserFactory(), idea=idea, value=1)
    assert refusal.value.code == "support_closed"


def test_an_idea_that_misses_its_stage_deadline_expires_and_takes_no_more_support():
    campaign = support_campaign()
    idea = IdeaFactory(campaign=campaign)
    vote_cast(voter=UserFactory(), idea=idea, value=1)
    IdeaTally.objects.filter(idea=idea).update(
        support_deadline=timezone.now() - timedelta(seconds=1)
    )

    assert support_expire_due() == 1
    tally = IdeaTally.objects.get(idea=idea)
    assert (tally.upvotes, tally.support_status) == (1, "expired")
    assert (
        Notification.objects.filter(
            recipient=idea.author, event_key=f"idea_support:{idea.pk}:expired:2"
        ).count()
        == 1
    )
    with pytest.raises(Conflict):
        vote_cast(voter=UserFactory(), idea=idea, value=1)
    assert Vote.objects.filter(idea=idea).count() == 1
    assert support_expire_due() == 0  # expired ideas are not looked at again


def test_a_support_is_only_ever_one():
    idea = IdeaFactory(campaign=support_campaign())
    with pytest.raises(ApplicationError) as refusal:
        vote_cast(voter=UserFactory(), idea=idea, value=-1)
    assert refusal.value.field == "value"
    assert Vote.objects.count() == 0


def test_the_support_page_shows_a_progress_bar(client):
    campaign = support_campaign()
    idea = IdeaFactory(campaign=campaign)
    IdeaTally.objects.filter(idea=idea).update(
        upvotes=1, support_deadline=timezone.now() + timedelta(days=20, hours=1)
    )
    html = client.get(f"/campaigns/{campaign.slug}/").content.decode()
    assert '<progress max="2" value="1"' in html
    assert "1 more supporter in 20 days" in " ".join(html.split())
    assert "stage 1 of 2" in html


# --- star ratings -------------------------------------------------------------------------


def test_star_ratings_rank_by_bayesian_average():
    campaign = CampaignFactory(voting_method="star")
    one_five, many_fours = IdeaFactory(campaign=campaign), IdeaFactory(campaign=campaign)
    vote_cast(voter=UserFactory(), idea=one_five, value=5)
    for _ in range(6):
        vote_cast(voter=UserFactory(), idea=many_fours, value=4)
    tally_recompute(idea_ids=[one_five.pk, many_fours.pk])

    five = IdeaTally.objects.get(idea=one_five)
    fours = IdeaTally.objects.get(idea=many_fours)
    assert (five.upvotes, five.rating_sum) == (1, 5)
    assert five.method_score == pytest.approx((5 + 3 * 5) / 6)
    assert fours.method_score == pytest.approx((24 + 3 * 5) / 11)
    assert fours.method_score > five.method_score
    from voting.selectors import idea_list_ordered

    ideas, order = idea_list_ordered(campaign=campaign)
    assert order == "rated"
    assert [idea.pk for idea in ideas] == [many_fours.pk, one_five.pk]


@pytest.mark.parametrize("value", [0, 6, -1])
def test_a_star_rating_outside_one_to_five_is_refused(value):
    idea = IdeaFactory(campaign=CampaignFactory(voting_method="star"))
    with pytest.raises(ApplicationError):
        vote_cast(voter=UserFactory(), idea=idea, value=value)
    assert Vote.objects.count() == 0


# --- per-voter limits ---------------------------------------------------------------------


def test_a_voter_may_vote_for_at_most_n_ideas_and_may_move_a_vote():
    campaign = CampaignFactory(max_votes_per_voter=2)
    first, second, third = (IdeaFactory(campaign=campaign) for _ in range(3))
    voter = UserFactory()
    vote_cast(voter=voter, idea=first, value=1)
    vote_cast(voter=voter, idea=second, value=1)
    vote_cast(voter=voter, idea=second, value=-1)  # changing a vote uses no new one

    with pytest.raises(Conflict) as refusal:
        vote_cast(voter=voter, idea=third, value=1)
    assert refusal.value.code == "vote_limit_reached"
    assert not Vote.objects.filter(idea=third).exists()

    vote_retract(voter=voter, idea=first)
    vote_cast(voter=voter, idea=third, value=1)
    assert Vote.objects.filter(voter=voter).exclude(value=0).count() == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_votes_by_one_voter_never_exceed_the_limit():
    campaign = CampaignFactory(max_votes_per_voter=3)
    ideas = [IdeaFactory(campaign=campaign) for _ in range(10)]
    voter = UserFactory()
    barrier = threading.Barrier(len(ideas))
    outcomes = []

    def vote(idea):
        barrier.wait()
        try:
            vote_cast(voter=voter, idea=idea, value=1)
            outcomes.append("ok")
        except Conflict:
            outcomes.append("refused")
        finally:
            close_old_connections()

    threads = [threading.Thread(target=vote, args=(idea,)) for idea in ideas]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok"] * 3 + ["refused"] * 7
    assert Vote.objects.filter(voter=voter, value=1).count() == 3


# --- ballots ------------------------------------------------------------------------------


def ballot_campaign(method, **kwargs):
    campaign = CampaignFactory(voting_method=method, **kwargs)
    ideas = [IdeaFactory(campaign=campaign) for _ in range(3)]
    return campaign, ideas


def test_a_single_choice_ballot_names_exactly_one_idea_and_can_be_changed():
    campaign, (a, b, c) = ballot_campaign("single")
    voter = UserFactory()
    with pytest.raises(ApplicationError):
        ballots.ballot_submit(voter=voter, campaign=campaign, choices=[a.pk, b.pk])
    assert not Ballot.objects.exists()
    first = ballots.ballot_submit(voter=voter, campaign=campaign, choices=[a.pk])
    second = ballots.ballot_submit(voter=voter, campaign=campaign, choices=[c.pk])
    assert first.pk == second.pk and first.receipt == second.receipt
    assert list(second.choices.values_list("idea_id", flat=True)) == [c.pk]


def test_approval_ballots_respect_the_approval_limit():
    campaign, (a, b, c) = ballot_campaign("approval", max_votes_per_voter=2)
    with pytest.raises(ApplicationError) as refusal:
        ballots.ballot_submit(voter=UserFactory(), campaign=campaign, choices=[a.pk, b.pk, c.pk])
    assert refusal.value.field == "choices"
    assert not Ballot.objects.exists()


def test_a_budget_ballot_over_budget_is_refused_with_the_total():
    campaign = CampaignFactory(voting_method="budget", budget_amount=100)
    cheap = IdeaFactory(campaign=campaign, cost=40)
    dear = IdeaFactory(campaign=campaign, cost=70)
    with pytest.raises(ApplicationError) as refusal:
        ballots.ballot_submit(voter=UserFactory(), campaign=campaign, choices=[cheap.pk, dear.pk])
    assert "110" in refusal.value.message
    assert not Ballot.objects.exists()
    ballots.ballot_submit(voter=UserFactory(), campaign=campaign, choices=[dear.pk])
    assert Ballot.objects.count() == 1


def test_ballot_refusals_write_nothing():
    campaign, (a, _b, _c) = ballot_campaign("ranked")
    other = IdeaFactory()
    voter = UserFactory()
    for choices in ([a.pk, a.pk], [other.pk], []):
        with pytest.raises(ApplicationError):
            ballots.ballot_submit(voter=voter, campaign=campaign, choices=choices)
    with pytest.raises(Conflict):
        ballots.ballot_submit(voter=voter, campaign=CampaignFactory(), choices=[a.pk])
    close_voting(campaign)
    with pytest.raises(Conflict):
        ballots.ballot_submit(voter=voter, campaign=campaign, choices=[a.pk])
    assert not Ballot.objects.exists()


def ranked_ballots(campaign, ideas, orders):
    for order in orders:
        ballots.ballot_submit(
            voter=UserFactory(), campaign=campaign, choices=[ideas[i].pk for i in order]
        )


def test_ranked_ballots_are_counted_by_schulze_with_the_pairwise_matrix():
    campaign, ideas = ballot_campaign("ranked")
    # A Condorcet winner (idea 1) that is nobody's... well, most people's second choice.
    ranked_ballots(campaign, ideas, [(0, 1, 2)] * 4 + [(2, 1, 0)] * 3 + [(1, 0, 2)] * 2)
    result = result_compute(campaign=campaign)
    a, b, c = (idea.pk for idea in ideas)
    assert result.method == "ranked:schulze"
    assert result.ballot_count == 9
    assert result.details["pairwise"][str(a)][str(b)] == 4
    assert result.details["pairwise"][str(b)][str(a)] == 5
    assert result.ranking[0] == b


def test_ranked_ballots_by_instant_runoff_record_their_rounds():
    campaign, ideas = ballot_campaign("ranked", ranked_method="irv")
    ranked_ballots(campaign, ideas, [(0, 1, 2)] * 4 + [(2, 1, 0)] * 3 + [(1, 0, 2)] * 2)
    result = result_compute(campaign=campaign)
    a, b, c = (idea.pk for idea in ideas)
    assert result.method == "ranked:irv"
    assert result.details["rounds"][0] == {str(a): 4, str(b): 2, str(c): 3}
    assert result.details["eliminated"] == [b]
    assert result.details["winner"] == a  # 6 of 9 once b's ballots move to a
    assert result.ranking == [a, c, b]


def test_budget_results_fund_the_most_approved_ideas_that_fit():
    campaign = CampaignFactory(voting_method="budget", budget_amount=100)
    big = IdeaFactory(campaign=campaign, cost=80)
    small = IdeaFactory(campaign=campaign, cost=30)
    medium = IdeaFactory(campaign=campaign, cost=50)
    for choices in ([big.pk], [big.pk], [big.pk], [medium.pk, small.pk], [small.pk]):
        ballots.ballot_submit(voter=UserFactory(), campaign=campaign, choices=choices)
    result = result_compute(campaign=campaign)
    assert result.ranking == [big.pk, small.pk, medium.pk]
    assert result.details["funded"] == [big.pk]  # small (30) no longer fits after big (80)
    assert result.details["spent"] == 80


def test_a_withdrawn_ballot_counts_for_nothing_but_keeps_its_row():
    campaign, (a, _b, _c) = ballot_campaign("approval")
    voter = UserFactory()
    ballots.ballot_submit(voter=voter, campaign=campaign, choices=[a.pk])
    ballots.ballot_withdraw(voter=voter, campaign=campaign)
    assert Ballot.objects.filter(voter=voter).count() == 1
    assert result_compute(campaign=campaign).ballot_count == 0


# --- pairwise -----------------------------------------------------------------------------


def test_a_pair_is_answered_once_per_token_and_scores_follow():
    campaign = CampaignFactory(voting_method="pairwise")
    ideas = [IdeaFactory(campaign=campaign) for _ in range(3)]
    voter = UserFactory()

    prompt = pairwise.pairwise_issue(voter=voter, campaign=campaign)
    assert {prompt.left_id, prompt.right_id} <= {idea.pk for idea in ideas}
    assert prompt.left_id != prompt.right_id
    assert pairwise.pairwise_issue(voter=voter, campaign=campaign).pk == prompt.pk  # reload

    pairwise.pairwise_answer(voter=voter, token=prompt.token, outcome="left")
    with pytest.raises(Conflict) as refusal:
        pairwise.pairwise_answer(voter=voter, token=prompt.token, outcome="right")
    assert refusal.value.code == "already_answered"
    with pytest.raises(ApplicationError):
        pairwise.pairwise_answer(voter=UserFactory(), token=prompt.token, outcome="left")
    with pytest.raises(ApplicationError):
        pairwise.pairwise_answer(voter=voter, token=prompt.token, outcome="both")
    assert PairwisePrompt.objects.get(pk=prompt.pk).outcome == "left"

    result = result_compute(campaign=campaign)
    assert result.ranking[0] == prompt.left_id
    tally = IdeaTally.objects.get(idea_id=prompt.left_id)
    assert (tally.upvotes, tally.downvotes) == (1, 0)
    scores = bradley_terry(
        items=[i.pk for i in ideas], comparisons=[(prompt.left_id, prompt.right_id)]
    )
    assert tally.method_score == pytest.approx(scores[prompt.left_id])


def test_a_voter_is_never_asked_to_judge_their_own_idea():
    campaign = CampaignFactory(voting_method="pairwise")
    voter = UserFactory()
    IdeaFactory(campaign=campaign, author=voter)
    IdeaFactory(campaign=campaign)
    with pytest.raises(Conflict) as refusal:
        pairwise.pairwise_issue(voter=voter, campaign=campaign)
    assert refusal.value.code == "not_enough_ideas"


# --- embargo, orders, final results -------------------------------------------------------


def test_a_results_embargo_hides_counts_in_the_api_until_the_close(api_client):
    campaign = CampaignFactory(results_embargo=True)
    idea = IdeaFactory(campaign=campaign)
    vote_cast(voter=UserFactory(), idea=idea, value=1)
    tally_recompute(idea_ids=[idea.pk])

    listed = api_client.get(f"/api/v1/campaigns/{campaign.slug}/ideas/?order=top").json()
    assert listed["results"][0]["tally"] is None
    assert api_client.get(f"/api/v1/ideas/{idea.pk}/").json()["tally"] is None
    assert api_client.get(f"/api/v1/campaigns/{campaign.slug}/results/").status_code == 404

    close_voting(campaign)
    assert api_client.get(f"/api/v1/ideas/{idea.pk}/").json()["tally"]["upvotes"] == 1


@pytest.mark.parametrize("order", ["top", "hot", "controversial", "newest", "score", "random"])
def test_every_order_lists_every_idea_once_with_a_fixed_query_count(
    api_client, order, django_assert_num_queries
):
    campaign = CampaignFactory()
    ideas = [IdeaFactory(campaign=campaign) for _ in range(6)]
    for index, idea in enumerate(ideas):
        for _ in range(index):
            vote_cast(voter=UserFactory(), idea=idea, value=1 if index % 2 else -1)
    tally_recompute(idea_ids=[idea.pk for idea in ideas])
    with django_assert_num_queries(3):  # campaign, count, page
        body = api_client.get(
            f"/api/v1/campaigns/{campaign.slug}/ideas/?order={order}&seed=s"
        ).json()
    ids = [item["id"] for item in body["results"]]
    assert sorted(ids) == sorted(idea.pk for idea in ideas)
    if order == "random":  # stable for one seed
        again = api_client.get(f"/api/v1/campaigns/{campaign.slug}/ideas/?order=random&seed=s")
        assert [item["id"] for item in again.json()["results"]] == ids
    if order == "newest":
        assert ids == [idea.pk for idea in reversed(ideas)]


def test_the_final_result_has_a_digest_the_recount_command_confirms(
    capsys, django_capture_on_commit_callbacks
):
    campaign = CampaignFactory()
    ideas = [IdeaFactory(campaign=campaign) for _ in range(3)]
    voters = [UserFactory() for _ in range(4)]
    for index, voter in enumerate(voters):
        vote_cast(voter=voter, idea=ideas[index % 3], value=1)
    close_voting(campaign)

    with django_capture_on_commit_callbacks(execute=True):
        assert results_finalize_due() == 1
    assert results_finalize_due() == 0  # beat firing twice computes nothing twice
    # The lifecycle publishes the results (here at once: no review period) and tells
    # every participant.
    from campaigns.lifecycle import campaigns_advance_due, transition_effects

    assert campaigns_advance_due() == 1
    assert transition_effects(campaign_id=campaign.pk, to_state="results") == 7
    result = CampaignResult.objects.get(campaign=campaign)
    assert result.is_final
    assert result.digest == audit_digest(audit_entries(campaign=campaign))
    assert result.ranking[0] == ideas[0].pk  # two votes
    assert len(audit_entries(campaign=campaign)) == 4

    call_command("results_recount", campaign.slug)
    assert "OK: the recount matches" in capsys.readouterr().out
    # Everyone who took part is told once: the voters and the authors.
    told = set(
        Notification.objects.filter(kind="results_published").values_list("recipient_id", flat=True)
    )
    assert told == {v.pk for v in voters} | {i.author_id for i in ideas}


def test_the_recount_command_detects_a_tampered_result(capsys):
    campaign = CampaignFactory()
    idea = IdeaFactory(campaign=campaign)
    vote_cast(voter=UserFactory(), idea=idea, value=1)
    close_voting(campaign)
    results_finalize_due()
    CampaignResult.objects.filter(campaign=campaign).update(digest="0" * 64)
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("results_recount", campaign.slug)


# --- through the API and the pages --------------------------------------------------------


def test_a_ballot_through_the_api(api_as):
    campaign, (a, b, _c) = ballot_campaign("ranked")
    client = api_as(UserFactory())
    url = f"/api/v1/campaigns/{campaign.slug}/ballot/"
    response = client.put(url, {"choices": [b.pk, a.pk]}, format="json")
    assert response.status_code == 200
    assert response.json()["choices"] == [b.pk, a.pk]
    assert len(response.json()["receipt"]) == 32
    bad = client.put(url, {"choices": ["x"]}, format="json")
    assert bad.status_code == 400 and "choices" in bad.json()
    dup = client.put(url, {"choices": [a.pk, a.pk]}, format="json")
    assert dup.status_code == 400 and "choices" in dup.json()
    assert client.get(url).json()["choices"] == [b.pk, a.pk]


def test_a_pair_through_the_api(api_as):
    campaign = CampaignFactory(voting_method="pairwise")
    IdeaFactory(campaign=campaign)
    IdeaFactory(campaign=campaign)
    client = api_as(UserFactory())
    pair = client.post(f"/api/v1/campaigns/{campaign.slug}/pairs/").json()
    url = f"/api/v1/pairs/{pair['token']}/"
    assert client.put(url, {"outcome": "right"}, format="json").status_code == 204
    assert client.put(url, {"outcome": "right"}, format="json").status_code == 409
    assert client.put("/api/v1/pairs/nope/", {"outcome": "left"}, format="json").status_code == 400


def test_the_ballot_form_and_the_results_page(client):
    campaign, (a, b, c) = ballot_campaign("ranked")
    voter = UserFactory()
    client.force_login(voter)
    page = client.get(f"/campaigns/{campaign.slug}/").content.decode()
    assert 'data-testid="ballot-form"' in page
    response = client.post(
        f"/campaigns/{campaign.slug}/ballot/",
        {f"rank-{c.pk}": "1", f"rank-{a.pk}": "2", f"rank-{b.pk}": ""},
    )
    assert response.status_code == 302
    assert list(Ballot.objects.get(voter=voter).choices.values_list("idea_id", flat=True)) == [
        c.pk,
        a.pk,
    ]
    response = client.post(
        f"/campaigns/{campaign.slug}/ballot/", {f"rank-{c.pk}": "1", f"rank-{a.pk}": "1"}
    )
    assert response.status_code == 302  # refused with a message; the ballot is unchanged
    assert Ballot.objects.get(voter=voter).choices.count() == 2
    assert (
        client.post(f"/campaigns/{campaign.slug}/ballot/", {f"rank-{a.pk}": "x"}).status_code == 302
    )
    result_compute(campaign=campaign)
    page = client.get(f"/campaigns/{campaign.slug}/results/").content.decode()
    assert 'data-testid="result-bars"' in page
    assert 'data-testid="pairwise-matrix"' in page
    assert Ballot.objects.get(voter=voter).receipt in page


def test_the_compare_page_issues_and_takes_a_pair(client):
    campaign = CampaignFactory(voting_method="pairwise")
    IdeaFactory(campaign=campaign)
    IdeaFactory(campaign=campaign)
    client.force_login(UserFactory())
    page = client.get(f"/campaigns/{campaign.slug}/compare/").content.decode()
    prompt = PairwisePrompt.objects.get()
    assert prompt.token in page
    response = client.post(
        f"/campaigns/{campaign.slug}/compare/", {"token": prompt.token, "outcome": "left"}
    )
    assert response.status_code == 302
    prompt.refresh_from_db()
    assert prompt.outcome == "left"


def test_the_drain_keeps_working_with_every_method():
    """One drain over ideas of every per-idea method."""
    for method in ("updown", "support", "star"):
        idea = IdeaFactory(campaign=CampaignFactory(voting_method=method))
        vote_cast(voter=UserFactory(), idea=idea, value=1)
    from voting import dirty

    dirty.mark_dirty(*IdeaTally.objects.values_list("idea_id", flat=True))
    assert tally_drain_dirty() == 3
    assert list(IdeaTally.objects.order_by("idea_id").values_list("upvotes", flat=True)) == [
        1,
        1,
        1,
    ]


# --- impressions --------------------------------------------------------------------------


def test_impressions_are_counted_in_redis_and_flushed_into_the_tallies(
    client, django_capture_on_commit_callbacks
):
    from voting.impressions import exposure_score, impressions_flush

    campaign = CampaignFactory()
    seen_a_lot = IdeaFactory(campaign=campaign)
    for _ in range(19):
        assert client.get(f"/campaigns/{campaign.slug}/").status_code == 200
    late = IdeaFactory(campaign=campaign)  # posted after nineteen page views
    for voter in [UserFactory(), UserFactory()]:
        vote_cast(voter=voter, idea=seen_a_lot, value=1)
    vote_cast(voter=UserFactory(), idea=late, value=1)
    assert client.get(f"/campaigns/{campaign.slug}/").status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        assert impressions_flush() == 2
    assert impressions_flush() == 0  # nothing counted twice
    tally_recompute(idea_ids=[seen_a_lot.pk, late.pk])
    a, b = IdeaTally.objects.get(idea=seen_a_lot), IdeaTally.objects.get(idea=late)
    assert (a.impressions, b.impressions) == (20, 1)
    assert a.exposure_score == pytest.approx(exposure_score(upvotes=2, impressions=20))
    assert b.exposure_score > a.exposure_score  # one vote in one view beats two in twenty
    from voting.selectors import idea_list_ordered

    ideas, order = idea_list_ordered(campaign=campaign, order="exposure")
    assert order == "exposure"
    assert [idea.pk for idea in ideas] == [late.pk, seen_a_lot.pk]


@pytest.mark.parametrize("method", ["single", "approval", "ranked", "budget", "pairwise"])
def test_an_idea_page_of_a_ballot_or_pairwise_campaign_has_no_vote_buttons(client, method):
    idea = IdeaFactory(campaign=CampaignFactory(voting_method=method))
    html = client.get(f"/ideas/{idea.pk}/").content.decode()
    assert 'data-testid="vote-widget"' not in html
    assert ("Vote with your ballot" in html) == (method != "pairwise")


def test_a_budget_idea_is_submitted_with_its_cost(client):
    campaign = CampaignFactory(voting_method="budget", budget_amount=1000)
    client.force_login(UserFactory())
    url = f"/campaigns/{campaign.slug}/ideas/new/"
    assert 'name="cost"' in client.get(url).content.decode()
    response = client.post(url, {"title": "Benches", "body": "Ten benches."})
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    response = client.post(url, {"title": "Benches", "body": "Ten benches.", "cost": "5000"})
    assert "more than the whole budget" in response.content.decode()
    response = client.post(url, {"title": "Benches", "body": "Ten benches.", "cost": "400"})
    assert response.status_code == 302
    from ideas.models import Idea

    assert Idea.objects.get(title="Benches").cost == 400
    assert (
        'name="cost"'
        not in client.get(f"/campaigns/{CampaignFactory().slug}/ideas/new/").content.decode()
    )


def test_the_campaign_page_pages_through_its_ideas(client):
    campaign = CampaignFactory()
    ideas = [IdeaFactory(campaign=campaign) for _ in range(55)]
    first = client.get(f"/campaigns/{campaign.slug}/?order=newest").content.decode()
    second = client.get(f"/campaigns/{campaign.slug}/?order=newest&page=2").content.decode()
    assert first.count('data-testid="idea-row"') == 50 and 'data-testid="next-page"' in first
    assert second.count('data-testid="idea-row"') == 5 and 'data-testid="next-page"' not in second
    assert f"/ideas/{ideas[0].pk}/" in second  # the oldest, last
    assert client.get(f"/campaigns/{campaign.slug}/?page=abc").status_code == 200
    assert client.get(f"/campaigns/{campaign.slug}/?page=-4").status_code == 200


def test_a_ranked_page_is_shared_from_the_cache_for_two_seconds(
    api_client, django_assert_num_queries
):
    campaign = CampaignFactory()
    idea = IdeaFactory(campaign=campaign)
    url = f"/api/v1/campaigns/{campaign.slug}/ideas/?order=top"
    first = api_client.get(url).json()
    with django_assert_num_queries(1):  # the visibility check; the page from the cache
        assert api_client.get(url).json() == first
    assert first["results"][0]["id"] == idea.pk
    hidden = CampaignFactory(is_published=False)
    assert api_client.get(f"/api/v1/campaigns/{hidden.slug}/ideas/").status_code == 404


def test_the_brand_page_lists_its_published_campaigns(client):
    from tests.factories import BrandFactory

    brand = BrandFactory(description="We make **yoghurt**.", website="https://brand.example")
    shown = CampaignFactory(brand=brand, title="Shown")
    CampaignFactory(brand=brand, title="Draft", is_published=False)
    html = client.get(f"/brands/{brand.slug}/").content.decode()
    assert "<strong>yoghurt</strong>" in html and "https://brand.example" in html
    assert shown.get_absolute_url() in html and "Draft" not in html
    assert client.get("/brands/nope/").status_code == 404


def test_the_campaign_page_shows_progress_and_a_countdown(client):
    campaign = CampaignFactory()
    idea = IdeaFactory(campaign=campaign)
    for voter in [UserFactory(), UserFactory()]:
        vote_cast(voter=voter, idea=idea, value=1)
    html = " ".join(client.get(f"/campaigns/{campaign.slug}/").content.decode().split())
    assert "<li>1 idea</li>" in html
    assert "<li>2 votes</li>" in html
    assert "<li>2 participants</li>" in html
    assert "Ideas close in" in html
