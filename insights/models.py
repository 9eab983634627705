"""What a brand learns from its campaigns: derived figures and exports."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign
from core.storage import private_storage


class CampaignStats(models.Model):
    """The dashboard's figures, derived by a worker (campaigns/stats.py) so that the
    dashboard of a million-vote campaign reads one row."""

    campaign = models.OneToOneField(
        Campaign,
        on_delete=models.CASCADE,
        verbose_name=_("campaign"),
        primary_key=True,
        related_name="stats",
    )
    figures = models.JSONField(_("figures"), default=dict)
    computed_at = models.DateTimeField(_("computed"))

    class Meta:
        db_table = "campaigns_campaignstats"
        verbose_name = _("campaign statistics")
        verbose_name_plural = _("campaign statistics")

    def __str__(self):
        return f"{self.campaign} ({self.computed_at:%Y-%m-%d %H:%M})"


class CampaignExport(models.Model):
    """A CSV or XLSX export built by a Celery job; the file is served only to those who
    may export (never from a public URL)."""

    class Kind(models.TextChoices):
        IDEAS = "ideas", _("Ideas")
        VOTES = "votes", _("Votes (anonymised)")
        COMMENTS = "comments", _("Comments")
        RESULTS = "results", _("Results")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, verbose_name=_("campaign"), related_name="exports"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        verbose_name=_("requested by"),
        null=True,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    format = models.CharField(_("format"), max_length=10, choices=Format.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.QUEUED
    )
    rows_done = models.PositiveBigIntegerField(_("rows done"), default=0)
    rows_total = models.PositiveBigIntegerField(_("total rows"), default=0)
    file = models.FileField(_("file"), upload_to="exports/", storage=private_storage, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        db_table = "campaigns_campaignexport"
        ordering = ["-created_at", "-id"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")

    def __str__(self):
        return f"{self.campaign} {self.kind}.{self.format} ({self.status})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, int(100 * self.rows_done / self.rows_total))
