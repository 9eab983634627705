"""Foule's django-allauth adapter: remembers which campaign's page led to a sign-up.

An interface module (allauth's hook into its sign-up and login views), so it may read the
campaigns and ideas above accounts; accounts' domain modules never import them."""

import re

from allauth.account.adapter import DefaultAccountAdapter
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.services import email_is_reserved
from campaigns.models import Campaign
from core.ratelimit import client_address
from ideas.models import Idea

# The pages a "Sign up" / "Log in" link on a campaign or idea page sends back to.
CAMPAIGN_PATH = re.compile(r"^/campaigns/(?P<slug>[-\w]+)/")
IDEA_PATH = re.compile(r"^/ideas/(?P<pk>\d+)/")


def campaign_from_next(next_url: str | None):
    """The published campaign a ?next= path belongs to, or None (never raises)."""
    path = (next_url or "").strip()
    if not path.startswith("/") or path.startswith("//"):
        return None
    if match := CAMPAIGN_PATH.match(path):
        return Campaign.objects.filter(slug=match["slug"], is_published=True).first()
    if match := IDEA_PATH.match(path):
        idea = Idea.objects.filter(pk=int(match["pk"])).select_related("campaign").first()
        if idea is not None and idea.campaign.is_published:
            return idea.campaign
    return None


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request):
        """The client address allauth's limits count by: the same as Foule's own limits and
        the API's throttles (X-Forwarded-For only through DJANGO_TRUSTED_PROXY_COUNT
        proxies of ours)."""
        return client_address(request)

    def clean_email(self, email: str) -> str:
        """allauth's hook for every address chosen (sign-up, adding an address): the
        domain of erased accounts' placeholders is reserved (accounts.services)."""
        email = super().clean_email(email)
        if email_is_reserved(email):
            raise forms.ValidationError(
                _("This address cannot be used: enter your own email address."),
                code="reserved_email",
            )
        return email

    def save_user(self, request, user, form, commit=True):
        """allauth's save, plus the display name the sign-up form asks for
        (accounts.forms.SignupForm, already cleaned) and `signed_up_via`: the campaign of
        the sign-up form's `next` (the campaign page's links carry it), for the brand's
        funnel."""
        user = super().save_user(request, user, form, commit=False)
        user.display_name = form.cleaned_data.get("display_name") or user.display_name
        next_url = None
        if request is not None:
            next_url = request.POST.get("next") or request.GET.get("next")
        campaign = campaign_from_next(next_url)
        if campaign is not None:
            user.signed_up_via = campaign
        if commit:
            user.save()
        return user
