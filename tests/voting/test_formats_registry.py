"""The registry of voting formats (voting/formats/): every method has its format, each
format's validation accepts and refuses what it should, and a format registered in a test
shows up in the builder and the orders without any other change."""

from types import SimpleNamespace

import pytest
from django.template.loader import get_template

from builder.forms import FormatForm
from builder.presets import is_election
from campaigns.models import Campaign
from core.errors import ApplicationError
from voting.formats import (
    all_formats,
    format_choices,
    format_for,
    format_keys,
    get_format,
    register,
    unregister,
)
from voting.formats.base import BALLOT, PAIRWISE, VOTES, PerIdeaFormat, VotingFormat
from voting.orders import ORDERS, order_name, orders_for


def campaign(method: str, **fields) -> Campaign:
    return Campaign(voting_method=method, **fields)


# -- the registry --------------------------------------------------------------------------


@pytest.mark.parametrize("key", Campaign.VotingMethod.values)
def test_every_voting_method_has_a_registered_format(key):
    voting_format = get_format(key)
    assert voting_format.key == key
    assert format_for(campaign(key)) is voting_format
    assert voting_format.kind in (VOTES, BALLOT, PAIRWISE)
    assert str(voting_format.label)


def test_the_registry_follows_the_model_choices_order():
    keys = [voting_format.key for voting_format in all_formats()]
    assert keys[: len(Campaign.VotingMethod.values)] == Campaign.VotingMethod.values
    assert [key for key, _label in format_choices()] == keys


def test_an_unknown_key_is_a_key_error():
    with pytest.raises(KeyError, match="nonsense"):
        get_format("nonsense")


def test_a_key_cannot_be_registered_twice():
    class Again(PerIdeaFormat):
        key = "updown"

    with pytest.raises(ValueError, match="registered already"):
        register(Again)
    assert type(get_format("updown")).__name__ == "UpDownFormat"


@pytest.mark.parametrize("voting_format", all_formats(), ids=lambda f: f.key)
def test_each_format_declares_orders_and_templates_that_exist(voting_format):
    assert voting_format.orders, "the first order is the default"
    assert set(voting_format.orders) <= set(ORDERS)
    for role, name in voting_format.templates.items():
        if name:
            assert get_template(name), role
    if voting_format.votes_per_idea:
        assert voting_format.vote_values and voting_format.tally_order
    for _header, path in voting_format.idea_export_columns:
        assert path


def test_the_flags_follow_the_kind():
    assert {"updown", "support", "star"} <= set(format_keys(lambda f: f.votes_per_idea))
    assert set(format_keys(lambda f: f.uses_ballots)) == {"single", "approval", "ranked", "budget"}
    assert format_keys(lambda f: f.is_pairwise) == ["pairwise"]
    assert set(format_keys(lambda f: f.is_election)) == {"single", "approval", "ranked"}
    assert format_keys(lambda f: f.recount_in_sql) == ["updown"]
    assert format_keys(lambda f: f.ideas_have_cost) == ["budget"]


# -- what each format accepts --------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "accepted", "refused"),
    [
        ("updown", [1, -1], [0, 2, -2, 5]),
        ("support", [1], [-1, 0, 2]),
        ("star", [1, 2, 3, 4, 5], [0, 6, -1]),
    ],
)
def test_per_idea_formats_validate_vote_values(key, accepted, refused):
    voting_format = get_format(key)
    for value in accepted:
        voting_format.validate_vote(campaign=campaign(key), value=value)
    for value in refused:
        with pytest.raises(ApplicationError) as refusal:
            voting_format.validate_vote(campaign=campaign(key), value=value)
        assert refusal.value.field == "value"
        assert str(refusal.value.message) == str(voting_format.vote_value_message)


@pytest.mark.parametrize("key", ["single", "approval", "ranked", "budget", "pairwise"])
def test_formats_not_voted_idea_by_idea_take_no_vote(key):
    with pytest.raises(ApplicationError):
        get_format(key).validate_vote(campaign=campaign(key), value=1)


@pytest.mark.parametrize("key", ["updown", "star", "pairwise"])
def test_formats_without_ballots_take_no_ballot(key):
    with pytest.raises(ApplicationError):
        get_format(key).validate_ballot(campaign=campaign(key), choices=[1])


