"""The candidates of an election whose candidates the brand enters: ideas too, written
here like every idea (only `ideas` creates ideas). The builder (builder/candidates.py)
locks the campaign and decides whether it takes candidates; these functions check the
manager's right again, clean the text and write the idea, its content hash computed as
`idea_submit` computes it. The tally row comes from voting, told by the "idea.created"
event."""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from campaigns import rules as campaign_rules
from campaigns.models import Campaign
from core.errors import ApplicationError, NotAllowed
from core.events import emit
from core.markdown import render_markdown
from core.text import check_cleaned_length, clean_single_line
from ideas.models import Idea
from ideas.services import content_hash

CANDIDATE_TITLE_MAX_LENGTH = Idea._meta.get_field("title").max_length


def _check_may_edit(actor, campaign: Campaign) -> None:
    if not campaign_rules.can_edit_campaign(actor, campaign):
        raise NotAllowed(_("Only the brand's owners and managers can edit this campaign."))


def candidate_text_clean(title: str, description: str) -> tuple[str, str]:
    """The title on one line, the description with LF line ends and no outer blanks; a
    missing or too long name is refused on its field."""
    title = clean_single_line(title)
    description = (description or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not title:
        raise ApplicationError(_("Give the candidate a name."), field="title")
    check_cleaned_length(title, max_length=CANDIDATE_TITLE_MAX_LENGTH, field="title")
    return title, description


def _delete_file_after_commit(field_file) -> None:
    if field_file and field_file.name:
        storage, name = field_file.storage, field_file.name
        transaction.on_commit(lambda: storage.delete(name))


def candidate_create(
    *,
    campaign: Campaign,
    author,
    title: str,
    description: str,
    image: UploadedFile | None = None,
) -> Idea:
    """A published candidate by the brand's manager `author`."""
    _check_may_edit(author, campaign)
    title, description = candidate_text_clean(title, description)
    with transaction.atomic():
        idea = Idea.objects.create(
            campaign=campaign,
            author=author,
            title=title,
            body=description,
            body_html=render_markdown(description),
            content_hash=content_hash(title, description),
            status=Idea.Status.PUBLISHED,
            is_candidate=True,
            image=image or "",
        )
        emit("idea.created", idea_id=idea.pk, campaign_id=campaign.pk)
    return idea


def candidate_edit(
    *,
    idea: Idea,
    editor,
    title: str,
    description: str,
    image: UploadedFile | None = None,
    remove_image: bool = False,
) -> Idea:
    """A candidate's new name, description and picture (`image`, or none if
    `remove_image`); its content hash follows the text."""
    if not idea.is_candidate:
        raise ApplicationError(_("No such candidate."), code="not_found")
    _check_may_edit(editor, idea.campaign)
    title, description = candidate_text_clean(title, description)
    with transaction.atomic():
        idea.title, idea.body = title, description
        idea.body_html = render_markdown(description)
        idea.content_hash = content_hash(title, description)
        if image is not None:
            _delete_file_after_commit(idea.image)
            idea.image = image
        elif remove_image:
            _delete_file_after_commit(idea.image)
            idea.image = ""
        idea.save(
            update_fields=["title", "body", "body_html", "content_hash", "image", "updated_at"]
        )
    return idea


def candidate_remove(*, idea: Idea, actor) -> None:
    """Delete a candidate and its picture. Whether voters have chosen it is the caller's
    question (the builder asks voting); the database refuses it too (PROTECT)."""
    if not idea.is_candidate:
        raise ApplicationError(_("No such candidate."), code="not_found")
    _check_may_edit(actor, idea.campaign)
    with transaction.atomic():
        _delete_file_after_commit(idea.image)
        idea.delete()
