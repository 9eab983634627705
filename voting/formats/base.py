"""The base class of a voting format, and the three kinds every format is one of.

A format is a plain class with class attributes (what it is, what it accepts, its orders,
its builder fields, its export columns, its templates) and methods (validation, tally,
result). One module per format in this package declares one subclass and registers it
with `voting.formats.registry.register`; everything else (services, views, API, builder,
exports, templates) asks `voting.formats.format_for(campaign)` instead of branching on
`campaign.voting_method`. See docs/voting-formats.md.

The three kinds differ by where a vote is stored, so they carry the shared code:
- `PerIdeaFormat`: one `Vote` row per (voter, idea); a worker recounts each idea's
  `IdeaTally` (up/down, support, stars).
- `BallotFormat`: one `Ballot` per (voter, campaign) with its `BallotChoice` rows; the
  result is recomputed for the whole campaign (single, approval, ranked, budget).
- `PairwiseFormat`: `PairwisePrompt` rows answered once each (pairwise survey).
"""

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from voting import audit
from voting.impressions import exposure_score
from voting.methods.ratings import controversy, hot_score, wilson_lower_bound
from voting.models import Ballot, BallotChoice, IdeaTally, PairwisePrompt, Vote

# The kinds (VotingFormat.kind).
VOTES, BALLOT, PAIRWISE = "votes", "ballot", "pairwise"


def refuse_repeated_choices(choices: list[int]) -> None:
    """A ballot names each idea once at most."""
    if len(set(choices)) != len(choices):
        raise ApplicationError(_("Each idea may appear only once on a ballot."), field="choices")


def count_up_and_down(tally, row: dict) -> None:
    """The counts and scores of a format voted for and against (or for only, as support
    is): score, Wilson bound, hot, controversy and exposure."""
    tally.upvotes, tally.downvotes = row["up"], row["down"]
    tally.score = row["up"] - row["down"]
    tally.wilson_lower_bound = wilson_lower_bound(row["up"], row["down"])
    tally.hot_score = hot_score(
        score=tally.score, created_at_epoch=tally.idea_created_at.timestamp()
    )
    tally.controversy = controversy(upvotes=row["up"], downvotes=row["down"])
    tally.exposure_score = exposure_score(upvotes=row["up"], impressions=tally.impressions)


