import hashlib
import unicodedata

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import Campaign, CampaignTerms, TermsAcceptance
from campaigns.selectors import campaign_progress_forget
from core.errors import ApplicationError, Duplicate
from core.events import ask, emit
from core.markdown import render_markdown
from core.text import check_cleaned_length, clean_single_line
from ideas import rules as idea_rules
from ideas import tasks  # tasks imports this module back: only names used at call time
from ideas.models import Comment, Idea, IdeaRevision, IdeaStatusUpdate


def content_hash(title: str, body: str) -> str:
    """An idea's fingerprint, the same for a crowd idea, an edit and a brand's candidate."""
    return hashlib.sha256(f"{title}\n\n{body}".encode()).hexdigest()


def _idea_payload(idea: Idea) -> dict:
    """What every idea event carries (docs/events.md)."""
    return {
        "idea_id": idea.pk,
        "campaign_id": idea.campaign_id,
        "author_id": idea.author_id,
        "title": idea.title,
        "url": idea.get_absolute_url(),
    }


def terms_current(*, campaign: Campaign) -> CampaignTerms | None:
    return campaign.terms.order_by("-version").first()


def terms_accepted(*, user, campaign: Campaign) -> bool:
    """The user accepted the campaign's current terms (or it has none)."""
    terms = terms_current(campaign=campaign)
    if terms is None:
        return True
    return TermsAcceptance.objects.filter(terms=terms, user=user).exists()


def _normalised(text: str) -> str:
    """The text as compared for duplicates: same letters, any case, any spacing, any
    compatibility form ("ﬁ" and "fi", full-width letters), without the invisible and
    bidirectional characters that core.text removes from titles."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(clean_single_line(unicodedata.normalize("NFKC", folded)).split())


def _lock_author_in_campaign(*, author, campaign_id: int) -> None:
    """A transaction-scoped advisory lock on (campaign, author) for submissions: the same
    idea sent twice at once (a double click, a retried request) queues up, and the second
    finds the first. Only that author waits."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
            [f"ideas.idea_submit:{campaign_id}:{author.pk}"],
        )


