from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LedgerEntry(models.Model):
    """One line of a contributor's points ledger. Append-only; `event_key` names the event
    that paid it, unique per user, so no event ever pays twice."""

    class Reason(models.TextChoices):
        IDEA_PUBLISHED = "idea_published", _("Idea published")
        IDEA_FIRST_VOTE = "idea_first_vote", _("First vote on an idea")
        COMMENT_POSTED = "comment_posted", _("Comment posted")
        PRIZE = "prize", _("Prize")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        verbose_name=_("user"),
        related_name="ledger_entries",
    )
    points = models.IntegerField(_("points"))
    reason = models.CharField(_("reason"), max_length=40, choices=Reason.choices)
    event_key = models.CharField(_("event key"), max_length=200)
    idea = models.ForeignKey(
        "ideas.Idea",
        on_delete=models.SET_NULL,
        verbose_name=_("idea"),
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        constraints = [
            models.UniqueConstraint(fields=["user", "event_key"], name="ledger_once_per_event"),
        ]

    def __str__(self):
        return f"{self.user} {self.points:+d} ({self.reason})"
