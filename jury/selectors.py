"""Reads of a contest's jury. Entries are handed to jurors anonymised: `AnonymousEntry` has
no author, and its query never reads one."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import BooleanField, Case, QuerySet, Value, When
from django.utils import timezone

from brands.team import invitation_token_hash
from ideas.models import Idea
from jury.models import DEFAULT_JURY_WEIGHT, Criterion, Juror, JurorInvitation, JuryScore


@dataclass(frozen=True)
class AnonymousEntry:
    """What a juror sees of an entry: never who submitted it."""

    id: int
    title: str
    body_html: str
    image_url: str
    scores: dict[int, int] = field(default_factory=dict)  # {criterion id: value}

    def is_scored(self, criteria) -> bool:
        return all(criterion.pk in self.scores for criterion in criteria)


def criteria_for(*, campaign) -> list[Criterion]:
    return list(Criterion.objects.filter(campaign=campaign).order_by("position", "id"))


def weights_for(*, campaign) -> dict[int, int]:
    """{criterion id: weight}."""
    return dict(Criterion.objects.filter(campaign=campaign).values_list("pk", "weight"))


def jury_weight_for(*, campaign) -> int:
    """The jury's share of the ranking in percent (the default when the brand set none)."""
    settings = getattr(campaign, "jury_settings", None) if campaign.pk else None
    return settings.jury_weight if settings is not None else DEFAULT_JURY_WEIGHT


def jurors_active(*, campaign) -> QuerySet[Juror]:
    return (
        Juror.objects.filter(campaign=campaign, removed_at__isnull=True)
        .select_related("user")
        .order_by("created_at", "id")
    )


def invitations_pending(*, campaign, now=None) -> QuerySet[JurorInvitation]:
    """Invitations neither accepted nor withdrawn, expired ones flagged `is_expired` (they
    can be sent again)."""
    now = now or timezone.now()
    return (
        JurorInvitation.objects.filter(
            campaign=campaign, accepted_at__isnull=True, revoked_at__isnull=True
        )
        .select_related("invited_by")
        .annotate(
            is_expired=Case(
                When(expires_at__lte=now, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by("-created_at", "-id")
    )


def invitation_for_token(*, token: str) -> JurorInvitation | None:
    """The invitation a link's token opens (looked up by its hash), or None."""
    if not token:
        return None
    return (
        JurorInvitation.objects.select_related("campaign", "campaign__brand", "invited_by")
        .filter(token_hash=invitation_token_hash(token))
        .first()
    )


def seats_for_user(*, user) -> QuerySet[Juror]:
    """The contests `user` sits on the jury of, soonest closing first."""
    if not user or not user.is_authenticated:
        return Juror.objects.none()
    return (
        Juror.objects.filter(user=user, removed_at__isnull=True)
        .select_related("campaign", "campaign__brand")
        .order_by("campaign__voting_closes_at", "campaign_id")
    )


def _image_url(name: str) -> str:
    return Idea._meta.get_field("image").storage.url(name) if name else ""


def _anonymous(row: dict, scores: dict[int, int]) -> AnonymousEntry:
    return AnonymousEntry(
        id=row["pk"],
        title=row["title"],
        body_html=row["body_html"],
        image_url=_image_url(row["image"]),
        scores=scores,
    )


ENTRY_FIELDS = ("pk", "title", "body_html", "image")


def entries_for_juror(*, juror: Juror) -> list[AnonymousEntry]:
    """The contest's published entries, oldest first, each with the juror's own scores.
    Two queries; the author is never read."""
    rows = list(
        Idea.objects.filter(campaign_id=juror.campaign_id, status=Idea.Status.PUBLISHED)
        .exclude(author_id=juror.user_id)
        .order_by("created_at", "id")
        .values(*ENTRY_FIELDS)
    )
    scores: dict[int, dict[int, int]] = defaultdict(dict)
    for idea_id, criterion_id, value in JuryScore.objects.filter(juror=juror).values_list(
        "idea_id", "criterion_id", "value"
    ):
        scores[idea_id][criterion_id] = value
    return [_anonymous(row, scores.get(row["pk"], {})) for row in rows]


def entry_for_juror(*, juror: Juror, idea_id: int) -> AnonymousEntry | None:
    row = (
        Idea.objects.filter(pk=idea_id, campaign_id=juror.campaign_id, status=Idea.Status.PUBLISHED)
        .exclude(author_id=juror.user_id)
        .values(*ENTRY_FIELDS)
        .first()
    )
    if row is None:
        return None
    scores = dict(
        JuryScore.objects.filter(juror=juror, idea_id=idea_id).values_list("criterion_id", "value")
    )
    return _anonymous(row, scores)


def jury_score_rows(*, campaign) -> list[tuple[int, int, int, int]]:
    """(juror id, idea id, criterion id, value) of the active jurors' scores on the
    campaign's published entries, in a stable order: what the contest's result counts."""
    return list(
        JuryScore.objects.filter(
            juror__campaign=campaign,
            juror__removed_at__isnull=True,
            idea__status=Idea.Status.PUBLISHED,
        )
        .order_by("juror_id", "idea_id", "criterion_id")
        .values_list("juror_id", "idea_id", "criterion_id", "value")
    )


def jury_progress(*, campaign) -> dict[int, int]:
    """{juror id: entries they scored on at least one criterion} (the brand's jury page)."""
    progress: dict[int, set[int]] = defaultdict(set)
    for juror_id, idea_id in (
        JuryScore.objects.filter(juror__campaign=campaign)
        .values_list("juror_id", "idea_id")
        .distinct()
    ):
        progress[juror_id].add(idea_id)
    return {juror_id: len(ideas) for juror_id, ideas in progress.items()}
