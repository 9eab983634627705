from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from notifications.texts import notification_text


class Notification(models.Model):
    """An in-app notification. `event_key` names the event it reports; the unique
    constraint on (recipient, event_key) makes sending it twice impossible."""

    class Kind(models.TextChoices):
        VOTE_MILESTONE = "vote_milestone", _("Vote milestone")
        IDEA_HIDDEN = "idea_hidden", _("Idea hidden")
        SUPPORT_STAGE = "support_stage", _("Support stage reached")
        SUPPORT_REVIEW = "support_review", _("Idea sent to brand review")
        SUPPORT_EXPIRED = "support_expired", _("Support window expired")
        RESULTS_PUBLISHED = "results_published", _("Results published")
        CAMPAIGN_OPENED = "campaign_opened", _("Campaign open for ideas")
        VOTING_OPENED = "voting_opened", _("Voting open")
        VOTING_ENDING = "voting_ending", _("Voting ends soon")
        SCHEDULE_CHANGED = "schedule_changed", _("Schedule changed")
        IDEA_APPROVED = "idea_approved", _("Idea approved")
        IDEA_ANSWERED = "idea_answered", _("Idea answered")
        PRIZE_WON = "prize_won", _("Prize won")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        verbose_name=_("recipient"),
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices)
    event_key = models.CharField(_("event key"), max_length=200)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    url = models.CharField(_("URL"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "event_key"], name="notification_once_per_event"
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"]),
            models.Index(
                fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"
            ),
        ]

    def __str__(self):
        return self.message

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def message(self) -> str:
        """The text, in the reader's language (rendered when shown, not when stored)."""
        if self.kind not in self.Kind.values:
            return str(self.kind)
        return notification_text(
            kind=self.kind, params=self.params or {}, fallback=str(self.get_kind_display())
        )
