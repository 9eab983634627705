"""The precise reason someone may not take part in a campaign, for the services to raise
(the predicate `campaigns.rules.is_eligible_for_campaign` answers yes or no)."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from campaigns.rules import is_invited_participant
from core.errors import Conflict, NotAllowed


def check_eligible(*, user, campaign) -> None:
    """Raise NotAllowed (code "not_eligible") unless `user` meets the campaign's account
    age and invitation list. The verified email is checked by each service first."""
    days = campaign.minimum_account_age_days
    if days and timezone.now() - user.date_joined < timedelta(days=days):
        raise NotAllowed(
            ngettext(
                "This campaign is open to accounts at least %(days)d day old.",
                "This campaign is open to accounts at least %(days)d days old.",
                days,
            )
            % {"days": days},
            code="not_eligible",
        )
    if campaign.is_invitation_only and not is_invited_participant(
        user.email, campaign.invited_participants
    ):
        raise NotAllowed(
            _("This campaign is open to invited participants only."), code="not_eligible"
        )


def check_votes_public(*, campaign) -> None:
    """A private campaign's ideas are seen only by their authors and the brand, so the crowd
    cannot vote on them: no vote, ballot or comparison (a comparison would show two of
    them). Raises Conflict (code "private_campaign")."""
    if campaign.is_private:
        raise Conflict(
            _("This campaign's ideas are private: the brand judges them, the crowd does not vote."),
            code="private_campaign",
        )
