from django import forms
from django.utils.html import format_html
from django.utils.translation import gettext as _

from core.errors import ApplicationError, Duplicate


def apply_service_error(form: forms.Form, error: ApplicationError) -> None:
    """Show a service's refusal on the form: on its field if it names one the form has. A
    duplicate links to the first one."""
    field = error.field if error.field in form.fields else None
    message = error.message
    if isinstance(error, Duplicate) and hasattr(error.existing, "get_absolute_url"):
        message = format_html(
            '{} <a href="{}" data-testid="duplicate-link">{}</a>',
            error.message,
            error.existing.get_absolute_url(),
            _("See it"),
        )
    form.add_error(field, message)