@pytest.mark.parametrize(
    ("key", "fields", "accepted", "refused"),
    [
        ("single", {}, [[7]], [[], [7, 8], [7, 7]]),
        ("approval", {}, [[7], [7, 8, 9]], [[], [7, 7]]),
        ("approval", {"max_votes_per_voter": 2}, [[7, 8]], [[7, 8, 9]]),
        ("ranked", {}, [[9, 7, 8], [8]], [[], [7, 8, 7]]),
        ("budget", {"budget_amount": 100}, [[], [7, 8]], [[7, 7]]),
    ],
)
def test_ballot_formats_validate_the_shape_of_a_ballot(key, fields, accepted, refused):
    voting_format = get_format(key)
    for choices in accepted:
        voting_format.validate_ballot(campaign=campaign(key, **fields), choices=choices)
    for choices in refused:
        with pytest.raises(ApplicationError) as refusal:
            voting_format.validate_ballot(campaign=campaign(key, **fields), choices=choices)
        assert refusal.value.field == "choices"


def test_a_budget_ballot_must_fit_the_budget():
    budget = get_format("budget")
    ideas = {7: SimpleNamespace(cost=60), 8: SimpleNamespace(cost=50)}
    within = campaign("budget", budget_amount=110)
    budget.validate_ballot_ideas(campaign=within, choices=[7, 8], ideas=ideas)
    with pytest.raises(ApplicationError, match="over the budget of 100"):
        budget.validate_ballot_ideas(
            campaign=campaign("budget", budget_amount=100), choices=[7, 8], ideas=ideas
        )


def test_only_ranked_ballots_keep_their_order():
    assert format_keys(lambda f: f.ranked_ballot) == ["ranked"]
    assert get_format("ranked").result_method(campaign=campaign("ranked", ranked_method="irv")) == (
        "ranked:irv"
    )
    assert get_format("single").result_method(campaign=campaign("single")) == "single"


@pytest.mark.parametrize(
    ("key", "values", "problem_fields"),
    [
        ("budget", {"budget_amount": None}, ["budget_amount"]),
        ("budget", {"budget_amount": 100}, []),
        ("support", {"support_stages": []}, ["support_stages"]),
        ("support", {"support_stages": [[100, 0]]}, ["support_stages"]),
        ("support", {"support_stages": [[100, 30], [50, 30]]}, ["support_stages"]),
        ("support", {"support_stages": [[100, 30], [500, 60]]}, []),
        ("updown", {"budget_amount": None, "support_stages": []}, []),
    ],
)
def test_settings_a_format_cannot_run_with(key, values, problem_fields):
    problems = get_format(key).settings_problems(values)
    assert [field for field, _message in problems] == problem_fields


def test_results_are_read_by_each_format():
    assert get_format("support").result_figures(
        details={"counts": {"7": {"upvotes": 4, "score": 3, "method_score": 4.0}}}
    ) == {"7": 4}
    assert get_format("ranked").result_figures(details={"rounds": [{"7": 3}, {"7": 5}]}) == {"7": 3}
    assert get_format("budget").result_columns(method="budget") == ["approvals", "cost", "funded"]
    assert get_format("ranked").result_columns(method="ranked:schulze") == [
        "pairwise_wins",
        "winner",
    ]


# -- a new format needs no change elsewhere ------------------------------------------------


class FakeFormat(PerIdeaFormat):
    """A made-up per-idea format: thumbs up only, listed newest first."""

    key = "fake_thumbs"
    label = "Fake thumbs"
    is_election = True
    vote_values = frozenset({1})
    vote_value_message = "A thumb is 1."
    tally_order = ("upvotes",)
    orders = ("newest", "supported", "random")


@pytest.fixture
def fake_format():
    register(FakeFormat)
    yield get_format(FakeFormat.key)
    unregister(FakeFormat.key)


def test_a_registered_format_shows_up_without_other_changes(fake_format):
    assert isinstance(fake_format, VotingFormat)
    assert all_formats()[-1] is fake_format
    assert format_for(campaign("fake_thumbs")) is fake_format
    # The builder offers it, and takes it.
    form = FormatForm()
    assert ("fake_thumbs", "Fake thumbs") in form.fields["voting_method"].choices
    bound = FormatForm(
        data={"voting_method": "fake_thumbs", "ranked_method": "schulze",
              "candidates_from": FormatForm.BRAND, "support_stages": ""}
    )  # fmt: skip
    assert bound.is_valid(), bound.errors
    assert is_election("fake_thumbs")
    # Its orders, default first.
    assert [name for name, _label in orders_for("fake_thumbs")] == list(FakeFormat.orders)
    assert order_name("fake_thumbs", None) == "newest"
    assert order_name("fake_thumbs", "supported") == "supported"
    assert order_name("fake_thumbs", "hot") == "newest"


def test_an_unregistered_format_is_gone(fake_format):
    unregister(FakeFormat.key)
    assert "fake_thumbs" not in format_keys()
    assert "fake_thumbs" not in [
        key for key, _label in FormatForm().fields["voting_method"].choices
    ]
    register(FakeFormat)  # the fixture unregisters it again
