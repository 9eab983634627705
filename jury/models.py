"""A contest's jury: the brand's weighted criteria, the jurors (brand members added or people
invited by email), and one score per (juror, entry, criterion).

The jury works on ideas of a "contest" campaign; how its scores and the public's stars make
the final ranking is the contest format's business (voting/formats/contest.py,
voting/methods/contest.py)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# A juror scores each criterion with a whole number in this range.
SCORE_MIN, SCORE_MAX = 1, 10
# The jury's share of the final ranking (percent) unless the brand sets another.
DEFAULT_JURY_WEIGHT = 70


class JurySettings(models.Model):
    """The jury's share of a contest's final ranking, in percent (the public has the rest)."""

    campaign = models.OneToOneField(
        "campaigns.Campaign",
        on_delete=models.CASCADE,
        verbose_name=_("campaign"),
        primary_key=True,
        related_name="jury_settings",
    )
    jury_weight = models.PositiveSmallIntegerField(
        _("jury weight (%)"),
        default=DEFAULT_JURY_WEIGHT,
        validators=[MaxValueValidator(100)],
        help_text=_("The jury's share of the final ranking; the public's stars have the rest."),
    )

    class Meta:
        verbose_name = _("jury settings")
        verbose_name_plural = _("jury settings")
        constraints = [
            models.CheckConstraint(condition=Q(jury_weight__lte=100), name="jury_weight_percent"),
        ]

    def __str__(self):
        return f"{self.campaign_id}: {self.jury_weight}%"


class Criterion(models.Model):
    """One of the brand's criteria (originality, fit with the brief...) and its weight: the
    weights of a contest's criteria are relative (40/40/20 and 2/2/1 rank alike)."""

    campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.CASCADE,
        verbose_name=_("campaign"),
        related_name="jury_criteria",
    )
    name = models.CharField(_("name"), max_length=80)
    description = models.CharField(_("description"), max_length=300, blank=True)
    weight = models.PositiveSmallIntegerField(
        _("weight"), validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["campaign", "position", "id"]
        verbose_name = _("jury criterion")
        verbose_name_plural = _("jury criteria")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "name"], name="criterion_name_once"),
            models.CheckConstraint(
                condition=Q(weight__gte=1, weight__lte=100), name="criterion_weight_range"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.weight})"


class Juror(models.Model):
    """A person on a contest's jury. Removing a juror keeps their row (and scores, for the
    record) but `removed_at` takes their scores out of the ranking."""

    campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.CASCADE,
        verbose_name=_("campaign"),
        related_name="jurors",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        verbose_name=_("user"),
        related_name="jury_seats",
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        verbose_name=_("added by"),
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("joined"), auto_now_add=True)
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)

    class Meta:
        ordering = ["campaign", "created_at", "id"]
        verbose_name = _("juror")
        verbose_name_plural = _("jurors")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "user"], name="juror_once_per_campaign"),
        ]

    def __str__(self):
        return f"{self.user} @ {self.campaign_id}"

    @property
    def is_active(self) -> bool:
        return self.removed_at is None


class JurorInvitation(models.Model):
    """An invitation to sit on a contest's jury, sent by email. As for brand invitations
    (brands/team.py), only the SHA-256 of the link's token is stored, the link works for
    FOULE_INVITATION_DAYS, and only the account whose verified address is the invited one
    may accept it."""

    campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.CASCADE,
        verbose_name=_("campaign"),
        related_name="juror_invitations",
    )
    email = models.EmailField(_("email address"))
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        verbose_name=_("invited by"),
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        verbose_name=_("accepted by"),
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("juror invitation")
        verbose_name_plural = _("juror invitations")
        constraints = [
            # One pending invitation per address and contest: inviting again replaces it.
            models.UniqueConstraint(
                fields=["campaign", "email"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="jurorinvitation_one_pending",
            ),
        ]

    def __str__(self):
        return f"{self.email} → {self.campaign_id}"

    def is_pending(self, now=None) -> bool:
        now = now or timezone.now()
        return self.accepted_at is None and self.revoked_at is None and now < self.expires_at


class JuryScore(models.Model):
    """A juror's score of one entry on one criterion, changed in place until voting
    closes."""

    juror = models.ForeignKey(
        Juror, on_delete=models.CASCADE, verbose_name=_("juror"), related_name="scores"
    )
    idea = models.ForeignKey(
        "ideas.Idea", on_delete=models.PROTECT, verbose_name=_("entry"), related_name="+"
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.CASCADE, verbose_name=_("criterion"), related_name="scores"
    )
    value = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(SCORE_MIN), MaxValueValidator(SCORE_MAX)]
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["juror", "idea", "criterion__position", "criterion_id"]
        verbose_name = _("jury score")
        verbose_name_plural = _("jury scores")
        constraints = [
            models.UniqueConstraint(
                fields=["juror", "idea", "criterion"], name="juryscore_once_per_criterion"
            ),
            models.CheckConstraint(
                condition=Q(value__gte=SCORE_MIN, value__lte=SCORE_MAX),
                name="juryscore_value_range",
            ),
        ]
        indexes = [models.Index(fields=["idea", "juror"], name="juryscore_by_idea")]

    def __str__(self):
        return f"{self.juror_id} / {self.idea_id} / {self.criterion_id}: {self.value}"