class VotingFormat:
    """What every format declares. Subclass one of the kinds below, not this class."""

    # -- identity ---------------------------------------------------------------------------
    #: The value stored in Campaign.voting_method (also the template folder's name).
    key: str = ""
    #: The name a brand reads in the builder (a lazy translation).
    label = ""
    #: One sentence for the builder's format step (a lazy translation), optional.
    description = ""
    #: VOTES, BALLOT or PAIRWISE: where a voter's choice is stored (see the module doc).
    kind: str = ""

    # -- what it accepts --------------------------------------------------------------------
    #: Per-idea formats: the values a Vote may take (0, withdrawing, is always accepted
    #: by the views and never reaches validate_vote).
    vote_values: frozenset[int] = frozenset()
    #: Per-idea formats: the message when a value is not in vote_values.
    vote_value_message = ""
    #: Ballot formats: choices are stored with their rank (first is preferred).
    ranked_ballot: bool = False
    #: Elections (single, approval, ranked) may take their candidates from the brand
    #: instead of the crowd (the builder's "candidates" step).
    is_election: bool = False
    #: Ideas carry a cost the author must give (participatory budget).
    ideas_have_cost: bool = False
    #: Ideas go through supporter stages with deadlines (IdeaTally.support_*).
    has_support_stages: bool = False

    # -- tally and result -------------------------------------------------------------------
    #: Per-idea formats: IdeaTally columns (descending) that rank the ideas in the result.
    tally_order: tuple[str, ...] = ()
    #: Up/down only: tallies may be recounted by voting.tally's one-statement SQL path.
    recount_in_sql: bool = False
    #: The tally's score (votes for minus against) is worth showing beside the vote count
    #: (the brand's dashboard).
    shows_net_score: bool = False

    # -- orders -----------------------------------------------------------------------------
    #: Names from voting.orders.ORDERS an idea list may be shown in; the first is the default.
    orders: tuple[str, ...] = ("newest", "random")

    # -- builder ----------------------------------------------------------------------------
    #: The builder's "format" step fields this format uses (beyond voting_method itself):
    #: names of builder.forms.FormatForm fields, e.g. "budget_amount", "support_stages".
    builder_fields: tuple[str, ...] = ("max_votes_per_voter", "results_embargo")
    #: Campaign field values a builder preset of this format starts from (the preset's own
    #: values win), e.g. {"budget_amount": 100_000}.
    preset_defaults: dict = {}

    # -- exports ----------------------------------------------------------------------------
    #: Extra columns of the ideas export: (header, Idea values_list path) pairs; the values
    #: go through export_idea_values.
    idea_export_columns: tuple[tuple[str, str], ...] = ()

    # -- templates --------------------------------------------------------------------------
    #: Template names by role. Per-idea formats: "vote_widget" (the buttons inside the
    #: voting/_vote_widget.html frame) and "score" (the count beside them). Ballot formats:
    #: "ballot_choice" (one candidate's input) and "ballot_intro" (the instruction).
    #: Every format: "results" (extra sections of the results page, may be "").
    #: Per-format templates live under templates/voting/formats/<key>/.
    templates: dict[str, str] = {}

    # -- flags derived from the kind --------------------------------------------------------
    @property
    def votes_per_idea(self) -> bool:
        """Each idea has its own vote buttons (Vote rows)."""
        return self.kind == VOTES

    @property
    def uses_ballots(self) -> bool:
        """One ballot per voter lists every candidate."""
        return self.kind == BALLOT

    @property
    def is_pairwise(self) -> bool:
        """Voters answer pairs issued by the server."""
        return self.kind == PAIRWISE

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.key!r}>"

    # -- validation -------------------------------------------------------------------------
    def validate_vote(self, *, campaign, value: int) -> None:
        """Raise ApplicationError(field="value") if `value` is not a vote of this format."""
        raise ApplicationError(
            _("This campaign is not voted idea by idea: use its ballot."), field="value"
        )

    def validate_ballot(self, *, campaign, choices: list[int]) -> None:
        """Raise ApplicationError(field="choices") if the shape of `choices` (idea ids, in
        order) is wrong for this format, before the ideas are looked up."""
        raise ApplicationError(_("This campaign takes no ballots."), field="choices")

    def validate_ballot_ideas(self, *, campaign, choices: list[int], ideas: dict) -> None:
        """Checks that need the chosen ideas ({id: Idea}), e.g. a budget's costs."""

    def clean_idea_cost(self, *, campaign, cost: int | None) -> int | None:
        """The cost an idea of this format keeps (None: its ideas have no cost); raise
        ApplicationError(field="cost") when it is missing or wrong."""
        return None

    def launch_problems(self, *, campaign) -> list[tuple[str, str]]:
        """What keeps a campaign of this format from launching, as (field, message): its
        settings, checked as the builder's format step checks them."""
        values = {field: getattr(campaign, field, None) for field in self.builder_fields}
        return self.settings_problems(values)

    def settings_problems(self, values: dict) -> list[tuple[str, str]]:
        """(field, message) pairs for campaign settings this format cannot run with.
        `values` holds Campaign field values (budget_amount, support_stages, ...)."""
        return []

    # -- tally ------------------------------------------------------------------------------
    def apply_counts(self, tally: IdeaTally, row: dict, *, now) -> None:
        """Per-idea formats: write one idea's counts into its tally. `row` has "up",
        "down" (votes of 1 and -1), "rated" (votes above 0), "stars" (their sum) and
        "last" (the newest vote's time). By default the counts of votes for and against
        (a format stored elsewhere has no vote rows: zeros)."""
        count_up_and_down(tally, row)

    # -- result -----------------------------------------------------------------------------
    def audit_entries(self, *, campaign) -> list[dict]:
        """The canonical, anonymised, sorted list of what was counted (its SHA-256 is the
        published digest)."""
        raise NotImplementedError

    def compute_result(
        self, *, campaign, entries: list[dict], candidates: list[int]
    ) -> tuple[list[int], dict, int]:
        """(ranking, details, number counted) from the audit entries; `candidates` are the
        visible ideas' ids, ascending. Delegate the counting to voting/methods/."""
        raise NotImplementedError

    def audit_stream(self, *, campaign) -> Iterable[dict]:
        """audit_entries one at a time, in the same order, without holding the list: what
        the final result's stored chunks and digest are written from (voting/audit_store.py).
        By default the list itself."""
        return self.audit_entries(campaign=campaign)

    def final_result(self, *, campaign, candidates: list[int]) -> tuple[list[int], dict, int]:
        """The final result: exactly compute_result over the audit list, without building
        the list where the format can count otherwise. By default from the list."""
        entries = self.audit_entries(campaign=campaign)
        return self.compute_result(campaign=campaign, entries=entries, candidates=candidates)

    # True when live_result takes `source=` (voting.ballot_counts or the incremental
    # aggregate's voting.aggregate_counts): the results worker then keeps the campaign's
    # aggregate up to date and counts from it (voting/aggregates.py).
    counts_incrementally = False

    def live_result(self, *, campaign, candidates: list[int]) -> tuple[list[int], dict, int]:
        """The live result (recomputed by the workers while voting is open): the same
        (ranking, details, number counted) as compute_result, without a digest. By default
        from the audit list; the ballot and pairwise formats count in the database instead
        (voting/ballot_counts.py) and never build the list."""
        entries = self.audit_entries(campaign=campaign)
        return self.compute_result(campaign=campaign, entries=entries, candidates=candidates)

    def after_result(self, *, campaign, details: dict) -> None:
        """Called inside result_compute's transaction once the result is computed (e.g.
        pairwise writes its scores into the tallies so that idea lists can be ordered)."""

    def result_method(self, *, campaign) -> str:
        """What CampaignResult.method stores (and the exports read back)."""
        return self.key

    def result_methods(self) -> tuple[str, ...]:
        """Every value result_method may return (the exports find the format by it)."""
        return (self.key,)

    def result_figures(self, *, details: dict) -> dict[str, float]:
        """{str(idea id): the figure charted on the results page} from a result's details."""
        return {}

    def chart_caption(self, *, details: dict) -> str:
        """What the results page's bars show."""
        return _("votes")

    def result_columns(self, *, method: str) -> list[str]:
        """The figures columns of the results export, for a stored result's method."""
        return []

    def result_row(self, *, method: str, details: dict, pk: int) -> list:
        """The values of result_columns for idea `pk`."""
        return []

    # -- participation ----------------------------------------------------------------------
    def participation(self, *, campaign) -> tuple[QuerySet, str, str]:
        """(rows, date field, unit): one row per vote, ballot or answer that counts, with
        a `voter_id` column; the unit is "votes", "ballots" or "answers"."""
        raise NotImplementedError

    # -- exports ----------------------------------------------------------------------------
    def export_idea_values(self, extra: list) -> list:
        """The values of idea_export_columns for one idea, as exported."""
        return list(extra)


