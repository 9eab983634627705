"""The builder's candidates step: the candidates of an election whose candidates the
brand enters. The builder locks the campaign and decides whether it takes candidates
(see builder/editing.py for the checks every step makes); the ideas themselves are
written by ideas/candidates.py, like every idea."""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from builder.editing import State, locked_for_edit
from builder.presets import brand_enters_candidates
from campaigns.models import Campaign
from core.errors import ApplicationError, Conflict
from ideas import candidates as idea_candidates
from ideas.models import Idea
from voting.models import BallotChoice, PairwisePrompt


def candidate_add(
    *, campaign: Campaign, actor, title: str, description: str, image: UploadedFile | None = None
) -> Idea:
    """A candidate of an election whose candidates the brand enters: a published idea
    by the manager, with its (empty) tally row like every idea."""
    idea_candidates.candidate_text_clean(title, description)  # the field's error first
    with transaction.atomic():
        locked = locked_for_edit(campaign, actor)
        if not brand_enters_candidates(locked):
            raise Conflict(
                _("Only an election without crowd submissions takes candidates."),
                code="not_an_election",
            )
        return idea_candidates.candidate_create(
            campaign=locked, author=actor, title=title, description=description, image=image
        )


def _locked_candidate(campaign: Campaign, actor, idea_id: int) -> tuple[Campaign, Idea]:
    locked = locked_for_edit(campaign, actor)
    idea = (
        Idea.objects.filter(campaign=locked, pk=idea_id, is_candidate=True)
        .select_related("campaign")
        .first()
    )
    if idea is None:
        raise ApplicationError(_("No such candidate."), code="not_found")
    return locked, idea


def candidate_update(
    *,
    campaign: Campaign,
    actor,
    idea_id: int,
    title: str,
    description: str,
    image: UploadedFile | None = None,
    remove_image: bool = False,
) -> Idea:
    idea_candidates.candidate_text_clean(title, description)  # the field's error first
    with transaction.atomic():
        _locked, idea = _locked_candidate(campaign, actor, idea_id)
        return idea_candidates.candidate_edit(
            idea=idea, editor=actor, title=title, description=description, image=image,
            remove_image=remove_image,
        )  # fmt: skip


def candidate_remove(*, campaign: Campaign, actor, idea_id: int) -> None:
    with transaction.atomic():
        locked, idea = _locked_candidate(campaign, actor, idea_id)
        if locked.state != State.DRAFT and (
            Idea.objects.filter(campaign=locked, is_candidate=True).count() <= 2
        ):
            raise Conflict(_("A launched election keeps at least two candidates."), code="too_few")
        # A ballot or a comparison names this candidate: deleting it would rewrite other
        # people's votes (the database refuses it too: PROTECT).
        if (
            BallotChoice.objects.filter(idea=idea).exists()
            or PairwisePrompt.objects.filter(left=idea).exists()
            or PairwisePrompt.objects.filter(right=idea).exists()
            or idea.votes.exists()
        ):
            raise Conflict(
                _("Voters have already chosen this candidate: it can no longer be removed."),
                code="candidate_has_votes",
            )
        idea_candidates.candidate_remove(idea=idea, actor=actor)