def _same_idea_by_author(*, author, campaign: Campaign, title: str, body: str) -> Idea | None:
    """The author's first idea in `campaign` with the same title and description (ignoring
    case and spacing) that a moderator has not hidden, or None."""
    wanted = (_normalised(title), _normalised(body))
    # The titles are compared here, not with the database's case-insensitive match, which
    # knows neither NFKC nor case folding ("STRASSE" and "Straße"); an author's titles in
    # one campaign are few and short. Only the bodies of the matching titles are read.
    ideas = Idea.objects.filter(campaign=campaign, author=author).exclude(status=Idea.Status.HIDDEN)
    same_title = [
        pk
        for pk, candidate_title in ideas.values_list("pk", "title")
        if _normalised(candidate_title) == wanted[0]
    ]
    if not same_title:
        return None
    for candidate in ideas.filter(pk__in=same_title).order_by("created_at", "pk"):
        if _normalised(candidate.body) == wanted[1]:
            return candidate
    return None


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
    idea becomes public. The same idea again by the same author in the same campaign (same
    title and description, ignoring case and spacing, unless hidden) is refused with
    `Duplicate` (409, "duplicate_idea") naming the first; the check holds the author's
    advisory lock for the campaign, so two identical requests at once cannot both pass.

    An empty tally row is written with the idea (by voting, told "idea.created") so that
    the ranked list of a campaign is one indexed join; from then on only the tally workers
    write it."""
    idea_rules.can_submit_idea.check(author, campaign)
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
    title, body = clean_single_line(title), body.strip()
    if not title:
        raise ApplicationError(_("Give your idea a title."), field="title")
    check_cleaned_length(title, max_length=IDEA_TITLE_MAX_LENGTH, field="title")
    if not body:
        raise ApplicationError(_("Describe your idea."), field="body")
    # Whether an idea has a cost is the campaign's voting format's to say, and ideas sit
    # below voting: the format answers through core.events (voting/receivers.py).
    costs = ask("idea.cost_checked", campaign=campaign, cost=cost)
    cost = costs[0] if costs else None
    _lock_author_in_campaign(author=author, campaign_id=campaign.pk)
    first = _same_idea_by_author(author=author, campaign=campaign, title=title, body=body)
    if first is not None:
        raise Duplicate(
            _("You have already submitted this idea to this campaign: “%(title)s”.")
            % {"title": first.title},
            existing=first,
            code="duplicate_idea",
        )
    pending = campaign.moderation == Campaign.Moderation.PRE
    idea = Idea.objects.create(
        campaign=campaign,
        author=author,
        title=title,
        body=body,
        body_html=render_markdown(body),
        content_hash=content_hash(title, body),
        cost=cost,
        status=Idea.Status.PENDING if pending else Idea.Status.PUBLISHED,
        image=image or "",
    )
    # Voting writes the idea's empty tally row (voting/receivers.py), in this transaction.
    emit("idea.created", idea_id=idea.pk, campaign_id=campaign.pk)
    if not pending:
        # Rewards pays the "idea published" points (rewards/receivers.py).
        emit("idea.published", **_idea_payload(idea), moderated=False)
        transaction.on_commit(lambda: campaign_progress_forget(campaign_id=campaign.pk))
    return idea


@transaction.atomic
def idea_approve(*, idea: Idea, moderator) -> Idea:
    """Publish an idea that waited for moderation; its author is told and paid once."""
    idea_rules.can_approve_idea_now.check(moderator, idea)
    idea = Idea.objects.select_for_update().select_related("campaign").get(pk=idea.pk)
    idea_rules.IDEA_PENDING.check(moderator, idea)  # again, under the lock
    idea.status = Idea.Status.PUBLISHED
    idea.save(update_fields=["status", "updated_at"])
    campaign_id = idea.campaign_id
    transaction.on_commit(lambda: campaign_progress_forget(campaign_id=campaign_id))
    # Rewards pays the points; notifications tells the author it was approved.
    emit("idea.published", **_idea_payload(idea), moderated=True)
    return idea


@transaction.atomic
def idea_answer(*, idea: Idea, author, answer: str, note: str) -> IdeaStatusUpdate:
    """The brand's official answer to an idea, with a public note on its timeline. The
    idea's author and its voters are told (by a worker, after commit)."""
    idea_rules.can_answer_idea_now.check(author, idea)
    if answer not in Idea.Answer.values:
        raise ApplicationError(_("Choose a status."), field="answer")
    note = (note or "").strip()
    if not note:
        raise ApplicationError(_("Write a note: the crowd will read it."), field="note")
    if len(note) > 5000:
        raise ApplicationError(_("Keep the note under 5,000 characters."), field="note")
    idea = Idea.objects.select_for_update().get(pk=idea.pk)
    idea_rules.IDEA_APPROVED.check(author, idea)  # again, under the lock
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
    tasks.idea_answer_notify.delay(update_id)


def idea_answer_notify(*, update_id: int) -> int:
    """Emit "idea.answered" for a new status (its author, voters and commenters are told,
    once each, keyed by the update). Returns how many people were told."""
    update = IdeaStatusUpdate.objects.select_related("idea").filter(pk=update_id).first()
    if update is None:
        return 0
    return emit(
        "idea.answered", **_idea_payload(update.idea), update_id=update.pk, answer=update.answer
    ).total()


@transaction.atomic
def comment_post(*, idea: Idea, author, body: str) -> Comment:
    idea_rules.can_comment_idea.check(author, idea)
    body = (body or "").strip()
    if not body:
        raise ApplicationError(_("Write a comment."), field="body")
    if len(body) > 5000:
        raise ApplicationError(_("Keep comments under 5,000 characters."), field="body")
    comment = Comment.objects.create(
        idea=idea, author=author, body=body, body_html=render_markdown(body)
    )
    emit(
        "comment.posted", comment_id=comment.pk, idea_id=idea.pk, campaign_id=idea.campaign_id,
        author_id=author.pk,
    )  # fmt: skip
    return comment


