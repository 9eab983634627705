from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from brands.models import Brand
from core.events import ask
from core.models import TimeStampedModel


class CampaignQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def live(self, now=None):
        """Published and not yet over: open for submissions or votes, or about to be."""
        now = now or timezone.now()
        return self.published().filter(voting_closes_at__gt=now)


def voting_method_choices() -> list[tuple[str, str]]:
    """The registered voting formats (voting/formats/), asked through core.events since
    campaigns sits below voting. A callable: adding a format needs no migration here."""
    return [choice for answer in ask("campaign.voting_methods") for choice in answer]


def default_support_stages() -> list[list[int]]:
    """LEGO Ideas' stages: (supporters to reach, days allowed after the previous stage)."""
    return [[100, 60], [1000, 365], [5000, 180], [10000, 180]]


class Campaign(TimeStampedModel):
    # The built-in formats' keys, for code and tests that name one. The field's choices are
    # the registered formats (voting_method_choices): a new format adds none here.
    class VotingMethod(models.TextChoices):
        UPDOWN = "updown", _("Up/down votes (idea challenge)")
        SUPPORT = "support", _("Supporter thresholds")
        SINGLE = "single", _("Single choice (election)")
        APPROVAL = "approval", _("Approval (election)")
        RANKED = "ranked", _("Ranked ballots (election)")
        PAIRWISE = "pairwise", _("Pairwise survey")
        BUDGET = "budget", _("Budget allocation")
        STAR = "star", _("Star rating (1 to 5)")
        CONTEST = "contest", _("Creative contest with a jury")

    class RankedMethod(models.TextChoices):
        SCHULZE = "schulze", _("Schulze")
        IRV = "irv", _("Instant runoff")

    class State(models.TextChoices):
        """The recorded lifecycle. Launching moves a draft to "scheduled"; from there the
        beat task `campaigns_advance_due` walks each campaign forward as its dates pass
        (campaigns/lifecycle.py), each step once, recorded as a CampaignTransition."""

        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        SUBMISSION = "submission", _("Open for ideas")
        VOTING = "voting", _("Voting")
        REVIEW = "review", _("In review")
        RESULTS = "results", _("Results published")
        ARCHIVED = "archived", _("Archived")

    class Moderation(models.TextChoices):
        POST = "post", _("Post-moderation: ideas appear at once, moderators hide abuse")
        PRE = "pre", _("Pre-moderation: ideas wait for a moderator's approval")

    class Phase(models.TextChoices):
        DRAFT = "draft", _("Draft")
        UPCOMING = "upcoming", _("Upcoming")
        SUBMISSION = "submission", _("Open for ideas")
        SUBMISSION_AND_VOTING = "submission_and_voting", _("Open for ideas and votes")
        VOTING = "voting", _("Voting")
        BETWEEN = "between", _("Reviewing ideas")
        REVIEW = "review", _("Voting closed, in review")
        CLOSED = "closed", _("Closed")
        ARCHIVED = "archived", _("Archived")

    brand = models.ForeignKey(
        Brand, on_delete=models.PROTECT, verbose_name=_("brand"), related_name="campaigns"
    )
    title = models.CharField(_("title"), max_length=160)
    slug = models.SlugField(_("slug"), max_length=180, unique=True)
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.DRAFT, db_index=True
    )
    cover_image = models.ImageField(_("cover image"), upload_to="campaigns/", blank=True)
    brief = models.TextField(_("brief"), blank=True, help_text=_("Markdown."))
    brief_html = models.TextField(_("brief (HTML)"), editable=False, default="")
    rules = models.TextField(_("rules"), blank=True, help_text=_("Markdown."))
    rules_html = models.TextField(_("rules (HTML)"), editable=False, default="")
    # Eligibility (a verified email is always required to take part).
    minimum_account_age_days = models.PositiveIntegerField(
        _("minimum account age (days)"), default=0
    )
    is_invitation_only = models.BooleanField(_("invitation only"), default=False)
    invited_participants = models.TextField(
        _("invited participants"),
        blank=True,
        help_text=_("One email address or @domain per line (invitation-only campaigns)."),
    )
    is_private = models.BooleanField(
        _("private ideas"),
        default=False,
        help_text=_("Ideas are shown only to their author and the brand."),
    )
    moderation = models.CharField(
        _("moderation"), max_length=10, choices=Moderation.choices, default=Moderation.POST
    )
    # Points per action, overriding settings.FOULE_POINTS for this campaign.
    points = models.JSONField(_("points per action"), default=dict, blank=True)
    # The schedule. Empty in a draft; a campaign without a submission window (an election
    # whose candidates the brand enters) takes no ideas from the crowd.
    submission_opens_at = models.DateTimeField(_("submissions open"), null=True, blank=True)
    submission_closes_at = models.DateTimeField(_("submissions close"), null=True, blank=True)
    voting_opens_at = models.DateTimeField(_("voting opens"), null=True, blank=True)
    voting_closes_at = models.DateTimeField(
        _("voting closes"), null=True, blank=True, db_index=True
    )
    results_at = models.DateTimeField(
        _("results published"),
        null=True,
        blank=True,
        help_text=_("After the brand's review. Empty: as soon as voting closes."),
    )
    # The close of voting the "24 hours left" reminder was sent for (an extension of the
    # window sends a new one); a compare-and-set on it lets one worker send it.
    voting_reminder_sent_for = models.DateTimeField(
        _("voting reminder sent for"), null=True, blank=True, editable=False
    )
    # Kept equal to "state is not draft" by the lifecycle services: idea and campaign
    # lists filter on it, through an index.
    is_published = models.BooleanField(_("published"), default=False)
    voting_method = models.CharField(
        _("voting method"),
        max_length=20,
        choices=voting_method_choices,
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
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        verbose_name=_("created by"),
        null=True,
        related_name="+",
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
            models.CheckConstraint(
                condition=Q(results_at__gte=F("voting_closes_at")),
                name="campaign_results_after_voting",
            ),
            models.CheckConstraint(
                condition=Q(state="draft") | Q(is_published=True),
                name="campaign_published_unless_draft",
            ),
        ]
        indexes = [models.Index(fields=["is_published", "voting_closes_at"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("campaigns:detail", kwargs={"slug": self.slug})

    @property
    def accepts_ideas(self) -> bool:
        """Ideas come from the crowd; an election's candidates come from the brand."""
        return self.submission_opens_at is not None and self.submission_closes_at is not None

    @property
    def publishes_results_at(self):
        return self.results_at or self.voting_closes_at

    def is_submission_open(self, now=None) -> bool:
        if not self.is_published or self.state == self.State.ARCHIVED or not self.accepts_ideas:
            return False
        now = now or timezone.now()
        return self.submission_opens_at <= now < self.submission_closes_at

    def is_voting_open(self, now=None) -> bool:
        if not self.is_published or self.state == self.State.ARCHIVED:
            return False
        if self.voting_opens_at is None or self.voting_closes_at is None:
            return False
        now = now or timezone.now()
        return self.voting_opens_at <= now < self.voting_closes_at

    def are_results_published(self, now=None) -> bool:
        if not self.is_published or self.publishes_results_at is None:
            return False
        return (now or timezone.now()) >= self.publishes_results_at

    def phase(self, now=None) -> str:
        """What a visitor is told, to the second (the dates decide); `state` is the
        recorded lifecycle, which the beat task brings in line within a minute."""
        if not self.is_published:
            return self.Phase.DRAFT
        if self.state == self.State.ARCHIVED:
            return self.Phase.ARCHIVED
        now = now or timezone.now()
        submission, voting = self.is_submission_open(now), self.is_voting_open(now)
        if submission and voting:
            return self.Phase.SUBMISSION_AND_VOTING
        if submission:
            return self.Phase.SUBMISSION
        if voting:
            return self.Phase.VOTING
        if self.voting_closes_at and now >= self.voting_closes_at:
            return self.Phase.CLOSED if self.are_results_published(now) else self.Phase.REVIEW
        starts = [moment for moment in (self.submission_opens_at, self.voting_opens_at) if moment]
        if not starts or now < min(starts):
            return self.Phase.UPCOMING
        return self.Phase.BETWEEN

    def next_deadline(self, now=None) -> tuple[str, "timezone.datetime"] | None:
        """The next moment the campaign changes phase, and what happens then."""
        if not self.is_published or self.state == self.State.ARCHIVED:
            return None
        now = now or timezone.now()
        moments = [
            (self.submission_opens_at, "submission_opens"),
            (self.submission_closes_at, "submission_closes"),
            (self.voting_opens_at, "voting_opens"),
            (self.voting_closes_at, "voting_closes"),
            (self.results_at, "results"),
        ]
        upcoming = sorted((moment, what) for moment, what in moments if moment and moment > now)
        return (upcoming[0][1], upcoming[0][0]) if upcoming else None

    def are_counts_visible(self, now=None) -> bool:
        """Live counts are shown unless the campaign is under a results embargo; then they
        appear when the results are published."""
        return not self.results_embargo or self.are_results_published(now)

    def get_phase_display(self) -> str:
        return self.Phase(self.phase()).label

    def points_for(self, reason: str) -> int:
        """Points this campaign pays for `reason` (its own setting, else the site's)."""
        value = (self.points or {}).get(reason)
        if isinstance(value, int) and value >= 0:
            return value
        return settings.FOULE_POINTS.get(reason, 0)


class CampaignTerms(models.Model):
    """A version of a campaign's IP and confidentiality terms. Versions are never edited:
    a change is a new version, and contributors accept the current one before submitting."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, verbose_name=_("campaign"), related_name="terms"
    )
    version = models.PositiveIntegerField(_("version"))
    ip_terms = models.TextField(_("intellectual property"), help_text=_("Markdown."))
    confidentiality = models.TextField(_("confidentiality"), blank=True, help_text=_("Markdown."))
    ip_terms_html = models.TextField(_("intellectual property (HTML)"), editable=False, default="")
    confidentiality_html = models.TextField(_("confidentiality (HTML)"), editable=False, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        verbose_name=_("created by"),
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["campaign", "-version"]
        verbose_name = _("campaign terms")
        verbose_name_plural = _("campaign terms")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "version"], name="terms_version_unique")
        ]

    def __str__(self):
        return f"{self.campaign} v{self.version}"


class TermsAcceptance(models.Model):
    terms = models.ForeignKey(
        CampaignTerms, on_delete=models.PROTECT, verbose_name=_("terms"), related_name="acceptances"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        verbose_name=_("user"),
        related_name="terms_acceptances",
    )
    accepted_at = models.DateTimeField(_("accepted"), auto_now_add=True)

    class Meta:
        verbose_name = _("terms acceptance")
        verbose_name_plural = _("terms acceptances")
        constraints = [
            models.UniqueConstraint(fields=["terms", "user"], name="terms_accepted_once")
        ]

    def __str__(self):
        return f"{self.user} accepted {self.terms}"


class CampaignTransition(models.Model):
    """One step of a campaign's lifecycle, with who or what caused it. A campaign enters
    each state once: the unique constraint makes a second beat (or a second worker) a
    no-op."""

    class Cause(models.TextChoices):
        SCHEDULE = "schedule", _("The schedule")
        PERSON = "person", _("A person")

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, verbose_name=_("campaign"), related_name="transitions"
    )
    from_state = models.CharField(_("from state"), max_length=20, choices=Campaign.State.choices)
    to_state = models.CharField(_("to state"), max_length=20, choices=Campaign.State.choices)
    cause = models.CharField(_("cause"), max_length=20, choices=Cause.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.TextField(_("reason"), blank=True)
    occurred_at = models.DateTimeField(_("occurred"))
    # Set when its consequences (notifications, results, prizes) are done; beat hands any
    # step still without it after a few minutes to a worker again.
    effects_done_at = models.DateTimeField(_("effects done"), null=True, blank=True)

    class Meta:
        ordering = ["campaign", "occurred_at", "id"]
        verbose_name = _("campaign transition")
        verbose_name_plural = _("campaign transitions")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "to_state"], name="transition_once")
        ]

    def __str__(self):
        return f"{self.campaign}: {self.from_state} → {self.to_state}"


class ScheduleChange(models.Model):
    """A window extended or closed early, with the reason shown to participants."""

    class Window(models.TextChoices):
        SUBMISSION = "submission", _("Ideas")
        VOTING = "voting", _("Voting")
        REVIEW = "review", _("Review")

    class Kind(models.TextChoices):
        EXTENDED = "extended", _("Extended")
        CLOSED_EARLY = "closed_early", _("Closed early")

    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.CASCADE,
        verbose_name=_("campaign"),
        related_name="schedule_changes",
    )
    window = models.CharField(_("window"), max_length=20, choices=Window.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    old_end = models.DateTimeField(_("old end"))
    new_end = models.DateTimeField(_("new end"))
    reason = models.TextField(_("reason"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        verbose_name=_("actor"),
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("schedule change")
        verbose_name_plural = _("schedule changes")

    def __str__(self):
        return f"{self.campaign}: {self.window} {self.kind}"


class CampaignFollow(models.Model):
    """Someone who asked to hear about the campaign (opening, votes, results)."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, verbose_name=_("campaign"), related_name="follows"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        verbose_name=_("user"),
        related_name="campaign_follows",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("campaign follower")
        verbose_name_plural = _("campaign followers")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "user"], name="campaignfollow_unique")
        ]

    def __str__(self):
        return f"{self.user} follows {self.campaign}"


class CampaignPrize(models.Model):
    """A prize for the idea ranked `rank` in the final result."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, verbose_name=_("campaign"), related_name="prizes"
    )
    rank = models.PositiveIntegerField(_("rank"))
    title = models.CharField(_("prize"), max_length=160)
    description = models.TextField(_("description"), blank=True)
    awarded_idea = models.ForeignKey(
        "ideas.Idea",
        on_delete=models.SET_NULL,
        verbose_name=_("awarded idea"),
        null=True,
        blank=True,
        related_name="prizes",
    )
    awarded_at = models.DateTimeField(_("awarded"), null=True, blank=True)

    class Meta:
        ordering = ["campaign", "rank"]
        verbose_name = _("prize")
        verbose_name_plural = _("prizes")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "rank"], name="prize_rank_unique"),
            models.CheckConstraint(condition=Q(rank__gte=1), name="prize_rank_positive"),
        ]

    def __str__(self):
        return f"#{self.rank} {self.title}"
