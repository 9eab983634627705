"""The registry of voting formats: one instance per key, registered by its module.

Format modules call `register` on their class at import; `voting.formats` imports every
module of its package, so a new format is found without being listed anywhere."""

from campaigns.models import Campaign
from voting.formats.base import VotingFormat

_FORMATS: dict[str, VotingFormat] = {}


def register(format_class: type[VotingFormat]) -> type[VotingFormat]:
    """Register one instance of `format_class` under its key (a class decorator). A key
    registered twice is a mistake, not an override."""
    if not format_class.key:
        raise ValueError(f"{format_class.__name__} has no key.")
    if format_class.key in _FORMATS:
        raise ValueError(f"A voting format {format_class.key!r} is registered already.")
    _FORMATS[format_class.key] = format_class()
    return format_class


def unregister(key: str) -> None:
    """Forget the format `key` (tests that register a fake format clean up with it)."""
    _FORMATS.pop(key, None)


def get_format(key: str) -> VotingFormat:
    """The format registered under `key`; KeyError for an unknown key."""
    try:
        return _FORMATS[key]
    except KeyError:
        raise KeyError(f"No voting format {key!r} is registered.") from None


# Campaign.VotingMethod's order, read once: the enum's `values` builds its choices (lazy
# labels included) at every call, and every vote asks for the formats (voting/vote_sql.py).
_ORDER = {key: index for index, key in enumerate(Campaign.VotingMethod.values)}


def _position(fmt: VotingFormat) -> int:
    """The order of Campaign.VotingMethod's choices; formats it does not list come last."""
    return _ORDER.get(fmt.key, len(_ORDER))


def all_formats() -> list[VotingFormat]:
    """Every registered format, in the order of Campaign.VotingMethod's choices (then the
    others, in registration order)."""
    return sorted(_FORMATS.values(), key=_position)


def format_for(campaign) -> VotingFormat:
    """The format of `campaign` (by its voting_method)."""
    return get_format(campaign.voting_method)


def format_keys(predicate=None) -> list[str]:
    """The keys of the formats for which `predicate(format)` holds (all without one), e.g.
    for a `voting_method__in` filter."""
    return [fmt.key for fmt in all_formats() if predicate is None or predicate(fmt)]


def format_choices() -> list[tuple[str, str]]:
    """(key, label) of every format, for a choice field."""
    return [(fmt.key, fmt.label) for fmt in all_formats()]
