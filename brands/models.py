"""Brands and their teams: who may run, moderate and read a brand's campaigns."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel


class Brand(TimeStampedModel):
    """A company, NGO or city that runs campaigns."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    website = models.URLField(_("website"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="brands/", blank=True)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="UTC",
        help_text=_("Campaign schedules are entered and shown in this time zone."),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("members"),
        through="BrandMembership",
        related_name="brands",
    )

    class Meta:
        db_table = "campaigns_brand"
        ordering = ["name"]
        verbose_name = _("brand")
        verbose_name_plural = _("brands")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("campaigns:brand", kwargs={"slug": self.slug})


class BrandMembership(TimeStampedModel):
    """A person's role in a brand. Roles are checked on every request (brands/rules.py),
    so removing a membership takes effect at once."""

    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")  # everything, including the team
        MANAGER = "manager", _("Manager")  # builds and runs campaigns, answers ideas
        MODERATOR = "moderator", _("Moderator")  # moderates the brand's campaigns
        ANALYST = "analyst", _("Analyst")  # reads the dashboard and exports

    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, verbose_name=_("brand"), related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        verbose_name=_("user"),
        related_name="brand_memberships",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.ANALYST)

    class Meta:
        db_table = "campaigns_brandmembership"
        verbose_name = _("brand membership")
        verbose_name_plural = _("brand memberships")
        constraints = [
            models.UniqueConstraint(fields=["brand", "user"], name="brandmembership_unique"),
        ]

    def __str__(self):
        return f"{self.user} @ {self.brand} ({self.role})"


class BrandInvitation(models.Model):
    """An invitation to join a brand with a role, sent by email. Only the SHA-256 of the
    link's token is stored: a database dump gives nobody a way in. Accepting needs an
    account whose verified email is the invited one."""

    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, verbose_name=_("brand"), related_name="invitations"
    )
    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=20, choices=BrandMembership.Role.choices)
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
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        db_table = "campaigns_brandinvitation"
        ordering = ["-created_at", "-id"]
        verbose_name = _("brand invitation")
        verbose_name_plural = _("brand invitations")
        constraints = [
            # One pending invitation per address and brand: inviting again replaces it.
            models.UniqueConstraint(
                fields=["brand", "email"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="brandinvitation_one_pending",
            ),
        ]

    def __str__(self):
        return f"{self.email} → {self.brand} ({self.role})"

    def is_pending(self, now=None) -> bool:
        now = now or timezone.now()
        return self.accepted_at is None and self.revoked_at is None and now < self.expires_at
