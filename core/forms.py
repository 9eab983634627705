from django import forms

from core.errors import ApplicationError


def apply_service_error(form: forms.Form, error: ApplicationError) -> None:
    """Show a service's refusal on the form: on its field if it names one the form has."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)
