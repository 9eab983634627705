"""The orders an idea list can be shown in. Each but "random" reads one indexed column of
the tally (see IdeaTally.Meta.indexes)."""

import hashlib

from django.db.models import CharField, F, QuerySet, Value
from django.db.models.functions import MD5, Cast, Concat
from django.utils.translation import gettext_lazy as _

from voting.formats import get_format

# Each order ends with the idea id (the tally's primary key) so that the tally index of the
# same columns serves it whole: the first page of 100,000 ideas reads 50 index entries.
ORDERS = {
    "top": (_("Top"), ("-tally__wilson_lower_bound", "-tally__score", "-tally__idea_id")),
    "score": (_("Score"), ("-tally__score", "-tally__wilson_lower_bound", "-tally__idea_id")),
    "newest": (_("Newest"), ("-created_at", "-id")),
    "hot": (_("Hot"), ("-tally__hot_score", "-tally__idea_id")),
    "controversial": (_("Controversial"), ("-tally__controversy", "-tally__idea_id")),
    "supported": (_("Most supported"), ("-tally__upvotes", "-tally__idea_id")),
    "rated": (_("Best rated"), ("-tally__method_score", "-tally__upvotes", "-tally__idea_id")),
    "exposure": (_("Most liked per view"), ("-tally__exposure_score", "-tally__idea_id")),
    "random": (_("Random"), None),
}


def order_names(method: str) -> list[str]:
    """The orders the format `method` offers (VotingFormat.orders); the first is its
    default. An unknown method offers "newest" only."""
    try:
        return list(get_format(method).orders)
    except KeyError:
        return ["newest"]


def orders_for(method: str) -> list[tuple[str, str]]:
    return [(name, ORDERS[name][0]) for name in order_names(method)]


def order_name(method: str, requested: str | None, *, counts_visible: bool = True) -> str:
    """The requested order if it fits the method, else the method's default. Under a
    results embargo no order may reveal the counts."""
    allowed = order_names(method)
    if not counts_visible:
        allowed = [name for name in allowed if name in ("newest", "random")]
    return requested if requested in allowed else allowed[0]


# "random" sorts on an annotation (see apply_order): no index, each visitor their own.
RANDOM_ORDERING = ("shuffle", "id")


def order_fields(name: str) -> tuple[str, ...]:
    """The `order_by` of an order: the key a page's cursor holds (core/keyset.py)."""
    return RANDOM_ORDERING if name == "random" else ORDERS[name][1]


def apply_order(queryset: QuerySet, name: str, *, seed: str = "") -> QuerySet:
    """Order `queryset` (of ideas). "random" is stable for one seed: a visitor paging
    through sees each idea once, in the same shuffled order."""
    if name == "random":
        salt = hashlib.sha256(seed.encode()).hexdigest()[:16]
        return queryset.annotate(
            shuffle=MD5(Concat(Cast(F("id"), CharField()), Value(salt)))
        ).order_by(*RANDOM_ORDERING)
    return queryset.order_by(*order_fields(name))
