from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Vote(models.Model):
    """A voter's current vote on an idea: +1 / -1 (up/down), +1 (support), 1..5 (stars),
    or 0 once retracted.

    One row per (voter, idea), guarded by the database. Retracting keeps the row with
    value 0 so that its `updated_at` still tells the reconciliation task that the idea's
    tally is stale."""

    class Value(models.IntegerChoices):
        UP = 1, _("Up")
        RETRACTED = 0, _("Retracted")
        DOWN = -1, _("Down")

    # PROTECT on ideas and campaigns, here and on ballots, choices, prompts and results:
    # deleting them would silently rewrite other people's ballots and a published audit
    # list. Ideas are hidden or withdrawn, campaigns archived, instead.
    idea = models.ForeignKey(
        "ideas.Idea", on_delete=models.PROTECT, verbose_name=_("idea"), related_name="votes"
    )
    # PROTECT: deleting an account must not silently remove its votes (the tallies would
    # no longer match and nothing would mark them stale). Erase the account instead
    # (accounts.services.account_erase keeps the row under a pseudonym).
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        verbose_name=_("voter"),
        related_name="votes",
    )
    value = models.SmallIntegerField(_("value"), choices=Value.choices)
    created_at = models.DateTimeField(_("created"))
    updated_at = models.DateTimeField(_("updated"))

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(fields=["voter", "idea"], name="vote_one_per_voter_and_idea"),
            models.CheckConstraint(
                condition=Q(value__gte=-1, value__lte=5), name="vote_value_in_range"
            ),
        ]
        indexes = [models.Index(fields=["idea", "updated_at"])]

    def __str__(self):
        return f"{self.voter_id} → {self.idea_id}: {self.value:+d}"


class IdeaTally(models.Model):
    """Counts derived from the vote rows. Written by the tally workers only (see
    voting.tally); the empty row is created with the idea."""

    idea = models.OneToOneField(
        "ideas.Idea",
        on_delete=models.CASCADE,
        verbose_name=_("idea"),
        primary_key=True,
        related_name="tally",
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, verbose_name=_("campaign"), related_name="+"
    )
    upvotes = models.PositiveIntegerField(_("votes for"), default=0)
    downvotes = models.PositiveIntegerField(_("votes against"), default=0)
    score = models.IntegerField(_("score"), default=0)
    wilson_lower_bound = models.FloatField(_("Wilson lower bound"), default=0.0)
    highest_milestone = models.PositiveIntegerField(_("highest milestone"), default=0)
    # Star ratings: sum of the stars (upvotes then holds the number of ratings).
    rating_sum = models.PositiveIntegerField(_("sum of stars"), default=0)
    # The format's own score: Bayesian average (stars), Bradley-Terry (pairwise).
    method_score = models.FloatField(_("method score"), default=0.0)
    hot_score = models.FloatField(_("hot score"), default=0.0)
    # Times the idea was shown in a list, and up votes per impression (voting.impressions).
    impressions = models.PositiveBigIntegerField(_("impressions"), default=0)
    exposure_score = models.FloatField(_("exposure score"), default=0.0)
    controversy = models.FloatField(_("controversy"), default=0.0)
    # Supporter thresholds: stages reached, the deadline of the next one, and the state.
    support_stage = models.PositiveSmallIntegerField(_("support stage"), default=0)
    support_deadline = models.DateTimeField(_("support deadline"), null=True, blank=True)
    support_status = models.CharField(
        _("support status"),
        max_length=20,
        choices=[
            ("active", _("Gathering support")),
            ("expired", _("Expired")),
            ("review", _("In brand review")),
        ],
        default="active",
    )
    last_vote_at = models.DateTimeField(_("last vote"), null=True, blank=True)
    computed_at = models.DateTimeField(_("computed"), null=True, blank=True)

    class Meta:
        verbose_name = _("idea tally")
        verbose_name_plural = _("idea tallies")
        # One index per order the idea lists offer (voting.orders), tie-breaker included.
        indexes = [
            models.Index(
                fields=["campaign", "-wilson_lower_bound", "-score", "-idea"],
                name="tally_order_top",
            ),
            models.Index(
                fields=["campaign", "-score", "-wilson_lower_bound", "-idea"],
                name="tally_order_score",
            ),
            models.Index(fields=["campaign", "-hot_score", "-idea"], name="tally_order_hot"),
            models.Index(
                fields=["campaign", "-controversy", "-idea"], name="tally_order_controversy"
            ),
            models.Index(fields=["campaign", "-upvotes", "-idea"], name="tally_order_supported"),
            models.Index(
                fields=["campaign", "-method_score", "-upvotes", "-idea"], name="tally_order_rated"
            ),
            models.Index(
                fields=["campaign", "-exposure_score", "-idea"], name="tally_order_exposure"
            ),
        ]

    def __str__(self):
        return f"{self.idea_id}: {self.score:+d} ({self.vote_count} votes)"

    @property
    def vote_count(self) -> int:
        return self.upvotes + self.downvotes


