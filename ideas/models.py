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
        PUBLISHED = "published", _("Published")
        HIDDEN = "hidden", _("Hidden by a moderator")

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="ideas"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ideas"
    )
    title = models.CharField(_("title"), max_length=140)
    body = models.TextField(_("description"), help_text=_("Markdown."))
    body_html = models.TextField(editable=False, default="")
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PUBLISHED
    )
    hidden_reason = models.TextField(_("reason for hiding"), blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Authorship receipt: SHA-256 of the title and body as submitted, with created_at.
    content_hash = models.CharField(max_length=64, editable=False)
    cost = models.PositiveIntegerField(
        _("cost"), null=True, blank=True, help_text=_("Budget campaigns: what the idea costs.")
    )

    objects = IdeaQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("idea")
        verbose_name_plural = _("ideas")
        indexes = [
            models.Index(fields=["campaign", "-created_at", "-id"], name="idea_order_newest"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("ideas:detail", kwargs={"pk": self.pk})

    @property
    def is_visible(self) -> bool:
        return self.status == self.Status.PUBLISHED
