import hashlib

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import Campaign
from core.errors import ApplicationError, Conflict, NotAllowed
from core.markdown import render_markdown
from ideas import rules as idea_rules
from ideas.models import Idea
from notifications.models import Notification
from notifications.services import notification_create
from rewards.services import points_award
from voting.models import IdeaTally
from voting.support import first_deadline


def _content_hash(title: str, body: str) -> str:
    return hashlib.sha256(f"{title}\n\n{body}".encode()).hexdigest()


@transaction.atomic
def idea_submit(
    *, author, campaign: Campaign, title: str, body: str, cost: int | None = None
) -> Idea:
    """Publish an idea in `campaign`; the author earns the "idea published" points once.

    An empty tally row is written with the idea so that the ranked list of a campaign is
    one indexed join; from then on only the tally workers write it."""
    if not idea_rules.is_verified(author):
        raise NotAllowed(_("Please verify your email address before submitting an idea."))
    if not campaign.is_submission_open():
        raise Conflict(_("This campaign is not accepting ideas at the moment."))
    title, body = title.strip(), body.strip()
    if not title:
        raise ApplicationError(_("Give your idea a title."), field="title")
    if not body:
        raise ApplicationError(_("Describe your idea."), field="body")
    if campaign.voting_method == Campaign.VotingMethod.BUDGET:
        if cost is None or cost <= 0:
            raise ApplicationError(_("Say what your idea would cost."), field="cost")
        if campaign.budget_amount and cost > campaign.budget_amount:
            raise ApplicationError(
                _("This costs more than the whole budget (%(budget)d).")
                % {"budget": campaign.budget_amount},
                field="cost",
            )
    else:
        cost = None
    idea = Idea.objects.create(
        campaign=campaign,
        author=author,
        title=title,
        body=body,
        body_html=render_markdown(body),
        content_hash=_content_hash(title, body),
        cost=cost,
    )
    IdeaTally.objects.create(
        idea=idea,
        campaign_id=campaign.pk,
        support_deadline=first_deadline(
            stages=campaign.support_stages, published_at=idea.created_at
        )
        if campaign.voting_method == Campaign.VotingMethod.SUPPORT
        else None,
    )
    points_award(
        user=author,
        event_key=f"idea_published:{idea.pk}",
        reason="idea_published",
        idea=idea,
    )
    return idea


@transaction.atomic
def idea_hide(*, idea: Idea, moderator, reason: str) -> Idea:
    """Hide an idea from every public list and the API, and tell its author why."""
    if not idea_rules.can_hide_idea(moderator, idea):
        raise NotAllowed(_("Only moderators can hide ideas."))
    reason = reason.strip()
    if not reason:
        raise ApplicationError(
            _("Say why the idea is hidden: its author will read it."), field="reason"
        )
    idea = Idea.objects.select_for_update().get(pk=idea.pk)
    if idea.status == Idea.Status.HIDDEN:
        return idea
    idea.status = Idea.Status.HIDDEN
    idea.hidden_reason = reason
    idea.hidden_at = timezone.now()
    idea.hidden_by = moderator
    idea.save(update_fields=["status", "hidden_reason", "hidden_at", "hidden_by", "updated_at"])
    notification_create(
        recipient=idea.author,
        kind=Notification.Kind.IDEA_HIDDEN,
        event_key=f"idea_hidden:{idea.pk}:{idea.hidden_at.timestamp():.0f}",
        params={"title": idea.title, "reason": reason},
        url=idea.get_absolute_url(),
    )
    return idea


@transaction.atomic
def idea_unhide(*, idea: Idea, moderator) -> Idea:
    if not idea_rules.can_hide_idea(moderator, idea):
        raise NotAllowed(_("Only moderators can restore ideas."))
    Idea.objects.filter(pk=idea.pk).update(
        status=Idea.Status.PUBLISHED, hidden_at=None, hidden_by=None, updated_at=timezone.now()
    )
    idea.refresh_from_db()
    return idea