class Ballot(models.Model):
    """One voter's ballot in a ballot campaign (single, approval, ranked, budget): one per
    voter and campaign, replaced as a whole until the close. `receipt` is a random code
    shown only to the voter; the published audit list names ballots by it."""

    campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.PROTECT,
        verbose_name=_("campaign"),
        related_name="ballots",
    )
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        verbose_name=_("voter"),
        related_name="ballots",
    )
    receipt = models.CharField(_("receipt"), max_length=32, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "voter"], name="ballot_one_per_voter"),
        ]
        indexes = [models.Index(fields=["campaign", "updated_at"])]

    def __str__(self):
        # Never the receipt: it names the voter's line in the published audit list.
        return f"ballot {self.pk} in {self.campaign_id}"


class BallotChoice(models.Model):
    """An idea on a ballot; `rank` orders ranked ballots (1 = first choice)."""

    ballot = models.ForeignKey(
        Ballot, on_delete=models.CASCADE, verbose_name=_("ballot"), related_name="choices"
    )
    idea = models.ForeignKey(
        "ideas.Idea", on_delete=models.PROTECT, verbose_name=_("idea"), related_name="+"
    )
    rank = models.PositiveSmallIntegerField(_("rank"), null=True, blank=True)

    class Meta:
        verbose_name = _("ballot choice")
        verbose_name_plural = _("ballot choices")
        ordering = ["rank", "id"]
        constraints = [
            models.UniqueConstraint(fields=["ballot", "idea"], name="ballotchoice_idea_once"),
            models.UniqueConstraint(fields=["ballot", "rank"], name="ballotchoice_rank_once"),
        ]

    def __str__(self):
        return f"{self.ballot_id}: {self.idea_id} (rank {self.rank})"


class PairwisePrompt(models.Model):
    """A pair shown to a voter in a pairwise survey, answerable once through its token."""

    class Outcome(models.TextChoices):
        LEFT = "left", _("Left")
        RIGHT = "right", _("Right")
        SKIP = "skip", _("Can't decide")

    campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.PROTECT,
        verbose_name=_("campaign"),
        related_name="pairwise_prompts",
    )
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        verbose_name=_("voter"),
        related_name="pairwise_prompts",
    )
    left = models.ForeignKey(
        "ideas.Idea", on_delete=models.PROTECT, verbose_name=_("left idea"), related_name="+"
    )
    right = models.ForeignKey(
        "ideas.Idea", on_delete=models.PROTECT, verbose_name=_("right idea"), related_name="+"
    )
    token = models.CharField(_("token"), max_length=64, unique=True)
    issued_at = models.DateTimeField(_("issued"), auto_now_add=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)

    class Meta:
        verbose_name = _("pairwise prompt")
        verbose_name_plural = _("pairwise prompts")
        constraints = [
            models.CheckConstraint(condition=~Q(left=F("right")), name="pairwise_distinct"),
        ]
        indexes = [models.Index(fields=["campaign", "answered_at"])]

    def __str__(self):
        return f"{self.left_id} vs {self.right_id}: {self.outcome or '?'}"


class CampaignResult(models.Model):
    """A campaign's result by its method: live (recomputed by the workers) until the close,
    then final, with the SHA-256 digest of the canonical anonymised list of counted votes."""

    campaign = models.OneToOneField(
        "campaigns.Campaign",
        on_delete=models.PROTECT,
        verbose_name=_("campaign"),
        primary_key=True,
        related_name="result",
    )
    method = models.CharField(_("method"), max_length=20)
    ranking = models.JSONField(_("ranking"), default=list, help_text=_("Idea ids, best first."))
    details = models.JSONField(
        _("details"), default=dict, help_text=_("Counts, rounds, pairwise matrix.")
    )
    ballot_count = models.PositiveIntegerField(_("ballot count"), default=0)
    digest = models.CharField(_("digest"), max_length=64, blank=True)
    is_final = models.BooleanField(_("final"), default=False)
    computed_at = models.DateTimeField(_("computed"))

    class Meta:
        verbose_name = _("campaign result")
        verbose_name_plural = _("campaign results")

    def __str__(self):
        return f"{self.campaign_id} ({'final' if self.is_final else 'live'})"