class PerIdeaFormat(VotingFormat):
    """Votes on ideas, one Vote row per (voter, idea), recounted into each IdeaTally."""

    kind = VOTES
    templates = {"vote_widget": "", "score": "", "results": ""}

    def validate_vote(self, *, campaign, value: int) -> None:
        if value not in self.vote_values:
            raise ApplicationError(str(self.vote_value_message), field="value")

    def audit_entries(self, *, campaign) -> list[dict]:
        return audit.vote_entries(campaign=campaign)

    def audit_stream(self, *, campaign) -> Iterable[dict]:
        return audit.iter_vote_entries(campaign=campaign)

    def compute_result(self, *, campaign, entries, candidates):
        return self.tally_result(candidates=candidates, counted=len(entries))

    def final_result(self, *, campaign, candidates):
        # The ranking reads the tallies; the list would only give its length.
        counted = self.participation(campaign=campaign)[0].count()
        return self.tally_result(candidates=candidates, counted=counted)

    def tally_result(self, *, candidates: list[int], counted: int):
        """The ranking by the tallies' columns, `counted` votes."""
        tallies = list(
            IdeaTally.objects.filter(idea_id__in=candidates)
            .order_by(*(f"-{column}" for column in self.tally_order), "idea_id")
            .values("idea_id", "upvotes", "downvotes", "score", "method_score")
        )
        details = {"counts": {str(t["idea_id"]): t for t in tallies}}
        return [t["idea_id"] for t in tallies], details, counted

    def result_figures(self, *, details):
        return {key: value["score"] for key, value in details.get("counts", {}).items()}

    def result_columns(self, *, method):
        return ["upvotes", "downvotes", "score", "method_score"]

    def result_row(self, *, method, details, pk):
        counts = details.get("counts", {}).get(str(pk), {})
        return [counts.get("upvotes", 0), counts.get("downvotes", 0), counts.get("score", 0),
                round(counts.get("method_score", 0.0), 4)]  # fmt: skip

    def participation(self, *, campaign):
        votes = Vote.objects.filter(idea__campaign=campaign).exclude(value=Vote.Value.RETRACTED)
        return votes, "created_at", "votes"


