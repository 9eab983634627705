"""Cleaning of the short texts shown as one line: titles, names, display names.

A title is shown in lists, page headings, notifications and e-mails, next to text that
others wrote. Bidirectional controls such as U+202E RIGHT-TO-LEFT OVERRIDE reorder what
follows them ("Idea" + U+202E + "gnp.exe" reads "Ideaexe.png"), and invisible characters
make two titles or names look the same while they differ. None of them is needed in a
one-line title, so they are removed before the text is stored.

Kept on purpose: U+200C ZERO WIDTH NON-JOINER and U+200D ZERO WIDTH JOINER, which Persian,
the Indic scripts and emoji sequences (family, professions, skin tones) need.
"""

import re
import unicodedata

from django.utils.translation import gettext as _

from core.errors import ApplicationError

# Bidirectional embeddings, overrides, isolates and marks (the "Trojan Source" set):
# U+202A-U+202E, U+2066-U+2069, U+200E, U+200F, U+061C.
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
# Characters that take no space and draw nothing: zero width space, word joiner and the
# invisible operators, byte order mark, soft hyphen, combining grapheme joiner, Mongolian
# vowel separator, Hangul fillers, interlinear annotation marks, and the tag characters
# (U+E0000-U+E007F), which can carry hidden ASCII text.
INVISIBLE = (
    "\u200b\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad\u034f\u180e"
    "\u115f\u1160\u3164\uffa0\ufff9\ufffa\ufffb"
)
_REMOVED = re.compile(f"[{BIDI_CONTROLS}{INVISIBLE}\U000e0000-\U000e007f]")
# Control characters (C0, DEL, C1): a one-line text has no tab, newline or NUL.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_SPACES = re.compile(r"\s+")


def clean_single_line(value: str | None) -> str:
    """`value` as one clean line: NFC-normalised, without bidirectional controls or
    invisible characters, control characters turned into spaces, runs of white space made
    one space, and stripped. May return "" (the caller refuses an empty title)."""
    if not value:
        return ""
    text = unicodedata.normalize("NFC", str(value))
    text = _REMOVED.sub("", text)
    text = _CONTROLS.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def check_cleaned_length(value: str, *, max_length: int, field: str) -> None:
    """Raise ApplicationError on `field` when `value` (a text `clean_single_line` returned)
    is longer than `max_length`. A form or serializer checks the length of what was sent,
    but NFC can lengthen a text (U+FB2C, one Hebrew presentation form, becomes three
    characters), and PostgreSQL refuses an over-long value with a 500: the service checks
    again what it is about to store."""
    if len(value) > max_length:
        raise ApplicationError(
            _("Keep this to %(count)d characters or fewer.") % {"count": max_length},
            field=field,
            code="too_long",
        )
