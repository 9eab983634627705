import hashlib

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.eligibility import check_eligible
from campaigns.models import Campaign, CampaignTerms, TermsAcceptance
from campaigns.selectors import campaign_progress_forget
from core.errors import ApplicationError, Conflict, NotAllowed
from core.markdown import render_markdown
from ideas import rules as idea_rules
from ideas.models import Comment, Idea, IdeaStatusUpdate
from notifications.models import Notification
from notifications.services import notification_create
from rewards.services import points_award
from voting.models import IdeaTally
from voting.support import first_deadline


def _content_hash(title: str, body: str) -> str:
    return hashlib.sha256(f"{title}\n\n{body}".encode()).hexdigest()


def terms_current(*, campaign: Campaign) -> CampaignTerms | None:
    return campaign.terms.order_by("-version").first()


def terms_accepted(*, user, campaign: Campaign) -> bool:
    """The user accepted the campaign's current terms (or it has none)."""
    terms = terms_current(campaign=campaign)
    if terms is None:
        return True
    return TermsAcceptance.objects.filter(terms=terms, user=user).exists()


@transaction.atomic
def idea_submit(
    *,
    author,
    campaign: Campaign,
    title: str,
    body: str,
    cost: int | None = None,
    accept_terms: bool = False,
    image=None,
) -> Idea:
    """Submit an idea to `campaign`: published at once, or waiting for a moderator in a
    pre-moderated campaign. The author must have accepted the campaign's current terms
    (`accept_terms` accepts them now). The "idea published" points are paid once, when the
    idea becomes public.

    An empty tally row is written with the idea so that the ranked list of a campaign is
    one indexed join; from then on only the tally workers write it."""
    if not idea_rules.is_verified(author):
        raise NotAllowed(_("Please verify your email address before submitting an idea."))
    if not campaign.is_submission_open():
        raise Conflict(_("This campaign is not accepting ideas at the moment."))
    check_eligible(user=author, campaign=campaign)
    terms = terms_current(campaign=campaign)
    if terms is not None and not TermsAcceptance.objects.filter(terms=terms, user=author).exists():
        if not accept_terms:
            raise ApplicationError(
                _("Please accept the campaign's terms (version %(version)d) to submit.")
                % {"version": terms.version},
                field="accept_terms",
                code="terms_not_accepted",
            )
        TermsAcceptance.objects.get_or_create(terms=terms, user=author)
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
    pending = campaign.moderation == Campaign.Moderation.PRE
    idea = Idea.objects.create(
        campaign=campaign,
        author=author,
        title=title,
        body=body,
        body_html=render_markdown(body),
        content_hash=_content_hash(title, body),
        cost=cost,
        status=Idea.Status.PENDING if pending else Idea.Status.PUBLISHED,
        image=image or "",
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
    if not pending:
        points_award(
            user=author, event_key=f"idea_published:{idea.pk}", reason="idea_published", idea=idea
        )
        transaction.on_commit(lambda: campaign_progress_forget(campaign_id=campaign.pk))
    return idea


@transaction.atomic
def idea_approve(*, idea: Idea, moderator) -> Idea:
    """Publish an idea that waited for moderation; its author is told and paid once."""
    if not idea_rules.can_approve_idea(moderator, idea):
        raise NotAllowed(_("Only the campaign's moderators can approve ideas."))
    idea = Idea.objects.select_for_update().select_related("campaign").get(pk=idea.pk)
    if idea.status != Idea.Status.PENDING:
        raise Conflict(_("This idea is not waiting for moderation."), code="not_pending")
    idea.status = Idea.Status.PUBLISHED
    idea.save(update_fields=["status", "updated_at"])
    points_award(
        user=idea.author, event_key=f"idea_published:{idea.pk}", reason="idea_published", idea=idea
    )
    campaign_id = idea.campaign_id
    transaction.on_commit(lambda: campaign_progress_forget(campaign_id=campaign_id))
    notification_create(
        recipient=idea.author,
        kind=Notification.Kind.IDEA_APPROVED,
        event_key=f"idea_approved:{idea.pk}",
        params={"title": idea.title},
        url=idea.get_absolute_url(),
    )
    return idea


@transaction.atomic
def idea_answer(*, idea: Idea, author, answer: str, note: str) -> IdeaStatusUpdate:
    """The brand's official answer to an idea, with a public note on its timeline. The
    idea's author and its voters are told (by a worker, after commit)."""
    if not idea_rules.can_answer_idea(author, idea):
        raise NotAllowed(_("Only the brand's owners and managers can answer ideas."))
    if answer not in Idea.Answer.values:
        raise ApplicationError(_("Choose a status."), field="answer")
    note = (note or "").strip()
    if not note:
        raise ApplicationError(_("Write a note: the crowd will read it."), field="note")
    if len(note) > 5000:
        raise ApplicationError(_("Keep the note under 5,000 characters."), field="note")
    idea = Idea.objects.select_for_update().get(pk=idea.pk)
    if idea.status == Idea.Status.PENDING:
        raise Conflict(_("Approve the idea before answering it."), code="not_published")
    update = IdeaStatusUpdate.objects.create(
        idea=idea, answer=answer, note=note, note_html=render_markdown(note), author=author
    )
    idea.answer = answer
    idea.answered_at = update.created_at
    idea.save(update_fields=["answer", "answered_at", "updated_at"])
    update_id = update.pk
    transaction.on_commit(lambda: _answer_notify_later(update_id))
    return update


def _answer_notify_later(update_id: int) -> None:
    from ideas import tasks

    tasks.idea_answer_notify.delay(update_id)


def idea_answer_notify(*, update_id: int) -> int:
    """Tell the author, the voters and the commenters of an idea about its new status,
    once each (keyed by the update)."""
    from notifications.services import notifications_create_many
    from voting.models import Vote

    update = IdeaStatusUpdate.objects.select_related("idea").filter(pk=update_id).first()
    if update is None:
        return 0
    idea = update.idea
    people = (
        Vote.objects.filter(idea=idea)
        .exclude(value=0)
        .values("voter_id")
        .union(
            Comment.objects.filter(idea=idea).values("author_id"),
            Idea.objects.filter(pk=idea.pk).values("author_id"),
        )
        .values_list("voter_id", flat=True)
    )
    return notifications_create_many(
        recipient_ids=people.iterator(chunk_size=5000),
        kind=Notification.Kind.IDEA_ANSWERED,
        event_key=f"idea_answer:{update.pk}",
        params={"title": idea.title, "answer": update.answer},
        url=idea.get_absolute_url(),
    )


@transaction.atomic
def comment_post(*, idea: Idea, author, body: str) -> Comment:
    if not idea_rules.is_verified(author):
        raise NotAllowed(_("Please verify your email address before commenting."))
    if not idea_rules.can_comment_idea(author, idea):
        raise Conflict(_("Comments are not open on this idea."), code="comments_closed")
    body = (body or "").strip()
    if not body:
        raise ApplicationError(_("Write a comment."), field="body")
    if len(body) > 5000:
        raise ApplicationError(_("Keep comments under 5,000 characters."), field="body")
    comment = Comment.objects.create(
        idea=idea, author=author, body=body, body_html=render_markdown(body)
    )
    points_award(user=author, event_key=f"comment:{comment.pk}", reason="comment_posted", idea=idea)
    return comment


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
