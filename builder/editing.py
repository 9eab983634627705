"""What every builder step shares: the lock-and-check that guards an edit, the brand's
time zone, text normalising and file clean-up.

Every write checks `can_edit_campaign` (or `can_create_campaign_for_brand` for a new
draft), then takes the campaign's row lock and re-checks that the campaign is still a
draft or a scheduled campaign that has not opened yet: a campaign that opened meanwhile is
changed only by the schedule actions (campaigns/lifecycle.py)."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import transaction
from django.utils.translation import gettext as _

from brands.models import Brand
from campaigns import lifecycle
from campaigns import rules as campaign_rules
from campaigns.models import Campaign
from core.errors import Conflict, NotAllowed

State = Campaign.State


EDITABLE_STATES = (State.DRAFT, State.SCHEDULED)


SCHEDULE_FIELDS = (
    "submission_opens_at",
    "submission_closes_at",
    "voting_opens_at",
    "voting_closes_at",
    "results_at",
)


def brand_zone(brand: Brand) -> ZoneInfo:
    """The brand's time zone (schedules are entered and shown in it); UTC if unknown."""
    try:
        return ZoneInfo(brand.time_zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def normalise(text: str) -> str:
    """Browsers send textareas with CRLF line ends; store LF, without outer blanks."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def locked_for_edit(campaign: Campaign, actor) -> Campaign:
    """The campaign's row, locked, if `actor` may still change it (caller is atomic)."""
    if not campaign_rules.can_edit_campaign(actor, campaign):
        raise NotAllowed(_("Only the brand's owners and managers can edit this campaign."))
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if locked.state not in EDITABLE_STATES or (
        locked.state == State.SCHEDULED and lifecycle.due_state(locked) != State.SCHEDULED
    ):
        raise Conflict(
            _("This campaign has opened: only its schedule can change now."), code="opened"
        )
    return locked


def delete_file_after_commit(field_file) -> None:
    if field_file and field_file.name:
        storage, name = field_file.storage, field_file.name
        transaction.on_commit(lambda: storage.delete(name))


def advance_if_scheduled(campaign: Campaign) -> Campaign:
    """A scheduled campaign whose new dates are already due moves on at once."""
    if campaign.state == State.SCHEDULED:
        return lifecycle.campaign_advance(campaign_id=campaign.pk)
    return campaign
