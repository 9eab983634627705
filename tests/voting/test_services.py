"""vote_cast and vote_retract: one row per (voter, idea), precise refusals that write
nothing, and the idea marked dirty in Redis once the vote is committed."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.errors import ApplicationError, Conflict, NotAllowed
from core.redis import get_redis
from ideas.models import Idea
from tests.factories import CampaignFactory, IdeaFactory, UserFactory
from voting import dirty
from voting.models import Vote
from voting.services import vote_cast, vote_retract

pytestmark = pytest.mark.django_db


def dirty_ids() -> set[int]:
    return dirty.dirty_ids()


def votes_of(idea) -> list[tuple[int, int]]:
    return list(Vote.objects.filter(idea=idea).values_list("voter_id", "value"))


def test_a_vote_is_one_row_and_voting_twice_keeps_one_row(django_capture_on_commit_callbacks):
    idea, voter = IdeaFactory(), UserFactory()

    with django_capture_on_commit_callbacks(execute=True):
        first = vote_cast(voter=voter, idea=idea, value=1)
    with django_capture_on_commit_callbacks(execute=True):
        second = vote_cast(voter=voter, idea=idea, value=1)

    assert votes_of(idea) == [(voter.pk, 1)]
    assert first.pk == second.pk == Vote.objects.get().pk


def test_changing_a_vote_replaces_its_value_in_the_same_row(django_capture_on_commit_callbacks):
    idea, voter = IdeaFactory(), UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        vote_cast(voter=voter, idea=idea, value=1)
    created = Vote.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        vote_cast(voter=voter, idea=idea, value=-1)

    vote = Vote.objects.get()
    assert (vote.pk, vote.voter_id, vote.idea_id, vote.value) == (created.pk, voter.pk, idea.pk, -1)
    assert vote.created_at == created.created_at
    assert vote.updated_at >= created.updated_at


def test_votes_of_different_voters_and_ideas_are_separate_rows(django_capture_on_commit_callbacks):
    first_idea, second_idea = IdeaFactory(), IdeaFactory()
    alice, bob = UserFactory(), UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        vote_cast(voter=alice, idea=first_idea, value=1)
        vote_cast(voter=bob, idea=first_idea, value=-1)
        vote_cast(voter=alice, idea=second_idea, value=-1)

    assert sorted(Vote.objects.values_list("voter_id", "idea_id", "value")) == sorted(
        [(alice.pk, first_idea.pk, 1), (bob.pk, first_idea.pk, -1), (alice.pk, second_idea.pk, -1)]
    )
    assert dirty_ids() == {first_idea.pk, second_idea.pk}


def test_the_idea_is_marked_dirty_only_after_commit(django_capture_on_commit_callbacks):
    idea, voter = IdeaFactory(), UserFactory()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        vote_cast(voter=voter, idea=idea, value=1)
    # The test's transaction has not committed: nothing in Redis yet.
    assert dirty_ids() == set()
    assert len(callbacks) == 1

    callbacks[0]()
    assert dirty_ids() == {idea.pk}
    assert dirty.dirty_count() == 1


def test_retracting_keeps_the_row_with_value_zero_and_marks_dirty(
    django_capture_on_commit_callbacks,
):
    idea, voter = IdeaFactory(), UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        vote_cast(voter=voter, idea=idea, value=1)
    get_redis().delete(dirty.dirty_key())

    with django_capture_on_commit_callbacks(execute=True):
        vote_retract(voter=voter, idea=idea)

    assert votes_of(idea) == [(voter.pk, 0)]
    assert dirty_ids() == {idea.pk}


def test_retracting_without_a_vote_writes_nothing(django_capture_on_commit_callbacks):
    idea, voter = IdeaFactory(), UserFactory()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        vote_retract(voter=voter, idea=idea)

    assert Vote.objects.count() == 0
    assert callbacks == []
    assert dirty_ids() == set()


def test_retracting_twice_marks_dirty_once(django_capture_on_commit_callbacks):
    idea, voter = IdeaFactory(), UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        vote_cast(voter=voter, idea=idea, value=-1)
    with django_capture_on_commit_callbacks(execute=True):
        vote_retract(voter=voter, idea=idea)
    retracted_at = Vote.objects.get().updated_at

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        vote_retract(voter=voter, idea=idea)

    assert callbacks == []
    vote = Vote.objects.get()
    assert (vote.value, vote.updated_at) == (0, retracted_at)


def test_a_retracted_vote_can_be_cast_again_in_the_same_row(django_capture_on_commit_callbacks):
    idea, voter = IdeaFactory(), UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        vote_cast(voter=voter, idea=idea, value=1)
        vote_retract(voter=voter, idea=idea)
        vote_cast(voter=voter, idea=idea, value=-1)

    assert votes_of(idea) == [(voter.pk, -1)]


def closed_campaign():
    now = timezone.now()
    return CampaignFactory(
        submission_opens_at=now - timedelta(days=20),
        submission_closes_at=now - timedelta(days=10),
        voting_opens_at=now - timedelta(days=10),
        voting_closes_at=now - timedelta(days=1),
    )


def upcoming_voting_campaign():
    now = timezone.now()
    return CampaignFactory(
        submission_opens_at=now - timedelta(days=1),
        submission_closes_at=now + timedelta(days=5),
        voting_opens_at=now + timedelta(days=5),
        voting_closes_at=now + timedelta(days=10),
    )


def hidden_idea():
    return IdeaFactory(status=Idea.Status.HIDDEN, hidden_reason="Spam")


REFUSALS = [
    pytest.param(
        lambda: (UserFactory(verified=False), IdeaFactory()),
        NotAllowed, 403, "email_not_verified", None,
        id="unverified-email",
    ),
    pytest.param(
        lambda: (UserFactory(), hidden_idea()),
        Conflict, 409, "idea_hidden", None,
        id="hidden-idea",
    ),
    pytest.param(
        lambda: (UserFactory(), IdeaFactory(campaign=CampaignFactory(is_published=False))),
        Conflict, 409, "idea_hidden", None,
        id="unpublished-campaign",
    ),
    pytest.param(
        lambda: (UserFactory(), IdeaFactory(campaign=closed_campaign())),
        Conflict, 409, "voting_closed", None,
        id="voting-closed",
    ),
    pytest.param(
        lambda: (UserFactory(), IdeaFactory(campaign=upcoming_voting_campaign())),
        Conflict, 409, "voting_closed", None,
        id="voting-not-yet-open",
    ),
    pytest.param(
        lambda: (lambda idea: (idea.author, idea))(IdeaFactory()),
        NotAllowed, 403, "own_idea", None,
        id="own-idea",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("make", "error_class", "status", "code", "field"), REFUSALS)
@pytest.mark.parametrize("value", [1, -1])
def test_vote_cast_refusals_write_nothing(
    django_capture_on_commit_callbacks, make, error_class, status, code, field, value
):
    voter, idea = make()

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ApplicationError) as raised,
    ):
        vote_cast(voter=voter, idea=idea, value=value)

    assert type(raised.value) is error_class
    assert (raised.value.status_code, raised.value.code, raised.value.field) == (
        status, code, field,
    )  # fmt: skip
    assert raised.value.message
    assert Vote.objects.count() == 0
    assert callbacks == []
    assert dirty_ids() == set()


@pytest.mark.parametrize(("make", "error_class", "status", "code", "field"), REFUSALS)
def test_vote_retract_refusals_leave_the_vote_as_it_was(
    django_capture_on_commit_callbacks, make, error_class, status, code, field
):
    voter, idea = make()
    now = timezone.now() - timedelta(minutes=5)
    # A vote from earlier (written directly: the window may be closed now).
    Vote.objects.create(voter=voter, idea=idea, value=1, created_at=now, updated_at=now)

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(error_class) as raised,
    ):
        vote_retract(voter=voter, idea=idea)

    assert (raised.value.status_code, raised.value.code) == (status, code)
    vote = Vote.objects.get()
    assert (vote.voter_id, vote.idea_id, vote.value, vote.updated_at) == (
        voter.pk, idea.pk, 1, now,
    )  # fmt: skip
    assert callbacks == []
    assert dirty_ids() == set()


@pytest.mark.parametrize("value", [0, 2, -2, 5, None, "1", "x", 1.5])
def test_a_vote_value_other_than_plus_or_minus_one_is_refused(
    django_capture_on_commit_callbacks, value
):
    idea, voter = IdeaFactory(), UserFactory()

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ApplicationError) as raised,
    ):
        vote_cast(voter=voter, idea=idea, value=value)

    assert type(raised.value) is ApplicationError
    assert (raised.value.status_code, raised.value.code, raised.value.field) == (
        400, "invalid", "value",
    )  # fmt: skip
    assert Vote.objects.count() == 0
    assert callbacks == []
    assert dirty_ids() == set()


def test_a_bad_value_is_refused_before_the_voter_is_checked():
    idea = IdeaFactory()

    with pytest.raises(ApplicationError) as raised:
        vote_cast(voter=UserFactory(verified=False), idea=idea, value=3)

    assert raised.value.field == "value"
    assert Vote.objects.count() == 0


def test_a_refused_change_keeps_the_earlier_vote(django_capture_on_commit_callbacks):
    idea, voter = IdeaFactory(), UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        vote_cast(voter=voter, idea=idea, value=1)
    Idea.objects.filter(pk=idea.pk).update(status=Idea.Status.HIDDEN)
    idea.refresh_from_db()

    with pytest.raises(Conflict):
        vote_cast(voter=voter, idea=idea, value=-1)

    assert votes_of(idea) == [(voter.pk, 1)]


@pytest.mark.django_db(transaction=True)
def test_a_committed_vote_marks_its_idea_dirty_and_a_refused_one_does_not():
    idea, voter = IdeaFactory(), UserFactory()
    own_idea = IdeaFactory(author=voter)

    vote_cast(voter=voter, idea=idea, value=-1)
    with pytest.raises(NotAllowed):
        vote_cast(voter=voter, idea=own_idea, value=1)

    assert dirty_ids() == {idea.pk}
    assert votes_of(idea) == [(voter.pk, -1)]
    assert Vote.objects.filter(idea=own_idea).count() == 0
