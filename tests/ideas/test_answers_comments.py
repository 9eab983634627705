"""An idea's page: the brand's answer timeline and form, comments, and the approval of a
pending idea, through the HTTP doors (with and without htmx)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ideas.models import Comment, Idea, IdeaStatusUpdate
from ideas.services import idea_answer_notify
from notifications.models import Notification
from tests.factories import BrandMembershipFactory, CampaignFactory, IdeaFactory, UserFactory
from voting.models import Vote

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def campaign():
    return CampaignFactory()


@pytest.fixture
def idea(campaign):
    return IdeaFactory(campaign=campaign)


def member(campaign, role: str):
    return BrandMembershipFactory(brand=campaign.brand, role=role).user


def vote(idea, voter, value=1):
    now = timezone.now()
    return Vote.objects.create(idea=idea, voter=voter, value=value, created_at=now, updated_at=now)


# -- answers -------------------------------------------------------------------------------


def test_a_manager_answers_and_the_timeline_shows_it(client, idea):
    voter, former_voter = UserFactory(), UserFactory()
    vote(idea, voter)
    vote(idea, former_voter, value=0)
    manager = member(idea.campaign, "manager")
    client.force_login(manager)
    page = client.get(idea.get_absolute_url()).content.decode()
    assert 'data-testid="answer-form"' in page

    response = client.post(
        f"/ideas/{idea.pk}/answer/",
        {"answer": "accepted", "note": "We will do it **this spring**. <script>x()</script>"},
    )

    assert response.status_code == 302
    assert response["Location"] == f"/ideas/{idea.pk}/#answer"
    update = IdeaStatusUpdate.objects.get()
    assert (update.idea, update.answer, update.author) == (idea, "accepted", manager)
    idea.refresh_from_db()
    assert (idea.answer, idea.answered_at) == ("accepted", update.created_at)
    page = client.get(idea.get_absolute_url()).content.decode()
    timeline = page.split('data-testid="timeline"')[1].split("</ol>")[0]
    assert '<span class="badge badge--answer-accepted">Accepted</span>' in timeline
    assert "<strong>this spring</strong>" in timeline
    assert "&lt;script&gt;x()&lt;/script&gt;" in timeline
    assert "<script>x()" not in page

    # The worker's job (called here: Celery is not eager in tests): author and voters.
    assert idea_answer_notify(update_id=update.pk) == 2
    told = Notification.objects.filter(kind="idea_answered")
    assert sorted(told.values_list("recipient", flat=True)) == sorted([idea.author_id, voter.pk])
    assert told.first().params == {"title": idea.title, "answer": "accepted"}
    idea_answer_notify(update_id=update.pk)  # run twice: nobody told twice
    assert told.count() == 2


def test_an_answer_through_htmx_swaps_the_answer_section(client, idea):
    client.force_login(member(idea.campaign, "owner"))

    response = client.post(
        f"/ideas/{idea.pk}/answer/", {"answer": "in_progress", "note": "Started."}, **HTMX
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<section id="answer"')
    assert "In progress" in html and "<p>Started.</p>" in html
    assert "<html" not in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"answer": "accepted", "note": "  "}, "Write a note"),
        ({"answer": "maybe", "note": "Hm."}, "Select a valid choice"),
    ],
)
def test_a_bad_answer_is_refused_and_changes_nothing(client, idea, data, message):
    client.force_login(member(idea.campaign, "manager"))

    response = client.post(f"/ideas/{idea.pk}/answer/", data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not IdeaStatusUpdate.objects.exists()
    idea.refresh_from_db()
    assert idea.answer == ""


@pytest.mark.parametrize("who", ["author", "moderator", "analyst", "other brand's owner"])
def test_only_owners_and_managers_answer(client, idea, who):
    users = {
        "author": lambda: idea.author,
        "moderator": lambda: member(idea.campaign, "moderator"),
        "analyst": lambda: member(idea.campaign, "analyst"),
        "other brand's owner": lambda: BrandMembershipFactory(role="owner").user,
    }
    client.force_login(users[who]())

    page = client.get(idea.get_absolute_url()).content.decode()
    response = client.post(f"/ideas/{idea.pk}/answer/", {"answer": "accepted", "note": "Yes"})

    assert 'data-testid="answer-form"' not in page
    assert response.status_code == 403
    assert not IdeaStatusUpdate.objects.exists()
    idea.refresh_from_db()
    assert idea.answer == ""


# -- comments ------------------------------------------------------------------------------


def test_a_comment_is_sanitised_and_shown(client, idea):
    author = UserFactory(display_name="Zoé")
    client.force_login(author)

    response = client.post(
        f"/ideas/{idea.pk}/comments/", {"body": "Nice *idea* <script>alert(1)</script>"}
    )

    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/ideas/{idea.pk}/#comment-{comment.pk}"
    assert (comment.idea, comment.author) == (idea, author)
    page = client.get(idea.get_absolute_url()).content.decode()
    comments = page.split('data-testid="comments"')[1].split("</ol>")[0]
    assert "<em>idea</em>" in comments
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in comments
    assert "<script>alert" not in page
    assert "Zoé" in comments


def test_a_comment_through_htmx_is_appended_and_the_form_reset(client, idea):
    client.force_login(UserFactory())

    response = client.post(f"/ideas/{idea.pk}/comments/", {"body": "First!"}, **HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    comment = Comment.objects.get()
    assert html.lstrip().startswith(f'<li class="comment" id="comment-{comment.pk}"')
    assert 'id="comment-form"' in html and 'hx-swap-oob="true"' in html
    assert "First!" not in html.split('id="comment-form"')[1]  # an empty form


def test_an_empty_comment_is_an_error_and_nothing_is_saved(client, idea):
    client.force_login(UserFactory())

    response = client.post(f"/ideas/{idea.pk}/comments/", {"body": "   "})
    htmx = client.post(f"/ideas/{idea.pk}/comments/", {"body": ""}, **HTMX)

    assert response.status_code == 400
    assert "Write a comment." in response.content.decode()
    assert htmx.status_code == 400
    assert htmx["HX-Retarget"] == "#comment-form"
    assert htmx["HX-Reswap"] == "outerHTML"
    assert "Write a comment." in htmx.content.decode()
    assert not Comment.objects.exists()


def test_an_unverified_account_may_not_comment(client, idea):
    client.force_login(UserFactory(verified=False))

    page = client.get(idea.get_absolute_url()).content.decode()
    response = client.post(f"/ideas/{idea.pk}/comments/", {"body": "Hello"})

    assert 'id="comment-form"' not in page
    assert "Confirm your email address to comment." in page
    assert response.status_code == 403
    assert not Comment.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(client, idea):
    response = client.post(f"/ideas/{idea.pk}/comments/", {"body": "Hello"})

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next=/ideas/{idea.pk}/"
    assert not Comment.objects.exists()


def test_a_hidden_idea_shows_no_comments_and_takes_none(client, idea):
    Comment.objects.create(idea=idea, author=UserFactory(), body="old", body_html="<p>old</p>")
    Idea.objects.filter(pk=idea.pk).update(status=Idea.Status.HIDDEN, hidden_reason="Spam")
    client.force_login(idea.author)  # the author still sees their hidden idea

    page = client.get(idea.get_absolute_url())
    response = client.post(f"/ideas/{idea.pk}/comments/", {"body": "Hello"})

    assert page.status_code == 200
    assert "<p>old</p>" not in page.content.decode()
    assert 'id="comment-form"' not in page.content.decode()
    assert response.status_code == 409
    assert Comment.objects.count() == 1


def test_hidden_comments_are_not_shown(client, idea):
    Comment.objects.create(idea=idea, author=UserFactory(), body="a", body_html="<p>shown</p>")
    Comment.objects.create(
        idea=idea,
        author=UserFactory(),
        body="b",
        body_html="<p>removed</p>",
        status=Comment.Status.HIDDEN,
    )

    page = client.get(idea.get_absolute_url()).content.decode()

    assert "<p>shown</p>" in page and "<p>removed</p>" not in page


def idea_page_queries(client, idea) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(idea.get_absolute_url()).status_code == 200
    return len(queries)


def test_the_idea_page_costs_a_fixed_number_of_queries_whatever_the_comments(client, idea):
    client.force_login(UserFactory())
    Comment.objects.create(idea=idea, author=UserFactory(), body="a", body_html="<p>a</p>")
    IdeaStatusUpdate.objects.create(idea=idea, answer="accepted", note="n", note_html="<p>n</p>")
    few = idea_page_queries(client, idea)

    for number in range(12):
        Comment.objects.create(
            idea=idea, author=UserFactory(), body=str(number), body_html=f"<p>{number}</p>"
        )
        IdeaStatusUpdate.objects.create(idea=idea, answer="accepted", note="n", note_html="n")

    assert idea_page_queries(client, idea) == few


# -- a pending idea ------------------------------------------------------------------------


def test_a_pending_idea_tells_its_author_and_offers_approve_to_moderators(client, campaign):
    idea = IdeaFactory(campaign=campaign, status=Idea.Status.PENDING)
    client.force_login(idea.author)
    author_page = client.get(idea.get_absolute_url()).content.decode()
    moderator = member(campaign, "moderator")
    client.force_login(moderator)
    moderator_page = client.get(idea.get_absolute_url()).content.decode()

    assert 'data-testid="pending-notice"' in author_page
    assert 'data-testid="approve-idea"' not in author_page
    assert 'id="comment-form"' not in author_page
    assert 'data-testid="approve-idea"' in moderator_page

    response = client.post(f"/ideas/{idea.pk}/approve/")

    assert response.status_code == 302
    idea.refresh_from_db()
    assert idea.status == Idea.Status.PUBLISHED


@pytest.mark.parametrize("who", ["author", "analyst", "stranger"])
def test_others_cannot_approve(client, campaign, who):
    idea = IdeaFactory(campaign=campaign, status=Idea.Status.PENDING)
    users = {
        "author": lambda: idea.author,
        "analyst": lambda: member(campaign, "analyst"),
        "stranger": UserFactory,
    }
    client.force_login(users[who]())

    response = client.post(f"/ideas/{idea.pk}/approve/")

    # A stranger may not even see a pending idea.
    assert response.status_code == (404 if who == "stranger" else 403)
    idea.refresh_from_db()
    assert idea.status == Idea.Status.PENDING
    assert not Notification.objects.exists()
