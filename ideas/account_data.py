"""Ideas' part of an account's export (accounts.signals): the person's ideas, with the
texts edits replaced, and comments. (Erasure keeps them: they then show the pseudonym.)"""

from django.db.models import Prefetch
from django.dispatch import receiver

from accounts.selectors import iso
from accounts.signals import account_export_requested
from ideas.models import Comment, Idea, IdeaRevision


def idea_ref(idea: Idea) -> dict:
    """How an export names an idea, the person's or someone else's."""
    return {"id": idea.pk, "title": idea.title, "campaign": idea.campaign.slug}


@receiver(account_export_requested, dispatch_uid="ideas.account_export")
def export(*, user, **kwargs) -> dict:
    ideas = (
        Idea.objects.filter(author=user)
        .select_related("campaign")
        .prefetch_related(
            Prefetch("revisions", queryset=IdeaRevision.objects.order_by("created_at", "id"))
        )
        .order_by("created_at", "id")
    )
    comments = (
        Comment.objects.filter(author=user)
        .select_related("idea__campaign")
        .order_by("created_at", "id")
    )
    return {
        "ideas": [
            {
                "id": idea.pk,
                "campaign": idea.campaign.slug,
                "title": idea.title,
                "body": idea.body,
                "status": idea.status,
                "answer": idea.answer,
                "cost": idea.cost,
                "image": idea.image.name or None,
                "content_hash": idea.content_hash,
                "created_at": iso(idea.created_at),
                "updated_at": iso(idea.updated_at),
                "revisions": [
                    {
                        "title": revision.title,
                        "body": revision.body,
                        "content_hash": revision.content_hash,
                        "reason": revision.reason,
                        "replaced_at": iso(revision.created_at),
                    }
                    for revision in idea.revisions.all()
                ],
            }
            for idea in ideas
        ],
        "comments": [
            {
                "id": comment.pk,
                "idea": idea_ref(comment.idea),
                "body": comment.body,
                "status": comment.status,
                "created_at": iso(comment.created_at),
                "updated_at": iso(comment.updated_at),
            }
            for comment in comments
        ],
    }
