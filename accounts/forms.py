"""Account forms: the display name asked at sign-up (allauth's ACCOUNT_SIGNUP_FORM_CLASS)
and the confirmation of an account's deletion."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.services import (
    DISPLAY_NAME_MAX_LENGTH,
    DISPLAY_NAME_MIN_LENGTH,
    account_password_check,
    display_name_clean,
)
from core.errors import ApplicationError, RateLimited


class DisplayNameField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Display name"))
        kwargs.setdefault(
            "help_text",
            _("Shown next to your ideas and comments. Your email address is never shown."),
        )
        kwargs.setdefault("max_length", DISPLAY_NAME_MAX_LENGTH)
        kwargs.setdefault("min_length", DISPLAY_NAME_MIN_LENGTH)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("autocomplete", "nickname")

    def clean(self, value):
        value = super().clean(value)
        try:
            return display_name_clean(value)
        except ApplicationError as error:
            raise ValidationError(error.message, code=error.code) from error


class SignupForm(forms.Form):
    """Fields allauth's sign-up form adds (ACCOUNT_SIGNUP_FORM_CLASS). The display name is
    stored by `accounts.adapters.AccountAdapter.save_user`, with the account."""

    display_name = DisplayNameField()

    field_order = ["email", "display_name", "password1", "password2"]

    def signup(self, request, user) -> None:
        """allauth's hook after the account is saved: nothing left to do (the adapter
        saved the display name with it)."""


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label=_("Your current password"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=_("I understand that this cannot be undone."),
        error_messages={"required": _("Tick the box to confirm.")},
    )

    def __init__(self, *args, request, **kwargs):
        self.request = request
        self.rate_limited: RateLimited | None = None
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        try:
            account_password_check(request=self.request, user=self.request.user, password=password)
        except RateLimited as error:
            self.rate_limited = error  # the view answers 429 with Retry-After
            raise ValidationError(error.message, code=error.code) from error
        except ApplicationError as error:
            raise ValidationError(error.message, code=error.code) from error
        return password


class DisplayNameForm(forms.Form):
    display_name = DisplayNameField()
