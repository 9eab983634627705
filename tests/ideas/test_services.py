"""idea_submit and idea_hide, and what hiding does to every door that lists ideas."""

import hashlib
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from core.errors import ApplicationError, Conflict, NotAllowed
from ideas.models import Idea
from ideas.services import idea_hide, idea_submit, idea_unhide
from notifications.models import Notification
from rewards.models import LedgerEntry
from rewards.selectors import points_total
from tests.factories import CampaignFactory, IdeaFactory, UserFactory
from voting.models import IdeaTally

pytestmark = pytest.mark.django_db


class TagCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def tags_in(html: str) -> list[tuple[str, dict]]:
    parser = TagCollector()
    parser.feed(html)
    return parser.tags


@pytest.fixture
def moderator(db):
    from django.contrib.auth.models import Group

    user = UserFactory()
    user.groups.add(Group.objects.get_or_create(name="Moderators")[0])
    return user


def closed_campaign():
    now = timezone.now()
    return CampaignFactory(
        submission_opens_at=now - timedelta(days=20),
        submission_closes_at=now - timedelta(days=10),
        voting_opens_at=now - timedelta(days=10),
        voting_closes_at=now - timedelta(days=1),
    )


def voting_only_campaign():
    now = timezone.now()
    return CampaignFactory(
        submission_opens_at=now - timedelta(days=10),
        submission_closes_at=now - timedelta(days=1),
        voting_opens_at=now - timedelta(days=1),
        voting_closes_at=now + timedelta(days=10),
    )


def upcoming_campaign():
    now = timezone.now()
    return CampaignFactory(
        submission_opens_at=now + timedelta(days=1),
        submission_closes_at=now + timedelta(days=10),
        voting_opens_at=now + timedelta(days=1),
        voting_closes_at=now + timedelta(days=20),
    )


def nothing_written(author) -> bool:
    return (
        Idea.objects.count() == 0
        and IdeaTally.objects.count() == 0
        and LedgerEntry.objects.filter(user=author).count() == 0
    )


# --- idea_submit --------------------------------------------------------------------------


def test_submit_publishes_the_idea_with_an_empty_tally_and_pays_ten_points():
    author, campaign = UserFactory(), CampaignFactory()

    idea = idea_submit(
        author=author, campaign=campaign, title="  Free water  ", body="Refill *stations*.\n"
    )

    idea.refresh_from_db()
    assert (idea.campaign_id, idea.author_id, idea.title, idea.body, idea.status) == (
        campaign.pk, author.pk, "Free water", "Refill *stations*.", Idea.Status.PUBLISHED,
    )  # fmt: skip
    assert idea.body_html == "<p>Refill <em>stations</em>.</p>"
    assert idea.content_hash == hashlib.sha256(b"Free water\n\nRefill *stations*.").hexdigest()
    assert len(idea.content_hash) == 64
    tally = IdeaTally.objects.get(idea=idea)
    assert (tally.campaign_id, tally.upvotes, tally.downvotes, tally.score) == (
        campaign.pk, 0, 0, 0,
    )  # fmt: skip
    entry = LedgerEntry.objects.get(user=author)
    assert (entry.points, entry.reason, entry.idea_id, entry.event_key) == (
        10, "idea_published", idea.pk, f"idea_published:{idea.pk}",
    )  # fmt: skip
    assert points_total(user=author) == 10


def test_each_idea_pays_its_own_points_once():
    author, campaign = UserFactory(), CampaignFactory()

    first = idea_submit(author=author, campaign=campaign, title="One", body="First.")
    second = idea_submit(author=author, campaign=campaign, title="Two", body="Second.")

    assert sorted(
        LedgerEntry.objects.filter(user=author).values_list("event_key", "points")
    ) == sorted([(f"idea_published:{first.pk}", 10), (f"idea_published:{second.pk}", 10)])
    assert points_total(user=author) == 20


def test_the_same_text_twice_gives_the_same_receipt_hash():
    campaign = CampaignFactory()

    # Two authors: the same author's second copy is refused (tests/test_rate_limits.py).
    first = idea_submit(author=UserFactory(), campaign=campaign, title="Same", body="Words.")
    second = idea_submit(author=UserFactory(), campaign=campaign, title="Same", body="Words.")

    assert first.content_hash == second.content_hash
    assert first.content_hash == hashlib.sha256(b"Same\n\nWords.").hexdigest()


