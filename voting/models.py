from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Vote(models.Model):
    """A voter's current vote on an idea: +1, -1, or 0 once retracted.

    One row per (voter, idea), guarded by the database. Retracting keeps the row with
    value 0 so that its `updated_at` still tells the reconciliation task that the idea's
    tally is stale."""

    class Value(models.IntegerChoices):
        UP = 1, _("Up")
        RETRACTED = 0, _("Retracted")
        DOWN = -1, _("Down")

    idea = models.ForeignKey("ideas.Idea", on_delete=models.CASCADE, related_name="votes")
    # PROTECT: deleting an account must not silently remove its votes (the tallies would
    # no longer match and nothing would mark them stale). Block the account instead.
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="votes"
    )
    value = models.SmallIntegerField(choices=Value.choices)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(fields=["voter", "idea"], name="vote_one_per_voter_and_idea"),
            models.CheckConstraint(condition=Q(value__in=[-1, 0, 1]), name="vote_value_valid"),
        ]
        indexes = [models.Index(fields=["idea", "updated_at"])]

    def __str__(self):
        return f"{self.voter_id} → {self.idea_id}: {self.value:+d}"


class IdeaTally(models.Model):
    """Counts derived from the vote rows. Written by the tally workers only (see
    voting.tally); the empty row is created with the idea."""

    idea = models.OneToOneField(
        "ideas.Idea", on_delete=models.CASCADE, primary_key=True, related_name="tally"
    )
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+")
    upvotes = models.PositiveIntegerField(default=0)
    downvotes = models.PositiveIntegerField(default=0)
    score = models.IntegerField(default=0)
    wilson_lower_bound = models.FloatField(default=0.0)
    highest_milestone = models.PositiveIntegerField(default=0)
    last_vote_at = models.DateTimeField(null=True, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("idea tally")
        verbose_name_plural = _("idea tallies")
        indexes = [
            models.Index(
                fields=["campaign", "-score", "-wilson_lower_bound"], name="tally_campaign_rank"
            ),
        ]

    def __str__(self):
        return f"{self.idea_id}: {self.score:+d} ({self.vote_count} votes)"

    @property
    def vote_count(self) -> int:
        return self.upvotes + self.downvotes
