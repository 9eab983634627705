"""One entry per write (issue 9): the admin, the builder and the demo data write through
the owning app's services; only `ideas` creates ideas and only `voting` creates tallies."""

import pytest
from django.urls import reverse

import ideas.candidates
import ideas.services
from builder.candidates import candidate_add, candidate_update
from campaigns.models import Campaign
from core.events import receivers
from ideas.models import Comment, Idea, IdeaRevision
from ideas.services import content_hash, idea_submit
from tests.factories import BrandMembershipFactory, CampaignFactory, UserFactory
from tests.test_admin_security import brands, idea_form  # noqa: F401  (fixture, helper)
from voting.models import IdeaTally
from voting.receivers import tally_open


def spy(monkeypatch, module, name):
    """Replace `module.name` by a wrapper that records its calls' keyword arguments."""
    calls = []
    original = getattr(module, name)

    def wrapper(**kwargs):
        calls.append(kwargs)
        return original(**kwargs)

    monkeypatch.setattr(module, name, wrapper)
    return calls


@pytest.mark.django_db
def test_the_admin_idea_form_saves_through_idea_edit(client, brands, monkeypatch):  # noqa: F811
    idea, moderator = brands["a"]["idea"], brands["a"]["moderator"]
    old_hash = idea.content_hash
    calls = spy(monkeypatch, ideas.services, "idea_edit")
    client.force_login(moderator)

    response = client.post(
        reverse("admin:ideas_idea_change", args=[idea.pk]),
        idea_form(idea, title="Night trams", body="Every *hour*.", reason="Clearer"),
    )

    assert response.status_code == 302
    assert [call["idea"].pk for call in calls] == [idea.pk]
    idea.refresh_from_db()
    assert idea.content_hash == content_hash("Night trams", "Every *hour*.") != old_hash
    revision = IdeaRevision.objects.get(idea=idea)
    assert (revision.content_hash, revision.edited_by_id) == (old_hash, moderator.pk)


@pytest.mark.django_db
def test_the_admin_hides_and_shows_comments_through_the_services(client, brands, monkeypatch):  # noqa: F811
    comment, moderator = brands["a"]["comment"], brands["a"]["moderator"]
    hidden = spy(monkeypatch, ideas.services, "comment_hide")
    shown = spy(monkeypatch, ideas.services, "comment_show")
    url = reverse("admin:ideas_comment_changelist")
    client.force_login(moderator)

    client.post(url, {"action": "hide_comments", "_selected_action": [comment.pk]})
    assert [(call["comment"].pk, call["moderator"].pk) for call in hidden] == [
        (comment.pk, moderator.pk)
    ]
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.HIDDEN

    client.post(url, {"action": "show_comments", "_selected_action": [comment.pk]})
    assert [call["comment"].pk for call in shown] == [comment.pk]
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.PUBLISHED


@pytest.mark.django_db
def test_the_builders_candidates_are_written_by_the_ideas_service(monkeypatch):
    manager = BrandMembershipFactory(role="manager")
    election = CampaignFactory(
        brand=manager.brand, state=Campaign.State.DRAFT, is_published=False,
        voting_method="single", submission_opens_at=None, submission_closes_at=None,
        voting_opens_at=None, voting_closes_at=None,
    )  # fmt: skip
    created = spy(monkeypatch, ideas.candidates, "candidate_create")
    edited = spy(monkeypatch, ideas.candidates, "candidate_edit")

    candidate = candidate_add(
        campaign=election, actor=manager.user, title="Ada", description="Engineer.\r\n"
    )
    candidate_update(
        campaign=election, actor=manager.user, idea_id=candidate.pk, title="Ada L.",
        description="Engineer and poet.",
    )  # fmt: skip

    assert (len(created), len(edited)) == (1, 1)
    candidate.refresh_from_db()
    assert (candidate.is_candidate, candidate.status) == (True, Idea.Status.PUBLISHED)
    # The same fingerprint as a crowd idea with the same text.
    crowd_campaign = CampaignFactory()
    crowd_idea = idea_submit(
        author=UserFactory(), campaign=crowd_campaign, title="Ada L.", body="Engineer and poet."
    )
    assert candidate.content_hash == crowd_idea.content_hash
    assert candidate.content_hash == content_hash("Ada L.", "Engineer and poet.")
    # Voting wrote the empty tally row of each, told by the "idea.created" event.
    assert IdeaTally.objects.filter(idea__in=[candidate, crowd_idea]).count() == 2
    assert tally_open in receivers("idea.created")