@transaction.atomic
def idea_hide(*, idea: Idea, moderator, reason: str) -> Idea:
    """Hide an idea from every public list and the API, and tell its author why."""
    idea_rules.can_hide_idea.check(moderator, idea)
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
    emit("idea.hidden", **_idea_payload(idea), reason=reason, hidden_at=idea.hidden_at.timestamp())
    return idea


@transaction.atomic
def idea_unhide(*, idea: Idea, moderator) -> Idea:
    idea_rules.can_restore_idea.check(moderator, idea)
    Idea.objects.filter(pk=idea.pk).update(
        status=Idea.Status.PUBLISHED, hidden_at=None, hidden_by=None, updated_at=timezone.now()
    )
    idea.refresh_from_db()
    return idea


# -- moderators' edits -------------------------------------------------------------------

IDEA_TITLE_MAX_LENGTH = 140
EDIT_REASON_MAX_LENGTH = 300


def idea_edit_check(*, idea: Idea, editor, title: str, body: str, reason: str) -> tuple:
    """Check an edit of `idea` without writing anything ("may I, and is it valid?"): the
    doors show its refusal next to the field. Returns the cleaned (title, body, reason)."""
    idea_rules.can_edit_idea.check(editor, idea)
    title, body = clean_single_line(title), (body or "").strip()
    reason = clean_single_line(reason)
    if not title:
        raise ApplicationError(_("Give the idea a title."), field="title")
    if len(title) > IDEA_TITLE_MAX_LENGTH:
        raise ApplicationError(
            _("Keep the title under %(count)d characters.") % {"count": IDEA_TITLE_MAX_LENGTH},
            field="title",
        )
    if not body:
        raise ApplicationError(_("The description cannot be empty."), field="body")
    if editor.pk != idea.author_id and not reason:
        raise ApplicationError(
            _("Say why you edit this idea: the reason is kept with the replaced text."),
            field="reason",
        )
    if len(reason) > EDIT_REASON_MAX_LENGTH:
        raise ApplicationError(
            _("Keep the reason under %(count)d characters.") % {"count": EDIT_REASON_MAX_LENGTH},
            field="reason",
        )
    return title, body, reason


def idea_edit(*, idea: Idea, editor, title: str, body: str, reason: str = "") -> Idea:
    """Replace the title and description of `idea` (a moderator of its campaign corrects
    it). The replaced text, its hash, the editor and the reason are kept as an
    `IdeaRevision`; `content_hash` is recomputed exactly as `idea_submit` computes it and
    `body_html` is rendered again, in one transaction holding the idea's row lock. The
    campaign and the author never change. An edit that changes nothing writes nothing."""
    title, body, reason = idea_edit_check(
        idea=idea, editor=editor, title=title, body=body, reason=reason
    )
    with transaction.atomic():
        current = Idea.objects.select_for_update().get(pk=idea.pk)
        if (current.title, current.body) == (title, body):
            return current
        IdeaRevision.objects.create(
            idea=current,
            title=current.title,
            body=current.body,
            content_hash=current.content_hash,
            edited_by=editor,
            reason=reason,
        )
        current.title, current.body = title, body
        current.body_html = render_markdown(body)
        current.content_hash = content_hash(title, body)
        current.save(update_fields=["title", "body", "body_html", "content_hash", "updated_at"])
    return current


@transaction.atomic
def comment_hide(*, comment: Comment, moderator) -> Comment:
    """Hide a comment from the idea's page (it stays, for the record)."""
    idea_rules.can_hide_comment.check(moderator, comment)
    Comment.objects.filter(pk=comment.pk).update(
        status=Comment.Status.HIDDEN, updated_at=timezone.now()
    )
    comment.refresh_from_db()
    return comment


@transaction.atomic
def comment_show(*, comment: Comment, moderator) -> Comment:
    """Show a hidden comment again."""
    idea_rules.can_show_comment.check(moderator, comment)
    Comment.objects.filter(pk=comment.pk).update(
        status=Comment.Status.PUBLISHED, updated_at=timezone.now()
    )
    comment.refresh_from_db()
    return comment
