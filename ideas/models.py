from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel


class IdeaQuerySet(models.QuerySet):
    def visible(self):
        return self.filter(status=Idea.Status.PUBLISHED, campaign__is_published=True)


class Idea(TimeStampedModel):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for moderation")
        PUBLISHED = "published", _("Published")
        HIDDEN = "hidden", _("Hidden by a moderator")

    class Answer(models.TextChoices):
        """The brand's official answer ("Ideas in Action"), shown on the idea's timeline."""

        UNDER_REVIEW = "under_review", _("Under review")
        ACCEPTED = "accepted", _("Accepted")
        IN_PROGRESS = "in_progress", _("In progress")
        DELIVERED = "delivered", _("Delivered")
        DECLINED = "declined", _("Declined")

    campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.PROTECT,
        verbose_name=_("campaign"),
        related_name="ideas",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        verbose_name=_("author"),
        related_name="ideas",
    )
    title = models.CharField(_("title"), max_length=140)
    body = models.TextField(_("description"), help_text=_("Markdown."))
    body_html = models.TextField(_("description (HTML)"), editable=False, default="")
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PUBLISHED
    )
    hidden_reason = models.TextField(_("reason for hiding"), blank=True)
    hidden_at = models.DateTimeField(_("hidden"), null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        verbose_name=_("hidden by"),
        null=True,
        blank=True,
        related_name="+",
    )
    # Authorship receipt: SHA-256 of the title and body as submitted, with created_at.
    content_hash = models.CharField(_("content hash"), max_length=64, editable=False)
    cost = models.PositiveIntegerField(
        _("cost"), null=True, blank=True, help_text=_("Budget campaigns: what the idea costs.")
    )
    image = models.ImageField(_("image"), upload_to="ideas/", blank=True)
    # Election candidates are entered by the brand, not submitted by the crowd.
    is_candidate = models.BooleanField(_("candidate entered by the brand"), default=False)
    answer = models.CharField(_("answer"), max_length=20, choices=Answer.choices, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    objects = IdeaQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("idea")
        verbose_name_plural = _("ideas")
        indexes = [
            models.Index(fields=["campaign", "-created_at", "-id"], name="idea_order_newest"),
            # The moderation queue of a campaign: few rows, read often.
            models.Index(
                fields=["campaign", "created_at"],
                condition=models.Q(status="pending"),
                name="idea_pending",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("ideas:detail", kwargs={"pk": self.pk})

    @property
    def is_visible(self) -> bool:
        return self.status == self.Status.PUBLISHED


class IdeaRevision(models.Model):
    """The title and body an edit replaced (through `ideas.services.idea_edit`, by a
    moderator or, later, its author), with who edited and why. The idea's `content_hash`
    always matches its current text; the oldest revision holds the text as submitted."""

    idea = models.ForeignKey(
        Idea, on_delete=models.CASCADE, verbose_name=_("idea"), related_name="revisions"
    )
    title = models.CharField(_("title"), max_length=140)
    body = models.TextField(_("description"))
    content_hash = models.CharField(_("content hash"), max_length=64)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        verbose_name=_("edited by"),
        null=True,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["idea", "created_at", "id"]
        verbose_name = _("idea revision")
        verbose_name_plural = _("idea revisions")

    def __str__(self):
        return f"{self.idea_id}: {self.title}"


class IdeaStatusUpdate(models.Model):
    """One entry of an idea's public timeline: the brand's answer and its note."""

    idea = models.ForeignKey(
        Idea, on_delete=models.CASCADE, verbose_name=_("idea"), related_name="status_updates"
    )
    answer = models.CharField(_("answer"), max_length=20, choices=Idea.Answer.choices)
    note = models.TextField(_("public note"), help_text=_("Markdown."))
    note_html = models.TextField(_("public note (HTML)"), editable=False, default="")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        verbose_name=_("author"),
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["idea", "created_at", "id"]
        verbose_name = _("idea status update")
        verbose_name_plural = _("idea status updates")

    def __str__(self):
        return f"{self.idea}: {self.answer}"


class Comment(TimeStampedModel):
    """A comment on an idea (flat; sanitised Markdown)."""

    class Status(models.TextChoices):
        PUBLISHED = "published", _("Published")
        HIDDEN = "hidden", _("Hidden by a moderator")

    idea = models.ForeignKey(
        Idea, on_delete=models.PROTECT, verbose_name=_("idea"), related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        verbose_name=_("author"),
        related_name="comments",
    )
    body = models.TextField(_("comment"), help_text=_("Markdown."))
    body_html = models.TextField(_("comment (HTML)"), editable=False, default="")
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PUBLISHED
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [models.Index(fields=["idea", "created_at", "id"], name="comment_by_idea")]

    def __str__(self):
        return self.body[:60]