class AuditChunk(models.Model):
    """One numbered part of a final result's anonymised audit list, written once at the
    close (voting/audit_store.py): `data` is a complete gzip member holding `entry_count`
    canonical JSON lines, so the chunks joined in order are the whole list as one gzip
    file, and the lines joined by commas inside brackets are the exact bytes whose SHA-256
    is the result's digest. Number 1 always exists (empty when nothing was counted): a
    final result without it was published before the chunks existed."""

    result = models.ForeignKey(
        CampaignResult,
        on_delete=models.CASCADE,  # derived from the result and rewritten with it
        verbose_name=_("result"),
        related_name="audit_chunks",
    )
    number = models.PositiveIntegerField(_("number"))
    entry_count = models.PositiveIntegerField(_("entries"))
    data = models.BinaryField(_("data"))

    class Meta:
        verbose_name = _("audit chunk")
        verbose_name_plural = _("audit chunks")
        constraints = [
            models.UniqueConstraint(fields=["result", "number"], name="audit_chunk_one_per_number")
        ]

    def __str__(self):
        return f"audit {self.result_id} #{self.number}"


class LiveAggregate(models.Model):
    """The incremental count of a ballot or pairwise campaign's live result
    (voting/aggregates.py), derived from the ballots and answers by the results worker and
    rebuilt from them at will. Its rows: `LiveBallot` (what each ballot was counted as),
    `LiveCount` (ballots grouped by their choices, or the pairwise win matrix) and
    `LiveAnswer` (the answers already counted that a later update may read again)."""

    campaign = models.OneToOneField(
        "campaigns.Campaign",
        on_delete=models.CASCADE,  # derived data
        primary_key=True,
        verbose_name=_("campaign"),
        related_name="+",
    )
    # Ballots updated and answers given from this time on are read again by the next
    # update (earlier ones are all counted).
    ballots_since = models.DateTimeField(_("ballots updated since"))
    answers_since = models.DateTimeField(_("answers given since"))
    checked_at = models.DateTimeField(_("checked against a full recount"))

    class Meta:
        verbose_name = _("live aggregate")
        verbose_name_plural = _("live aggregates")

    def __str__(self):
        return f"live aggregate of {self.campaign_id}"


class LiveBallot(models.Model):
    """The choices (idea ids, by rank then id; empty: withdrawn) a ballot was last counted
    with: a replaced ballot takes them back out of the counts."""

    ballot_id = models.BigIntegerField(_("ballot"), primary_key=True)
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, verbose_name=_("campaign"), related_name="+"
    )
    choices = ArrayField(models.BigIntegerField(), verbose_name=_("choices counted"))

    class Meta:
        verbose_name = _("counted ballot")
        verbose_name_plural = _("counted ballots")

    def __str__(self):
        return f"ballot {self.ballot_id} counted"


class LiveCount(models.Model):
    """How many ballots chose exactly `key` (idea ids, by rank then id), or, in a pairwise
    survey, how many answers `key` = [winner, loser, decided (1) or skipped (0)] has."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, verbose_name=_("campaign"), related_name="+"
    )
    key = ArrayField(models.BigIntegerField(), verbose_name=_("choices counted"))
    count = models.IntegerField(_("votes"))

    class Meta:
        verbose_name = _("live count")
        verbose_name_plural = _("live counts")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "key"], name="live_count_one_per_key")
        ]

    def __str__(self):
        return f"{self.campaign_id} {self.key}: {self.count}"


class LiveAnswer(models.Model):
    """A pairwise answer already counted, kept while a later update may read it again."""

    prompt_id = models.BigIntegerField(_("pairwise prompt"), primary_key=True)
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, verbose_name=_("campaign"), related_name="+"
    )
    answered_at = models.DateTimeField(_("answered"))

    class Meta:
        verbose_name = _("counted answer")
        verbose_name_plural = _("counted answers")
        indexes = [models.Index(fields=["campaign", "answered_at"])]

    def __str__(self):
        return f"answer {self.prompt_id} counted"