def test_submit_renders_markdown_and_sanitises_the_body():
    body = (
        "## Plan\n\n"
        "**Bold** and [a link](https://example.org/x).\n\n"
        "<script>alert('x')</script>\n\n"
        '<img src="x" onerror="alert(1)">\n\n'
        "[bad](javascript:alert(1))"
    )

    idea = idea_submit(author=UserFactory(), campaign=CampaignFactory(), title="T", body=body)

    html = idea.body_html
    assert "<h2>Plan</h2>" in html
    assert "<strong>Bold</strong>" in html
    assert '<a href="https://example.org/x" rel="noopener noreferrer nofollow">a link</a>' in html
    assert "<script" not in html
    assert "<img" not in html
    assert "javascript:" not in html
    tags = tags_in(html)
    assert {tag for tag, _attrs in tags} == {"h2", "p", "strong", "a"}
    # No element carries an event handler: the raw HTML only survives as escaped text.
    assert all(not name.startswith("on") for _tag, attrs in tags for name in attrs)
    assert "&lt;script&gt;" in html
    assert idea.content_hash == hashlib.sha256(f"T\n\n{body}".encode()).hexdigest()


def test_an_unverified_author_is_refused_and_nothing_is_written():
    author = UserFactory(verified=False)

    with pytest.raises(NotAllowed) as raised:
        idea_submit(author=author, campaign=CampaignFactory(), title="T", body="B")

    assert (raised.value.status_code, raised.value.code) == (403, "permission_denied")
    assert raised.value.message == "Please verify your email address before submitting an idea."
    assert nothing_written(author)


@pytest.mark.parametrize(
    "make_campaign",
    [
        closed_campaign,
        voting_only_campaign,
        upcoming_campaign,
        lambda: CampaignFactory(is_published=False),
    ],
    ids=["closed", "voting-only", "upcoming", "unpublished"],
)
def test_a_campaign_not_open_for_ideas_refuses_them_and_nothing_is_written(make_campaign):
    author = UserFactory()

    with pytest.raises(Conflict) as raised:
        idea_submit(author=author, campaign=make_campaign(), title="T", body="B")

    assert (raised.value.status_code, raised.value.code) == (409, "conflict")
    assert raised.value.message == "This campaign is not accepting ideas at the moment."
    assert nothing_written(author)


@pytest.mark.parametrize(
    ("title", "body", "field"),
    [("", "Body", "title"), ("   \n", "Body", "title"), ("Title", "", "body"),
     ("Title", " \t ", "body")],
)  # fmt: skip
def test_an_empty_title_or_body_is_refused_and_nothing_is_written(title, body, field):
    author = UserFactory()

    with pytest.raises(ApplicationError) as raised:
        idea_submit(author=author, campaign=CampaignFactory(), title=title, body=body)

    assert type(raised.value) is ApplicationError
    assert (raised.value.status_code, raised.value.field) == (400, field)
    assert nothing_written(author)


# --- idea_hide ----------------------------------------------------------------------------


def test_a_moderator_hides_an_idea_and_its_author_is_told_why_once(moderator):
    idea = IdeaFactory(title="Buy more ads")
    before = timezone.now()

    hidden = idea_hide(idea=idea, moderator=moderator, reason="  Advertising  ")
    again = idea_hide(idea=idea, moderator=moderator, reason="Another reason")

    idea.refresh_from_db()
    assert (idea.status, idea.hidden_reason, idea.hidden_by_id) == (
        Idea.Status.HIDDEN, "Advertising", moderator.pk,
    )  # fmt: skip
    assert idea.hidden_at >= before
    assert hidden.pk == again.pk == idea.pk
    notification = Notification.objects.get()
    assert (notification.recipient_id, notification.kind, notification.url) == (
        idea.author_id, Notification.Kind.IDEA_HIDDEN, f"/ideas/{idea.pk}/",
    )  # fmt: skip
    assert notification.params == {"title": "Buy more ads", "reason": "Advertising"}
    assert notification.message == (
        "Your idea “Buy more ads” was hidden by a moderator. Reason: Advertising"
    )


