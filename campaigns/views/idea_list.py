"""The idea list of the campaign page, rendered once and shared between visitors.

Every visitor of a public campaign sees the same list but for their own votes. The list is
rendered for a tally interval (settings.FOULE_TALLY_INTERVAL: no staler a count than the
workers' recount) per campaign, order, page and language, and per what of the campaign
changes the HTML (its state, phase, whether counts are visible, its format, its last edit),
and kept in the cache as parts: the HTML between the vote widgets, each idea's widget
without a vote, and apart, each idea's widget with each vote its format takes. A
visitor's list is then one cache read, one query for their votes on the page's ideas
(none when not signed in), a second read if they voted on one of them, and a join
choosing each idea's widget by their vote: no template rendered. An idea published or
hidden renews the campaign's token (voting/list_cache.py), read in the same cache call,
and the list is rendered again; its widgets are kept apart by content (_widgets), so only
those of ideas whose tally changed are rendered again.

Nothing personal is in the shared parts: they are rendered without the request (no user,
no session, no `request.htmx`); the CSRF token of the vote forms is a placeholder each
visitor's token replaces (it cannot come from an idea's text, which is escaped). The
brand's team and moderators (who may see more), private campaigns (each contributor sees
their own ideas), the per-visitor "random" order and ballot campaigns (a ballot lists every
candidate) get the same rendering, made for them alone and kept nowhere.
Design note: docs/decisions/0015-shared-idea-list.md.
"""

import hashlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.middleware.csrf import get_token
from django.template.loader import get_template, render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from campaigns.models import Campaign
from core.keyset import cursor_encode
from voting.list_cache import idea_list_generation_key
from voting.models import IdeaTally
from voting.orders import orders_for
from voting.selectors import IdeaPage, PagePosition, idea_page, idea_page_position
from voting.selectors import vote_values_for_ideas as votes_on

IDEAS_PER_PAGE = 50
# Markers that escaped text cannot contain ("<" is always escaped in an idea's title).
VOTE_SLOT = mark_safe("<!--vote-slot-->")
CSRF_PLACEHOLDER = mark_safe("<!--csrf-token-->")
# A list is fresh for a tally interval, then served stale for at most this long while one
# visitor renders it again (REFILL_SECONDS: how long that visitor may take before another
# tries).
STALE_SECONDS = 10
REFILL_SECONDS = 5
# Bumped when the shape of SharedList or of the templates changes: older entries are not read.
FORMAT_VERSION = 3
# How long a rendered vote widget is kept (see _widgets); its key names all it shows but
# the clock (a supporter deadline's "in 3 days"), which this bounds.
WIDGET_SECONDS = 60
# Every column of the tally: a widget's key changes with any figure it may show.
TALLY_FIELDS = IdeaTally._meta.concrete_fields


@dataclass
class SharedList:
    """A rendered list: `pieces` are the HTML around the widgets (one more than ideas),
    `widgets` each idea's widget as shown without a vote. The widgets with a vote are
    kept apart (`voted`, {(idea id, vote): widget}; see _shared): a visitor with no vote
    on the page never reads them."""

    idea_ids: list[int]
    pieces: list[str]
    widgets: list[str]
    generation: str | None = None
    rendered_at: float = 0.0

    def html(self, *, csrf_token: str, my_votes=None, voted=None) -> SafeString:
        out = [self.pieces[0]]
        for idea_id, widget, piece in zip(
            self.idea_ids, self.widgets, self.pieces[1:], strict=True
        ):
            vote = (my_votes or {}).get(idea_id, 0)
            # A vote the format no longer takes shows as none (as the buttons render it).
            out.append((voted or {}).get((idea_id, vote), widget) if vote else widget)
            out.append(piece)
        # Pieces and widgets are autoescaped template output; the token is [A-Za-z0-9].
        return mark_safe("".join(out).replace(CSRF_PLACEHOLDER, csrf_token))  # noqa: S308


@dataclass
class IdeaList:
    """What the campaign page shows: the list's HTML and the ideas on it (impressions)."""

    html: SafeString
    idea_ids: list[int]


def page_number(request) -> int:
    try:
        return int(request.GET.get("page", "1"))
    except ValueError:
        return 1


