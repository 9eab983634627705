from django.conf import settings
from django.db import models
from django.db.models import F, Q
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
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="BrandMembership", related_name="brands"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("brand")
        verbose_name_plural = _("brands")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("campaigns:brand", kwargs={"slug": self.slug})


class BrandMembership(TimeStampedModel):
    class Role(models.TextChoices):
        MANAGER = "manager", _("Manager")
        MEMBER = "member", _("Member")

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="brand_memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)

    class Meta:
        verbose_name = _("brand membership")
        verbose_name_plural = _("brand memberships")
        constraints = [
            models.UniqueConstraint(fields=["brand", "user"], name="brandmembership_unique"),
        ]

    def __str__(self):
        return f"{self.user} @ {self.brand} ({self.role})"


class CampaignQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def live(self, now=None):
        """Published and not yet over: open for submissions or votes, or about to be."""
        now = now or timezone.now()
        return self.published().filter(voting_closes_at__gt=now)


def default_support_stages() -> list[list[int]]:
    """LEGO Ideas' stages: (supporters to reach, days allowed after the previous stage)."""
    return [[100, 60], [1000, 365], [5000, 180], [10000, 180]]


class Campaign(TimeStampedModel):
    class VotingMethod(models.TextChoices):
        UPDOWN = "updown", _("Up/down votes (idea challenge)")
        SUPPORT = "support", _("Supporter thresholds")
        SINGLE = "single", _("Single choice (election)")
        APPROVAL = "approval", _("Approval (election)")
        RANKED = "ranked", _("Ranked ballots (election)")
        PAIRWISE = "pairwise", _("Pairwise survey")
        BUDGET = "budget", _("Budget allocation")
        STAR = "star", _("Star rating (1 to 5)")

    class RankedMethod(models.TextChoices):
        SCHULZE = "schulze", _("Schulze")
        IRV = "irv", _("Instant runoff")

    # Methods whose votes are per idea (Vote rows); the others use one Ballot per voter.
    IDEA_VOTE_METHODS = {"updown", "support", "star"}
    BALLOT_METHODS = {"single", "approval", "ranked", "budget"}

    class Phase(models.TextChoices):
        UPCOMING = "upcoming", _("Upcoming")
        SUBMISSION = "submission", _("Open for ideas")
        SUBMISSION_AND_VOTING = "submission_and_voting", _("Open for ideas and votes")
        VOTING = "voting", _("Voting")
        BETWEEN = "between", _("Reviewing ideas")
        CLOSED = "closed", _("Closed")

    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="campaigns")
    title = models.CharField(_("title"), max_length=160)
    slug = models.SlugField(_("slug"), max_length=180, unique=True)
    brief = models.TextField(_("brief"), help_text=_("Markdown."))
    brief_html = models.TextField(editable=False, default="")
    submission_opens_at = models.DateTimeField(_("submissions open"))
    submission_closes_at = models.DateTimeField(_("submissions close"))
    voting_opens_at = models.DateTimeField(_("voting opens"))
    voting_closes_at = models.DateTimeField(_("voting closes"), db_index=True)
    is_published = models.BooleanField(_("published"), default=True)
    voting_method = models.CharField(
        _("voting method"),
        max_length=20,
        choices=VotingMethod.choices,
        default=VotingMethod.UPDOWN,
    )
    ranked_method = models.CharField(
        _("ranked ballot count"),
        max_length=20,
        choices=RankedMethod.choices,
        default=RankedMethod.SCHULZE,
    )
    max_votes_per_voter = models.PositiveIntegerField(
        _("votes per voter"),
        null=True,
        blank=True,
        help_text=_(
            "How many ideas one person may vote for (approvals in an approval "
            "election). Empty: no limit."
        ),
    )
    budget_amount = models.PositiveIntegerField(
        _("budget"),
        null=True,
        blank=True,
        help_text=_("Budget campaigns: what each voter may spend across ideas."),
    )
    support_stages = models.JSONField(
        _("support stages"),
        default=default_support_stages,
        blank=True,
        help_text=_(
            "Supporter thresholds: [[supporters, days], ...], each stage to reach "
            "within its days after the previous one."
        ),
    )
    results_embargo = models.BooleanField(
        _("hide counts until the close"),
        default=False,
        help_text=_("Voters see no counts or ranking until voting closes."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["voting_closes_at"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.CheckConstraint(
                condition=Q(submission_closes_at__gt=F("submission_opens_at")),
                name="campaign_submission_window_valid",
            ),
            models.CheckConstraint(
                condition=Q(voting_closes_at__gt=F("voting_opens_at")),
                name="campaign_voting_window_valid",
            ),
            models.CheckConstraint(
                condition=Q(voting_closes_at__gte=F("submission_opens_at")),
                name="campaign_voting_after_submission_opens",
            ),
        ]
        indexes = [models.Index(fields=["is_published", "voting_closes_at"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("campaigns:detail", kwargs={"slug": self.slug})

    def is_submission_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.is_published and self.submission_opens_at <= now < self.submission_closes_at

    def is_voting_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.is_published and self.voting_opens_at <= now < self.voting_closes_at

    def phase(self, now=None) -> str:
        now = now or timezone.now()
        submission, voting = self.is_submission_open(now), self.is_voting_open(now)
        if submission and voting:
            return self.Phase.SUBMISSION_AND_VOTING
        if submission:
            return self.Phase.SUBMISSION
        if voting:
            return self.Phase.VOTING
        if now >= self.voting_closes_at:
            return self.Phase.CLOSED
        if now < min(self.submission_opens_at, self.voting_opens_at):
            return self.Phase.UPCOMING
        return self.Phase.BETWEEN

    def next_deadline(self, now=None) -> tuple[str, "timezone.datetime"] | None:
        """The next moment the campaign changes phase, and what happens then."""
        now = now or timezone.now()
        moments = [
            (self.submission_opens_at, "submission_opens"),
            (self.submission_closes_at, "submission_closes"),
            (self.voting_opens_at, "voting_opens"),
            (self.voting_closes_at, "voting_closes"),
        ]
        upcoming = sorted((moment, what) for moment, what in moments if moment > now)
        return (upcoming[0][1], upcoming[0][0]) if upcoming else None

    def are_counts_visible(self, now=None) -> bool:
        """Live counts are shown unless the campaign is under a results embargo and open."""
        return not self.results_embargo or (now or timezone.now()) >= self.voting_closes_at

    @property
    def votes_per_idea(self) -> bool:
        """Up/down, support and stars: each idea has its own vote buttons."""
        return self.voting_method in self.IDEA_VOTE_METHODS

    @property
    def uses_ballots(self) -> bool:
        return self.voting_method in self.BALLOT_METHODS

    def get_phase_display(self) -> str:
        return self.Phase(self.phase()).label
