"""The campaign page's idea list, rendered once and shared between visitors
(campaigns/views/idea_list.py): a fixed number of queries cold and warm, fewer warm, each
visitor's own votes and CSRF token and nobody else's, one list per language, the team
and private campaigns served live, and a list renewed when an idea enters or leaves it."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from campaigns.views.idea_list import CSRF_PLACEHOLDER, SharedList, shared_list_key
from core.redis import get_redis
from ideas.services import idea_hide, idea_submit
from tests.factories import BrandMembershipFactory, CampaignFactory, IdeaFactory, UserFactory
from voting.models import IdeaTally
from voting.selectors import idea_page_position
from voting.services import vote_cast

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _long_interval(settings):
    """A shared list outlives each test (a slow machine takes over a second between two
    requests); the test of its life sets the interval back."""
    settings.FOULE_TALLY_INTERVAL = 60.0


@pytest.fixture
def campaign():
    campaign = CampaignFactory(voting_method="updown")
    for _ in range(12):
        IdeaFactory(campaign=campaign)
    return campaign


def url(campaign, query: str = "") -> str:
    return f"/campaigns/{campaign.slug}/{query}"


def queries_of(client, path: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def widget(html: str, idea) -> str:
    """The vote form of one idea on a page."""
    return re.search(rf'id="vote-{idea.pk}".*?</form>', html, re.S).group(0)


def is_up(html: str, idea) -> bool:
    up = re.search(r"<button[^>]*vote__button--up[^>]*>", widget(html, idea)).group(0)
    return 'aria-pressed="true"' in up


def stored(campaign, query: dict | None = None, suffix: str = ""):
    """The shared list stored for this page in English (suffix ":voted": its widgets
    with a vote)."""
    position = idea_page_position(campaign=campaign, **(query or {}))
    with translation.override("en"):
        return cache.get(shared_list_key(campaign=campaign, position=position) + suffix)


# -- cost -----------------------------------------------------------------------------------


def test_the_page_costs_a_fixed_number_of_queries_cold_and_warm_and_fewer_warm(campaign):
    anonymous, voter = Client(), Client()
    person = UserFactory()
    voter.force_login(person)
    vote_cast(voter=person, idea=campaign.ideas.first(), value=1)

    cold, _html = queries_of(anonymous, url(campaign))
    warm, _html = queries_of(Client(), url(campaign))  # a second visitor: the cache
    signed_in, _html = queries_of(voter, url(campaign))

    assert stored(campaign) is not None
    # Warm, a visitor not signed in costs the campaign's query, as the API list does: the
    # header and the list come from the cache. Cold adds the list's query, the three
    # counts of the campaign's progress (kept 30 s), its result, notices and prizes.
    assert warm == 1
    assert cold - warm == 7
    # Fifty more ideas (and a second page) change nothing: the list is rendered again
    # (an idea was published) with its one query, then shared.
    for _ in range(50):
        IdeaFactory(campaign=campaign)
    assert queries_of(Client(), url(campaign))[0] == warm + 1
    assert queries_of(Client(), url(campaign))[0] == warm
    assert queries_of(voter, url(campaign))[0] == signed_in


def test_the_page_stays_within_its_query_budget(campaign, django_assert_max_num_queries):
    """Not signed in, warm: the campaign; the header and the list come from the cache.
    A signed-in visitor's header is theirs (session, account, rules, result, notices,
    prizes, notifications), and one query gets their votes on the page's ideas."""
    voter = Client()
    voter.force_login(UserFactory())
    with django_assert_max_num_queries(8):
        Client().get(url(campaign))  # cold
    with django_assert_max_num_queries(1):
        Client().get(url(campaign))  # warm
    with django_assert_max_num_queries(19):
        voter.get(url(campaign))  # warm, signed in
    with django_assert_max_num_queries(20):
        voter.get(url(campaign, "?order=newest"))  # cold list, signed in


# -- nothing of one visitor reaches another -------------------------------------------------