class BallotFormat(VotingFormat):
    """One ballot per voter and campaign, replaced as a whole until voting closes."""

    kind = BALLOT
    templates = {"ballot_intro": "", "ballot_choice": "", "results": ""}
    #: Whether an empty ballot may be submitted (budget: spending nothing is a choice).
    allows_empty_ballot = False

    def validate_ballot(self, *, campaign, choices):
        refuse_repeated_choices(choices)
        if not choices and not self.allows_empty_ballot:
            raise ApplicationError(_("Choose at least one idea."), field="choices")

    def audit_entries(self, *, campaign) -> list[dict]:
        return audit.ballot_entries(campaign=campaign)

    def audit_stream(self, *, campaign) -> Iterable[dict]:
        return audit.iter_ballot_entries(campaign=campaign)

    def final_result(self, *, campaign, candidates):
        # Counted by the database (exact integer counts: the very result of the list).
        return self.live_result(campaign=campaign, candidates=candidates)

    def ballots(self, *, entries: list[dict], candidates: list[int]) -> list[list[int]]:
        """The counted ballots: choices among the candidates, empty ballots left out."""
        allowed = set(candidates)
        ballots = [[pk for pk in entry["choices"] if pk in allowed] for entry in entries]
        return [ballot for ballot in ballots if ballot]

    def result_figures(self, *, details):
        return dict(details.get("counts", {}))

    def participation(self, *, campaign):
        ballots = Ballot.objects.filter(
            Exists(BallotChoice.objects.filter(ballot=OuterRef("pk"))), campaign=campaign
        )
        return ballots, "created_at", "ballots"


class PairwiseFormat(VotingFormat):
    """Pairs issued by the server with a one-time token, each answered once."""

    kind = PAIRWISE
    templates = {"results": ""}

    def audit_entries(self, *, campaign) -> list[dict]:
        return audit.pairwise_entries(campaign=campaign)

    def audit_stream(self, *, campaign) -> Iterable[dict]:
        return audit.iter_pairwise_entries(campaign=campaign)

    def participation(self, *, campaign):
        answered = PairwisePrompt.objects.filter(campaign=campaign, answered_at__isnull=False)
        return answered, "answered_at", "answers"
