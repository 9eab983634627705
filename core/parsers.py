"""The API's JSON parser: DRF's, with limits that turn hostile bodies into a 400.

DRF's parser catches ValueError only: a body nested 100,000 levels deep makes `json.loads`
raise RecursionError, which became a 500. Here a body is refused, with a message, when it
is larger than DATA_UPLOAD_MAX_MEMORY_SIZE, nested deeper than MAX_JSON_DEPTH, or holds a
NUL character (PostgreSQL cannot store one in a text column; no field of the API needs it).
"""

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser, get_encoding
from rest_framework.utils import json

from core.middleware import nul_character_message

# No request of the API nests deeper than a few levels; 64 leaves room and bounds the walk.
MAX_JSON_DEPTH = 64


def max_body_size() -> int:
    """Django's own limit for a request body read in memory (2.5 MB by default)."""
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 2_621_440


def check_json_value(value) -> None:
    """Raise ParseError if `value` (parsed JSON) nests deeper than MAX_JSON_DEPTH or holds
    a NUL character in a key or a string. Iterative, so that the check itself never
    recurses."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                raise ParseError(nul_character_message("json"))
        elif isinstance(item, dict | list):
            if depth > MAX_JSON_DEPTH:
                raise ParseError(
                    _("JSON nested deeper than %(depth)d levels is not accepted.")
                    % {"depth": MAX_JSON_DEPTH}
                )
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
            if isinstance(item, dict):
                stack.extend((key, depth + 1) for key in item)


class LimitedJSONParser(JSONParser):
    """JSON with a size limit, a depth limit and no NUL character; each refusal is a
    ParseError (400) with a message, never a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = get_encoding(parser_context)
        if stream is None:
            return None
        limit = max_body_size()
        raw = stream.read(limit + 1)
        if len(raw) > limit:
            raise ParseError(
                _("The request body is larger than %(limit)d bytes.") % {"limit": limit}
            )
        try:
            text = raw.decode(encoding)
            parse_constant = json.strict_constant if self.strict else None
            data = json.loads(text, parse_constant=parse_constant)
        except RecursionError:
            raise ParseError(
                _("JSON nested deeper than %(depth)d levels is not accepted.")
                % {"depth": MAX_JSON_DEPTH}
            ) from None
        except ValueError as error:  # also UnicodeDecodeError
            raise ParseError(_("JSON parse error: %(error)s") % {"error": error}) from None
        check_json_value(data)
        return data
