"""Voting formats: one module per format in this package, each registering a subclass of
voting.formats.base.VotingFormat. Ask the registry, never branch on the method:

    from voting.formats import format_for
    format_for(campaign).validate_vote(campaign=campaign, value=value)

Every module of this package other than `base` and `registry` is imported here (in
alphabetical order, so the registry's order is stable), which registers its format."""

import importlib
import pkgutil

from voting.formats.registry import (
    all_formats,
    format_choices,
    format_for,
    format_keys,
    get_format,
    register,
    unregister,
)

_NOT_FORMATS = {"base", "registry"}

for _module in sorted(pkgutil.iter_modules(__path__), key=lambda module: module.name):
    if _module.name not in _NOT_FORMATS and not _module.name.startswith("_"):
        importlib.import_module(f"{__name__}.{_module.name}")

__all__ = [
    "all_formats",
    "format_choices",
    "format_for",
    "format_keys",
    "get_format",
    "register",
    "unregister",
]