def test_each_visitor_sees_their_own_votes_and_nobody_elses(campaign):
    liked, disliked = list(campaign.ideas.all()[:2])
    alice, bob = UserFactory(display_name="Alice Voter"), UserFactory()
    vote_cast(voter=alice, idea=liked, value=1)
    vote_cast(voter=bob, idea=disliked, value=-1)
    alice_client, bob_client = Client(), Client()
    alice_client.force_login(alice)
    bob_client.force_login(bob)

    alice_page = alice_client.get(url(campaign)).content.decode()  # fills the cache
    bob_page = bob_client.get(url(campaign)).content.decode()  # reads it
    anonymous_page = Client().get(url(campaign)).content.decode()

    assert is_up(alice_page, liked) and not is_up(alice_page, disliked)
    assert not is_up(bob_page, liked)
    assert 'aria-pressed="true"' in widget(bob_page, disliked)  # his down vote
    assert 'aria-pressed="true"' not in widget(anonymous_page, liked)
    assert 'aria-pressed="true"' not in widget(anonymous_page, disliked)
    # What is stored holds no vote, no name of a visitor, no token.
    entry, voted = stored(campaign), stored(campaign, suffix=":voted")
    assert isinstance(entry, SharedList) and len(voted) == 2 * len(entry.widgets)  # up, down
    text = "".join(entry.pieces) + "".join(entry.widgets) + "".join(voted.values())
    assert "Alice Voter" not in text and "Log out" not in text
    assert not any('aria-pressed="true"' in widget for widget in entry.widgets)
    assert all('aria-pressed="true"' in widget for widget in voted.values())
    assert (
        re.findall(r'name="csrfmiddlewaretoken" value="([^"]*)"', text)
        == [CSRF_PLACEHOLDER] * len(entry.widgets) * 3
    )  # no vote, up and down, for each idea


def test_a_voter_sees_their_vote_when_the_widgets_with_a_vote_were_dropped(campaign):
    idea = campaign.ideas.first()
    voter = UserFactory()
    vote_cast(voter=voter, idea=idea, value=1)
    Client().get(url(campaign))  # stores the list and its widgets with a vote
    position = idea_page_position(campaign=campaign)
    with translation.override("en"):
        cache.delete(shared_list_key(campaign=campaign, position=position) + ":voted")
    client = Client()
    client.force_login(voter)

    assert is_up(client.get(url(campaign)).content.decode(), idea)
    assert stored(campaign, suffix=":voted") is not None  # both stored again


def test_each_visitor_gets_their_own_csrf_token_and_their_vote_goes_through(campaign):
    idea = campaign.ideas.first()
    Client().get(url(campaign))  # someone else fills the cache
    voter = UserFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(voter)
    html = client.get(url(campaign)).content.decode()
    form = widget(html, idea)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    assert "<!--" not in token
    back = re.search(r'name="next" value="([^"]+)"', form).group(1)

    response = client.post(
        f"/ideas/{idea.pk}/vote/", {"value": "1", "csrfmiddlewaretoken": token, "next": back}
    )

    assert response.status_code == 302 and response["Location"] == url(campaign, "?order=top")
    assert idea.votes.get().voter == voter
    assert is_up(client.get(url(campaign)).content.decode(), idea)


