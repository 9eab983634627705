"""Pages of a campaign's idea list by cursor (voting/selectors.py idea_page, core/keyset.py):
each order has an index that serves its cursor, paging visits every idea once whatever
the ties, a new idea never pushes one off a page, and a forged cursor is no cursor."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.keyset import cursor_decode, cursor_encode, direction, ordering_fields
from ideas.models import Idea
from ideas.services import idea_submit
from tests.factories import CampaignFactory, IdeaFactory, UserFactory
from voting.models import IdeaTally
from voting.orders import ORDERS, apply_order, order_fields
from voting.selectors import idea_list_ordered, idea_page, idea_page_cursor, idea_page_position

pytestmark = pytest.mark.django_db

TALLY_ORDERS = [name for name in ORDERS if name not in ("newest", "random")]


def _index_fields(model, fields: list[str]) -> bool:
    return any(list(index.fields) == fields for index in model._meta.indexes)


@pytest.mark.parametrize("name", [name for name in ORDERS if name != "random"])
def test_each_order_has_one_direction_and_an_index_on_its_whole_key(name):
    ordering = order_fields(name)
    assert direction(ordering) is True  # all descending: one row comparison
    if name == "newest":
        assert ordering == ("-created_at", "-id")
        assert _index_fields(Idea, ["campaign", "-created_at", "-id"])
    else:
        # "-tally__score" is the tally's "-score"; its tie-breaker, the idea, its key.
        columns = [field.replace("tally__", "").replace("idea_id", "idea") for field in ordering]
        assert columns[-1] == "-idea"
        assert _index_fields(IdeaTally, ["campaign", *columns]), name


def _campaign_with_ties(count: int):
    """Ideas whose tallies tie in every way the orders can: the id must break them."""
    campaign = CampaignFactory(voting_method="updown")
    ideas = [IdeaFactory(campaign=campaign) for _ in range(count)]
    for index, idea in enumerate(ideas):
        up = index % 3  # three groups of equal counts
        IdeaTally.objects.filter(idea=idea).update(
            upvotes=up, score=up, wilson_lower_bound=up / 10, hot_score=float(up),
            controversy=0.0, method_score=0.0, exposure_score=0.0,
        )  # fmt: skip
    same_time = timezone.now() - timedelta(hours=1)  # and two of them posted together
    Idea.objects.filter(pk__in=[ideas[3].pk, ideas[4].pk]).update(created_at=same_time)
    return campaign


def _walk(campaign, order, *, size):
    """Every page from the first, each opened by the previous one's next cursor."""
    position = idea_page_position(campaign=campaign, order=order)
    seen, pages = [], 0
    while True:
        page = idea_page(campaign=campaign, position=position, seed="s", size=size)
        seen += [idea.pk for idea in page.ideas]
        pages += 1
        if page.next_cursor is None:
            return seen, pages
        position = idea_page_position(campaign=campaign, order=order, after=page.next_cursor)


@pytest.mark.parametrize("order", ["top", "score", "newest", "hot", "controversial", "random"])
def test_paging_by_cursor_visits_every_idea_once_in_the_list_order(order):
    campaign = _campaign_with_ties(17)
    queryset, name = idea_list_ordered(campaign=campaign, order=order, seed="s")
    assert name == order
    expected = list(queryset.values_list("pk", flat=True))

    seen, pages = _walk(campaign, order, size=5)

    assert seen == expected and len(seen) == 17
    assert pages == 4


def test_a_page_is_one_query_and_the_previous_cursor_gives_the_page_before():
    campaign = _campaign_with_ties(12)
    first = idea_page(campaign=campaign, position=idea_page_position(campaign=campaign), size=5)
    after = idea_page_position(campaign=campaign, after=first.next_cursor)
    with CaptureQueriesContext(connection) as queries:
        second = idea_page(campaign=campaign, position=after, size=5)
    assert len(queries) == 1
    assert first.previous_cursor is None and first.number == 1
    assert second.number is None and second.previous_cursor is not None

    back = idea_page(
        campaign=campaign,
        position=idea_page_position(campaign=campaign, before=second.previous_cursor),
        size=5,
    )

    assert [idea.pk for idea in back.ideas] == [idea.pk for idea in first.ideas]
    assert back.previous_cursor is None and back.next_cursor == first.next_cursor


def test_before_the_second_page_of_a_short_first_page_is_the_full_first_page():
    campaign = _campaign_with_ties(12)
    first = idea_page(campaign=campaign, position=idea_page_position(campaign=campaign), size=5)
    second = idea_page(
        campaign=campaign,
        position=idea_page_position(campaign=campaign, after=first.next_cursor),
        size=5,
    )
    # Two ideas of the first page are hidden: five rows no longer precede the second page.
    Idea.objects.filter(pk__in=[first.ideas[0].pk, first.ideas[1].pk]).update(status="hidden")

    back = idea_page(
        campaign=campaign,
        position=idea_page_position(campaign=campaign, before=second.previous_cursor),
        size=5,
    )

    assert len(back.ideas) == 5 and back.previous_cursor is None and back.number == 1
    assert [idea.pk for idea in back.ideas][:3] == [idea.pk for idea in first.ideas[2:]]