def test_a_superuser_can_hide_an_idea():
    idea = IdeaFactory()
    superuser = UserFactory(is_superuser=True, is_staff=True)

    idea_hide(idea=idea, moderator=superuser, reason="Off topic")

    idea.refresh_from_db()
    assert idea.status == Idea.Status.HIDDEN
    assert Notification.objects.filter(recipient=idea.author).count() == 1


@pytest.mark.parametrize("role", ["contributor", "author", "staff", "brand_analyst"])
def test_a_non_moderator_cannot_hide_an_idea_and_nothing_changes(role):
    from tests.factories import BrandMembershipFactory

    idea = IdeaFactory()
    user = {
        "contributor": lambda: UserFactory(),
        "author": lambda: idea.author,
        "staff": lambda: UserFactory(is_staff=True),
        "brand_analyst": lambda: (
            BrandMembershipFactory(brand=idea.campaign.brand, role="analyst").user
        ),
    }[role]()

    with pytest.raises(NotAllowed) as raised:
        idea_hide(idea=idea, moderator=user, reason="Spam")

    assert raised.value.status_code == 403
    idea.refresh_from_db()
    assert (idea.status, idea.hidden_reason, idea.hidden_at, idea.hidden_by_id) == (
        Idea.Status.PUBLISHED, "", None, None,
    )  # fmt: skip
    assert Notification.objects.count() == 0


@pytest.mark.parametrize("reason", ["", "   ", "\n\t"])
def test_hiding_without_a_reason_is_refused_and_nothing_changes(moderator, reason):
    idea = IdeaFactory()

    with pytest.raises(ApplicationError) as raised:
        idea_hide(idea=idea, moderator=moderator, reason=reason)

    assert (raised.value.status_code, raised.value.field) == (400, "reason")
    idea.refresh_from_db()
    assert (idea.status, idea.hidden_at) == (Idea.Status.PUBLISHED, None)
    assert Notification.objects.count() == 0


def test_unhide_restores_the_idea(moderator):
    idea = IdeaFactory()
    idea_hide(idea=idea, moderator=moderator, reason="Spam")

    restored = idea_unhide(idea=idea, moderator=moderator)

    assert (restored.status, restored.hidden_at, restored.hidden_by_id) == (
        Idea.Status.PUBLISHED, None, None,
    )  # fmt: skip


def test_unhide_by_a_non_moderator_is_refused(moderator):
    idea = IdeaFactory()
    idea_hide(idea=idea, moderator=moderator, reason="Spam")

    with pytest.raises(NotAllowed):
        idea_unhide(idea=idea, moderator=UserFactory())

    idea.refresh_from_db()
    assert idea.status == Idea.Status.HIDDEN


# --- a hidden idea disappears from every door ---------------------------------------------


def test_a_hidden_idea_disappears_from_the_campaign_page_and_the_api(client, moderator):
    campaign = CampaignFactory()
    kept = IdeaFactory(campaign=campaign, title="Kept idea")
    hidden = IdeaFactory(campaign=campaign, title="Hidden idea")
    page = client.get(f"/campaigns/{campaign.slug}/")
    assert "Hidden idea" in page.content.decode()

    idea_hide(idea=hidden, moderator=moderator, reason="Spam")

    page = client.get(f"/campaigns/{campaign.slug}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Kept idea" in html
    assert "Hidden idea" not in html
    assert f"/ideas/{hidden.pk}/" not in html

    from rest_framework.test import APIClient

    api = APIClient()
    listing = api.get(f"/api/v1/campaigns/{campaign.slug}/ideas/")
    assert listing.status_code == 200
    assert [item["id"] for item in listing.json()["results"]] == [kept.pk]
    assert listing.json()["count"] == 1

    detail = api.get(f"/api/v1/ideas/{hidden.pk}/")
    assert detail.status_code == 404
    assert api.get(f"/api/v1/ideas/{kept.pk}/").status_code == 200

    campaign_json = api.get(f"/api/v1/campaigns/{campaign.slug}/").json()
    assert campaign_json["idea_count"] == 1