def test_a_french_visitor_gets_the_french_list_and_an_english_one_the_english(campaign):
    english = Client().get(url(campaign)).content.decode()
    french = Client().get(url(campaign), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    english_again = Client().get(url(campaign), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert '<h2 id="ideas-heading">Idées</h2>' in french and "Voter pour cette idée" in french
    assert '<h2 id="ideas-heading">Ideas</h2>' in english_again
    assert "Voter pour cette idée" not in english + english_again


def test_the_return_address_of_a_vote_is_the_page_not_what_the_first_visitor_typed(campaign):
    Client().get(url(campaign, "?order=top&utm_source=<mail>&x=1"))
    html = Client().get(url(campaign, "?order=top")).content.decode()
    assert "utm_source" not in html
    assert f'name="next" value="/campaigns/{campaign.slug}/?order=top"' in html


# -- who shares ------------------------------------------------------------------------------


def test_the_header_is_shared_by_visitors_not_signed_in_and_not_by_the_others(campaign):
    member = BrandMembershipFactory(brand=campaign.brand, role="manager").user
    contributor = UserFactory()
    anonymous = Client().get(url(campaign)).content.decode()  # stores the header
    pages = {}
    for person in (contributor, member):
        client = Client()
        client.force_login(person)
        pages[person] = client.get(url(campaign)).content.decode()
    anonymous_again = Client().get(url(campaign)).content.decode()

    assert "Log in to submit an idea" in anonymous and "Log in to submit" in anonymous_again
    assert 'data-testid="follow-button"' not in anonymous + anonymous_again
    assert "Log in to submit" not in pages[contributor] + pages[member]
    assert 'data-testid="follow-button"' in pages[contributor]
    assert 'data-testid="brand-actions"' in pages[member]
    assert 'data-testid="brand-actions"' not in pages[contributor] + anonymous_again


def test_the_brand_team_gets_a_list_made_for_them_and_stores_none(campaign):
    member = BrandMembershipFactory(brand=campaign.brand, role="moderator").user
    client = Client()
    client.force_login(member)
    assert client.get(url(campaign)).status_code == 200
    assert stored(campaign) is None
    Client().get(url(campaign))
    assert isinstance(stored(campaign), SharedList)


def test_a_private_campaign_shows_each_author_their_own_ideas_however_often_seen():
    campaign = CampaignFactory(is_private=True)
    ann, ben = UserFactory(), UserFactory()
    IdeaFactory(campaign=campaign, author=ann, title="Ann's idea")
    IdeaFactory(campaign=campaign, author=ben, title="Ben's idea")
    pages = {}
    for person in (ann, ben, ann):
        client = Client()
        client.force_login(person)
        pages[person.pk] = client.get(url(campaign)).content.decode()
    anonymous = Client().get(url(campaign)).content.decode()

    assert "Ann&#x27;s idea" in pages[ann.pk] and "Ben&#x27;s idea" not in pages[ann.pk]
    assert "Ben&#x27;s idea" in pages[ben.pk] and "Ann&#x27;s idea" not in pages[ben.pk]
    assert "s idea" not in anonymous
    assert stored(campaign) is None


def test_the_random_order_is_each_visitors_own(campaign):
    first = Client().get(url(campaign, "?order=random"))
    assert first.status_code == 200
    assert stored(campaign, {"order": "random"}) is None


# -- how long it lives -----------------------------------------------------------------------


def test_a_shared_list_lives_one_tally_interval(campaign, settings):
    settings.FOULE_TALLY_INTERVAL = 5.0
    idea = campaign.ideas.first()
    before = Client().get(url(campaign, "?order=newest")).content.decode()
    IdeaTally.objects.filter(idea=idea).update(upvotes=7, score=7)  # a worker's recount

    # Within the interval the count is the one the list was rendered with...
    assert "7 for, 0 against" not in Client().get(url(campaign, "?order=newest")).content.decode()
    assert "7 for, 0 against" not in before
    position = idea_page_position(campaign=campaign, order="newest")
    with translation.override("en"):
        shared_key = shared_list_key(campaign=campaign, position=position)
    # Kept the interval, then at most 10 s more, served stale while one visitor renders it.
    assert 0 < get_redis().pttl(cache.make_key(shared_key)) <= 15_000

    def age_by_the_interval():
        shared = cache.get(shared_key)
        shared.rendered_at -= 5.0
        cache.set(shared_key, shared, 10)

    # Past the interval, while another visitor is already rendering it: the stale list.
    age_by_the_interval()
    cache.add(shared_key + ":refill", 1, 5)
    assert "7 for, 0 against" not in Client().get(url(campaign, "?order=newest")).content.decode()
    # Past the interval, nobody rendering it: this visitor renders it again.
    cache.delete(shared_key + ":refill")
    assert "7 for, 0 against" in Client().get(url(campaign, "?order=newest")).content.decode()


def test_an_idea_published_or_hidden_shows_at_once(campaign):
    moderator = UserFactory(is_staff=True)
    BrandMembershipFactory(brand=campaign.brand, user=moderator, role="moderator")
    assert "Brand new" not in Client().get(url(campaign, "?order=newest")).content.decode()

    new = idea_submit(author=UserFactory(), campaign=campaign, title="Brand new", body="B.")
    assert "Brand new" in Client().get(url(campaign, "?order=newest")).content.decode()

    idea_hide(idea=new, moderator=moderator, reason="Spam")
    html = Client().get(url(campaign, "?order=newest")).content.decode()
    assert "Brand new" not in html and f"/ideas/{new.pk}/" not in html


def test_junk_cursors_share_the_first_pages_entry(campaign):
    Client().get(url(campaign, "?order=top"))
    Client().get(url(campaign, "?order=top&after=junk&before=more"))
    Client().get(url(campaign, "?order=top&page=0"))
    keys = {key.decode() for key in get_redis().scan_iter(match=cache.make_key("idea-list:*"))}
    assert len(keys) == 2  # one list, and its widgets with a vote
    assert len({key.removesuffix(":voted") for key in keys}) == 1