def idea_list_for_visitor(
    request, *, campaign: Campaign, voting_format, is_team: bool, seed: str
) -> IdeaList:
    """The idea list for this request: the shared one with the visitor's votes, or one
    rendered for them alone (see the module's doc for who)."""
    position = idea_page_position(
        campaign=campaign, order=request.GET.get("order"), after=request.GET.get("after"),
        before=request.GET.get("before"), number=page_number(request),
    )  # fmt: skip
    is_shared = (
        campaign.is_published
        and not campaign.is_private
        and not is_team
        and position.order != "random"
        and not voting_format.uses_ballots
    )
    if is_shared:
        key = shared_list_key(campaign=campaign, position=position)
        rendered = _shared(key, campaign=campaign, voting_format=voting_format, position=position)
        my_votes = votes_on(voter=request.user, ideas=rendered.idea_ids)
        voted = cache.get(key + ":voted") if any(my_votes.values()) else {}
        if voted is None:  # gone before the list: render both again
            cache.delete(key)
            rendered = _shared(
                key, campaign=campaign, voting_format=voting_format, position=position
            )
            voted = cache.get(key + ":voted") or {}
        html = rendered.html(csrf_token=get_token(request), my_votes=my_votes, voted=voted)
    else:
        page = idea_page(
            campaign=campaign, position=position, seed=seed, viewer=request.user,
            size=IDEAS_PER_PAGE,
        )  # fmt: skip
        my_votes = votes_on(voter=request.user, ideas=[idea.pk for idea in page.ideas])
        rendered, _voted = render_list(
            campaign=campaign, page=page, here=position_query(position),
            shown_vote=lambda idea: my_votes.get(idea.pk, 0), other_votes=(),
        )  # fmt: skip
        html = rendered.html(csrf_token=get_token(request))
    return IdeaList(html=html, idea_ids=rendered.idea_ids)


def ballot_idea_list(request, *, campaign: Campaign, ideas: list, order: str) -> IdeaList:
    """Every candidate of a ballot campaign, on one page, for this visitor alone."""
    page = IdeaPage(ideas=ideas, order=order, next_cursor=None, previous_cursor=None, number=None)
    rendered, _voted = render_list(
        campaign=campaign, page=page, here="", shown_vote=lambda idea: 0, other_votes=()
    )
    html = rendered.html(csrf_token=get_token(request))
    return IdeaList(html=html, idea_ids=rendered.idea_ids)


def _shared(key: str, *, campaign: Campaign, voting_format, position: PagePosition) -> SharedList:
    """The shared list at `position`, from the cache when it holds one of the campaign's
    current generation, else rendered and stored for a tally interval with its widgets
    for each vote the format takes (under `key` + ":voted")."""
    generation_key = idea_list_generation_key(campaign.pk)
    found = cache.get_many([key, generation_key])
    generation = found.get(generation_key)
    rendered = found.get(key)
    lifetime = max(1.0, settings.FOULE_TALLY_INTERVAL)
    current = isinstance(rendered, SharedList) and rendered.generation == generation
    if current and time.time() - rendered.rendered_at < lifetime:
        return rendered
    # Older than a tally interval but of the current generation (no idea published or
    # hidden since): one visitor renders it again while the others keep the stale one a
    # moment, instead of every concurrent visitor rendering the same list at once (which
    # made the page's p99 a second or more under load).
    if current and not cache.add(key + ":refill", 1, REFILL_SECONDS):
        return rendered
    page = idea_page(campaign=campaign, position=position, size=IDEAS_PER_PAGE)
    rendered, voted = render_list(
        campaign=campaign, page=page, here=position_query(position),
        shown_vote=lambda idea: 0, other_votes=sorted(voting_format.vote_values - {0}),
    )  # fmt: skip
    rendered.generation, rendered.rendered_at = generation, time.time()
    cache.set_many({key: rendered, key + ":voted": voted}, lifetime + STALE_SECONDS)
    cache.delete(key + ":refill")
    return rendered


def shared_list_key(*, campaign: Campaign, position: PagePosition) -> str:
    """Everything the shared HTML depends on besides the ideas: the page, and what
    _campaign_parts names."""
    return f"idea-list:{campaign.pk}:{shared_key(campaign, position.key)}"


def shared_key(campaign: Campaign, *parts) -> str:
    """A digest of what HTML shared between visitors shows of the campaign (see
    _campaign_parts) and of `parts`."""
    return _digest([*_campaign_parts(campaign), *parts])