@pytest.mark.parametrize("order", ["newest", "top"])
def test_a_new_idea_never_pushes_one_off_the_next_page(client, order):
    campaign = _campaign_with_ties(60)
    url = f"/campaigns/{campaign.slug}/?order={order}"
    queryset, _name = idea_list_ordered(campaign=campaign, order=order)
    before = list(queryset.values_list("pk", flat=True))
    first = client.get(url).content.decode()
    next_url = re.search(r'href="(\?order=[^"]+&amp;after=[^"]+)"', first).group(1)
    assert _ids(first) == before[:50]

    # Published on top of "newest", among the ties of "top" (no votes, the newest id).
    new = idea_submit(author=UserFactory(), campaign=campaign, title="Late", body="Late.")
    second = client.get(f"/campaigns/{campaign.slug}/" + next_url.replace("&amp;", "&"))

    assert second.status_code == 200
    assert _ids(second.content.decode()) == before[50:]  # right after page 1's last idea
    assert new.pk not in _ids(second.content.decode())


def _ids(html: str) -> list[int]:
    return [
        int(pk) for pk in re.findall(r'<h3 class="idea-row__title"><a href="/ideas/(\d+)/"', html)
    ]


@pytest.mark.parametrize(
    "cursor",
    [
        "", "x", "!!!!", "W10", cursor_encode([1, 2]), cursor_encode(["a", "b", "c"]),
        cursor_encode([True, 1, 2]), cursor_encode([None, 1, 2]), cursor_encode([[1], 1, 2]),
        cursor_encode([1e308 * 10, 1, 2]), cursor_encode([0.5, 1, 2**70]),
        cursor_encode([0.5, "1", "x"]), "A" * 5000, "%00",
    ],
)  # fmt: skip
def test_a_cursor_that_is_not_a_key_of_the_order_is_the_first_page(client, cursor):
    campaign = _campaign_with_ties(7)
    position = idea_page_position(campaign=campaign, order="top", after=cursor, before=cursor)
    assert position.after is None and position.before is None and position.number == 1
    page = client.get(f"/campaigns/{campaign.slug}/", {"order": "top", "after": cursor})
    assert page.status_code == 200 and len(_ids(page.content.decode())) == 7


def test_a_newest_cursor_holds_an_aware_time_and_a_naive_one_is_refused():
    campaign = _campaign_with_ties(5)
    fields = ordering_fields(apply_order(Idea.objects.none(), "newest"), order_fields("newest"))
    when = timezone.now()
    assert cursor_decode(cursor_encode([when, 5]), fields) == [when, 5]
    assert cursor_decode(cursor_encode([when.replace(tzinfo=None), 5]), fields) is None
    assert idea_page_position(campaign=campaign, order="newest", after="bad").after is None


def test_the_cursor_of_a_deep_page_is_the_one_the_pages_lead_to():
    campaign = _campaign_with_ties(23)
    position = idea_page_position(campaign=campaign, order="top")
    for _ in range(3):  # pages 2, 3 and 4, by their links
        page = idea_page(campaign=campaign, position=position, size=5)
        position = idea_page_position(campaign=campaign, order="top", after=page.next_cursor)
    assert idea_page_cursor(campaign=campaign, order="top", number=4, size=5) == cursor_encode(
        position.after
    )
    assert idea_page_cursor(campaign=campaign, order="top", number=1, size=5) is None
    assert idea_page_cursor(campaign=campaign, order="top", number=99, size=5) is None


def test_a_cursor_page_is_read_from_the_order_index():
    """The row comparison is an index condition (where the scan starts), not a filter
    over every row before the cursor: page 1,000 reads as few entries as page 1."""
    campaign = CampaignFactory(voting_method="updown")
    author = UserFactory()
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO ideas_idea (created_at, updated_at, title, body, body_html, status,
                   hidden_reason, content_hash, author_id, campaign_id, image, is_candidate,
                   answer)
               SELECT now() - (g || ' seconds')::interval, now(), 'Idea ' || g, 'B', '<p>B</p>',
                   'published', '', md5(g::text) || md5(g::text), %s, %s, '', false, ''
               FROM generate_series(1, 3000) g""",
            [author.pk, campaign.pk],
        )  # fmt: skip
        cursor.execute(
            """INSERT INTO voting_ideatally (idea_id, campaign_id, upvotes, downvotes, score,
                   wilson_lower_bound, highest_milestone, rating_sum, method_score, hot_score,
                   controversy, support_stage, support_status, exposure_score, impressions)
               SELECT id, campaign_id, id %% 5, 0, id %% 5, (id %% 5) / 10.0, 0, 0, 0, 0, 0, 0,
                   'active', 0, 0
               FROM ideas_idea WHERE campaign_id = %s""",
            [campaign.pk],
        )  # fmt: skip
        cursor.execute("ANALYZE ideas_idea")
        cursor.execute("ANALYZE voting_ideatally")
    deep = idea_page_cursor(campaign=campaign, order="top", number=50)
    position = idea_page_position(campaign=campaign, order="top", after=deep)
    with CaptureQueriesContext(connection) as queries:
        page = idea_page(campaign=campaign, position=position)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + queries[0]["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert len(page.ideas) == 50
    assert re.search(r"Index Scan using tally_order_top .*\n\s+Index Cond: .*ROW\(", plan), plan
