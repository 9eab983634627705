"""allauth's signals are its integration point for "the password changed": the one receiver
here hands them to the token service. No rule lives here."""

from allauth.account import signals as allauth_signals
from django.dispatch import receiver

from accounts import tokens


@receiver(allauth_signals.password_changed, dispatch_uid="accounts_tokens_password_changed")
@receiver(allauth_signals.password_set, dispatch_uid="accounts_tokens_password_set")
@receiver(allauth_signals.password_reset, dispatch_uid="accounts_tokens_password_reset")
def revoke_api_tokens_on_password_change(sender, user, signal, **kwargs):
    """A new password revokes every API token: whoever held the old password may have made
    one."""
    reasons = {
        allauth_signals.password_changed: "password changed",
        allauth_signals.password_set: "password set",
        allauth_signals.password_reset: "password reset",
    }
    tokens.api_tokens_revoke_all(user=user, reason=reasons.get(signal, "password changed"))
