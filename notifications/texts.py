"""The text of a notification: one template per kind (templates/notifications/kinds/), in
the reader's language, rendered when shown from the parameters stored with it."""

from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string

# Parameters a kind's template may read that an older row may lack.
DEFAULTS = {"title": "", "count": 0, "reason": "", "answer": "", "prize": ""}


def template_name(kind: str) -> str:
    return f"notifications/kinds/{kind}.txt"


def notification_text(*, kind: str, params: dict, fallback: str = "") -> str:
    """The kind's template rendered with `params`, as plain text (the page that shows it
    escapes it); `fallback` for a kind without a template."""
    try:
        return render_to_string(template_name(kind), {**DEFAULTS, **params}).strip()
    except TemplateDoesNotExist:
        return fallback
