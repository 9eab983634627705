from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person on Foule. The email address is the login; there is no username."""

    username = None
    email = models.EmailField(_("email address"), unique=True)
    display_name = models.CharField(_("display name"), max_length=80, blank=True)
    # The campaign whose page led to the sign-up (for the brand's funnel), if any.
    signed_up_via = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.SET_NULL,
        verbose_name=_("sign-up campaign"),
        null=True,
        blank=True,
        related_name="signups",
    )

    # Set by `accounts.services.account_erase`: the row stays (votes, ballots, ledger and
    # terms acceptances keep pointing at it, so no tally or digest changes) but every
    # personal datum is gone and the public name is a pseudonym.
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True, editable=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self):
        return self.public_name

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    @property
    def public_name(self) -> str:
        """What other people see (see `public_name_for`): never anything from the email."""
        return public_name_for(pk=self.pk, display_name=self.display_name, is_erased=self.is_erased)


def public_name_for(*, pk: int | None, display_name: str, is_erased: bool) -> str:
    """The name shown to other people, from the account's columns (the exports call it per
    row without a model instance): the display name; the pseudonym "Former participant #n"
    for an erased account; else a neutral "Participant #n". Never derived from the email
    address. Translated when called, in the reader's language."""
    if is_erased:
        return _("Former participant #%(number)s") % {"number": pk}
    if display_name:
        return display_name
    return _("Participant #%(number)s") % {"number": pk}


class ApiToken(models.Model):
    """A personal API credential. The secret is shown once, at creation; only its SHA-256
    is stored (the secret is 256 random bits, so a fast hash is enough). A token stops
    working when it expires, when it is revoked, and when its owner's password changes."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        verbose_name=_("user"),
        related_name="api_tokens",
    )
    name = models.CharField(_("name"), max_length=80)
    # The first characters of the secret, shown in lists so that people can tell tokens apart.
    prefix = models.CharField(_("prefix"), max_length=12, editable=False)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    class Status(models.TextChoices):
        # Derived, not stored: from `revoked_at` and `expires_at` (see `status`).
        ACTIVE = "active", pgettext_lazy("API token status", "active")
        EXPIRED = "expired", pgettext_lazy("API token status", "expired")
        REVOKED = "revoked", pgettext_lazy("API token status", "revoked")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        indexes = [models.Index(fields=["user", "-created_at"], name="apitoken_by_user")]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def status(self) -> str:
        """Revoked wins over expired: a revoked token stays revoked whatever its date."""
        if self.revoked_at is not None:
            return self.Status.REVOKED
        if self.expires_at <= timezone.now():
            return self.Status.EXPIRED
        return self.Status.ACTIVE

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    def get_status_display(self) -> str:
        return self.Status(self.status).label
