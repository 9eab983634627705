"""The generation of a campaign's idea list: a token that changes when an idea enters or
leaves the list (submitted, approved, hidden), so that the rendered lists shared between
visitors (campaigns/views/idea_list.py) are dropped at once rather than at the end of
their short life. Tallies need no token: a shared list lives one tally interval, the time
the workers take to recount anyway (docs/decisions/0015-shared-idea-list.md)."""

import logging
import secrets

from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

# Longer than any shared list lives; a token lost earlier (evicted) only costs a render.
GENERATION_SECONDS = 24 * 3600


def idea_list_generation_key(campaign_id: int) -> str:
    """The cache key of the campaign's token (read with the shared list, in one call)."""
    return f"idea-list-generation:{campaign_id}"


def idea_list_changed(*, campaign_id: int) -> None:
    """A new token now and again after commit: a list rendered by another request between
    the two, from rows that did not show the change yet, is dropped too. Best effort: a
    cache that cannot be reached never fails the write (a shared list still ends with its
    life)."""

    def renew() -> None:
        try:
            cache.set(
                idea_list_generation_key(campaign_id), secrets.token_hex(8), GENERATION_SECONDS
            )
        except Exception:  # the cache is down: the lists it holds cannot be read either
            logger.warning("could not renew the idea list generation of campaign %s", campaign_id)

    renew()
    transaction.on_commit(renew)