def _campaign_parts(campaign: Campaign) -> list:
    """What of the campaign and the request a list or a widget shows: the language, and
    the campaign's state, phase, counts' visibility, format and last edit (its support
    stages, say)."""
    return [
        FORMAT_VERSION, campaign.pk, get_language(), campaign.state, campaign.phase,
        campaign.are_counts_visible(), campaign.voting_method, campaign.updated_at.isoformat(),
    ]  # fmt: skip


def _digest(parts: list) -> str:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()


def render_list(
    *, campaign: Campaign, page: IdeaPage, here: str, shown_vote: Callable[..., int],
    other_votes: Iterable[int],
) -> tuple[SharedList, dict]:  # fmt: skip
    """The list's HTML around the widgets, each idea's widget with the vote
    `shown_vote(idea)`, and apart, {(idea id, vote): widget} for each of `other_votes`.
    `here` is the page's own query string (where a vote sent without JavaScript comes
    back). Rendered without the request: nothing of the visitor's."""
    context = {
        "ideas": page.ideas,
        "order": page.order,
        "orders": orders_for(campaign.voting_method),
        "page": page,
        "vote_slot": VOTE_SLOT,
        "previous_url": _query(order=page.order, before=page.previous_cursor),
        "next_url": _query(order=page.order, after=page.next_cursor),
    }
    pieces = render_to_string("campaigns/_idea_list.html", context).split(VOTE_SLOT)
    if len(pieces) != len(page.ideas) + 1:
        raise ValueError("campaigns/_idea_list.html must show vote_slot once per idea")
    other_votes = list(other_votes)
    wanted = {idea.pk: [shown_vote(idea), *other_votes] for idea in page.ideas}
    widgets = _widgets(campaign, page.ideas, wanted, campaign.get_absolute_url() + here)
    rendered = SharedList(
        idea_ids=[idea.pk for idea in page.ideas],
        pieces=pieces,
        widgets=[widgets[idea.pk, wanted[idea.pk][0]] for idea in page.ideas],
    )
    voted = {(idea.pk, vote): widgets[idea.pk, vote] for idea in page.ideas for vote in other_votes}
    return rendered, voted


def _widgets(campaign: Campaign, ideas: list, wanted: dict, return_url: str) -> dict:
    """{(idea id, vote value): the idea's vote widget}. A widget shows only its idea, its
    tally, the vote and the campaign, so it is kept under a key made of all of them: a
    list rendered again (every tally interval) renders only the widgets of ideas whose
    tally changed meanwhile, in one cache read and one write. The key also names a period
    of WIDGET_SECONDS, shifted by the idea's id so that a page's widgets are not all
    rendered again in the same second."""
    common = [*_campaign_parts(campaign), return_url]
    now = time.time()
    keys = {}
    for idea in ideas:
        tally = [getattr(idea.tally, field.attname) for field in TALLY_FIELDS]
        period = int((now + idea.pk * 7919 % WIDGET_SECONDS) // WIDGET_SECONDS)
        for value in wanted[idea.pk]:
            keys[idea.pk, value] = "idea-widget:" + _digest(
                [*common, idea.pk, idea.title, value, period, *tally]
            )
    found = cache.get_many(list(keys.values()))
    template = get_template("voting/_vote_widget.html")
    by_pk = {idea.pk: idea for idea in ideas}
    made = {}
    for (pk, value), key in keys.items():
        if key not in found:
            idea = by_pk[pk]
            found[key] = made[key] = template.render({
                "idea": idea, "tally": idea.tally, "my_vote": value,
                "return_url": return_url, "csrf_token": CSRF_PLACEHOLDER,
            })  # fmt: skip
    if made:
        cache.set_many(made, WIDGET_SECONDS + 1)
    return {pair: found[key] for pair, key in keys.items()}


def position_query(position: PagePosition) -> str:
    """The query string that names `position` again."""
    if position.after is not None:
        return _query(order=position.order, after=cursor_encode(position.after))
    if position.before is not None:
        return _query(order=position.order, before=cursor_encode(position.before))
    if position.number > 1:
        return _query(order=position.order, page=position.number)
    return _query(order=position.order)


def _query(*, order: str, **params) -> str:
    """ "?order=...&<param>=..." of the params that are set; "" if one was given and none
    is set (no such page)."""
    present = {name: value for name, value in params.items() if value is not None}
    if params and not present:
        return ""
    return "?" + urlencode({"order": order, **present})
