"""Pairwise surveys (All Our Ideas): the server issues a pair with a one-time token; the
answer is accepted once per token; Bradley-Terry scores rank the ideas."""

import random
import secrets

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import Campaign
from core.errors import ApplicationError, Conflict
from ideas.models import Idea
from voting import dirty
from voting.methods.bradley_terry import next_pair
from voting.models import PairwisePrompt
from voting.rules import can_compare_ideas


def comparison_counts(*, campaign: Campaign) -> dict[int, int]:
    """How many answered comparisons each visible idea has been in (one grouped query)."""
    counts = dict.fromkeys(
        Idea.objects.visible().filter(campaign=campaign).values_list("pk", flat=True), 0
    )
    answered = PairwisePrompt.objects.filter(campaign=campaign, answered_at__isnull=False)
    for field in ("left_id", "right_id"):
        for idea_id, total in answered.values_list(field).annotate(total=Count("pk")):
            if idea_id in counts:
                counts[idea_id] += total
    return counts


def pairwise_issue(
    *, voter, campaign: Campaign, rng: random.Random | None = None
) -> PairwisePrompt:
    """Issue a new pair to `voter`, favouring ideas with few comparisons. An unanswered pair
    issued to the same voter in the last hour is returned again instead (a reload must not
    mint tokens without end). Ideas the voter wrote are never shown to them."""
    can_compare_ideas.check(voter, campaign)
    pending = (
        PairwisePrompt.objects.filter(
            campaign=campaign, voter=voter, answered_at__isnull=True,
            issued_at__gte=timezone.now() - timezone.timedelta(hours=1),
        )
        .select_related("left", "right")
        .order_by("-issued_at")
        .first()
    )  # fmt: skip
    if pending and pending.left.is_visible and pending.right.is_visible:
        return pending
    counts = comparison_counts(campaign=campaign)
    own = set(Idea.objects.filter(campaign=campaign, author=voter).values_list("pk", flat=True))
    items = [pk for pk in counts if pk not in own]
    if len(items) < 2:
        raise Conflict(_("There are not yet two ideas to compare."), code="not_enough_ideas")
    left, right = next_pair(items=items, comparison_counts=counts, rng=rng or random.SystemRandom())
    return PairwisePrompt.objects.create(
        campaign=campaign, voter=voter, left_id=left, right_id=right,
        token=secrets.token_urlsafe(32),
    )  # fmt: skip


def pairwise_answer(*, voter, token: str, outcome: str) -> PairwisePrompt:
    """Record the answer to the pair issued with `token`: "left", "right" or "skip".

    Accepted once: one UPDATE ... WHERE answered_at IS NULL decides, so a replayed or
    concurrent second answer changes nothing and is refused with 409."""
    if outcome not in PairwisePrompt.Outcome.values:
        raise ApplicationError(_('Answer "left", "right" or "skip".'), field="outcome")
    prompt = (
        PairwisePrompt.objects.select_related("campaign").filter(token=token, voter=voter).first()
    )
    if prompt is None:
        raise ApplicationError(_("This pair was not issued to you."), field="token")
    can_compare_ideas.check(voter, prompt.campaign)
    with transaction.atomic():
        updated = PairwisePrompt.objects.filter(
            Q(pk=prompt.pk) & Q(answered_at__isnull=True)
        ).update(answered_at=timezone.now(), outcome=outcome)
        if not updated:
            raise Conflict(_("This pair has already been answered."), code="already_answered")
        transaction.on_commit(lambda: dirty.mark_campaign_dirty(prompt.campaign_id))
    prompt.refresh_from_db()
    return prompt
