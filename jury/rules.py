"""Who may do what with a contest's jury. Each rule is written once, as a function that
returns why not (an ApplicationError with its code and message) or None; the `rules`
predicates (templates, views) and the services' checks (which raise the same error) both
come from it, so a page never offers what the service then refuses."""

import rules
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.rules import is_verified
from campaigns.rules import is_campaign_editable, is_campaign_manager
from core.errors import ApplicationError, Conflict, NotAllowed
from ideas.models import Idea
from jury.models import Juror

# The format whose campaigns have a jury (voting/formats/contest.py).
JURY_FORMAT = "contest"


def has_jury(campaign) -> bool:
    return campaign is not None and campaign.voting_method == JURY_FORMAT


def is_jury_open(campaign, now=None) -> bool:
    """Jurors join and score from the launch until voting closes."""
    if campaign is None or not campaign.is_published or campaign.state == "archived":
        return False
    closes = campaign.voting_closes_at
    return closes is None or (now or timezone.now()) < closes


def active_juror(user, campaign) -> Juror | None:
    """The user's seat on the campaign's jury (one query, remembered for the request)."""
    if not user or not user.is_authenticated or campaign is None:
        return None
    cache = user.__dict__.setdefault("_foule_jury_seats", {})
    if campaign.pk not in cache:
        cache[campaign.pk] = Juror.objects.filter(
            campaign=campaign, user=user, removed_at__isnull=True
        ).first()
    return cache[campaign.pk]


def forget_seats(user) -> None:
    """Drop the remembered seats (after a juror is added or removed in the request)."""
    if user is not None:
        user.__dict__.pop("_foule_jury_seats", None)


# -- why not -------------------------------------------------------------------------------


def why_not_manage_criteria(user, campaign) -> ApplicationError | None:
    """The criteria and the jury's weight are set in the builder, while the campaign is a
    draft or scheduled (once it opens, a change would alter the meaning of scores given)."""
    if not has_jury(campaign):
        return Conflict(_("This campaign has no jury: it is not a contest."), code="no_jury")
    if not (is_verified(user) and is_campaign_manager(user, campaign)):
        return NotAllowed(
            _("Only the brand's owners and managers can set the jury's criteria."),
            code="not_manager",
        )
    if not is_campaign_editable(user, campaign):
        return Conflict(
            _("The criteria and the jury's weight cannot change once the contest is open."),
            code="criteria_locked",
        )
    return None


def why_not_manage_jurors(user, campaign) -> ApplicationError | None:
    """Jurors are invited, added and removed until voting closes."""
    if not has_jury(campaign):
        return Conflict(_("This campaign has no jury: it is not a contest."), code="no_jury")
    if not (is_verified(user) and is_campaign_manager(user, campaign)):
        return NotAllowed(
            _("Only the brand's owners and managers can choose the jury."), code="not_manager"
        )
    if campaign.is_published and not is_jury_open(campaign):
        return Conflict(_("Voting has closed: the jury can no longer change."), code="jury_closed")
    return None


def why_not_join(user, campaign) -> ApplicationError | None:
    if not has_jury(campaign):
        return Conflict(_("This campaign has no jury: it is not a contest."), code="no_jury")
    if campaign.is_published and not is_jury_open(campaign):
        return Conflict(_("Voting has closed: the jury can no longer change."), code="jury_closed")
    return None


def why_not_judge(user, campaign) -> ApplicationError | None:
    """May `user` open the contest's jury pages and score (entries aside)?"""
    if not has_jury(campaign):
        return Conflict(_("This campaign has no jury: it is not a contest."), code="no_jury")
    if active_juror(user, campaign) is None:
        return NotAllowed(_("Only the contest's jurors can score its entries."), code="not_juror")
    if not is_jury_open(campaign):
        if campaign.is_published:
            return Conflict(
                _("Voting has closed: the jury's scores are final."), code="jury_closed"
            )
        return Conflict(_("The contest has not been launched yet."), code="not_launched")
    return None


def why_not_score(user, idea) -> ApplicationError | None:
    """May `user` score `idea` now? The entry must be published, in a contest whose jury
    they sit on, and not theirs."""
    problem = why_not_judge(user, idea.campaign)
    if problem is not None:
        return problem
    if idea.status != Idea.Status.PUBLISHED:
        return Conflict(_("This entry is not open to the jury."), code="entry_hidden")
    if idea.author_id == user.pk:
        return NotAllowed(_("You cannot score an entry you submitted."), code="own_entry")
    return None


# -- predicates ----------------------------------------------------------------------------


@rules.predicate
def can_manage_criteria(user, campaign) -> bool:
    return why_not_manage_criteria(user, campaign) is None


@rules.predicate
def can_manage_jurors(user, campaign) -> bool:
    return why_not_manage_jurors(user, campaign) is None


@rules.predicate
def can_judge(user, campaign) -> bool:
    return why_not_judge(user, campaign) is None


@rules.predicate
def can_score(user, idea) -> bool:
    return idea is not None and why_not_score(user, idea) is None


rules.add_perm("jury.manage_criteria", can_manage_criteria)
rules.add_perm("jury.manage_jurors", can_manage_jurors)
rules.add_perm("jury.judge", can_judge)
rules.add_perm("jury.score", can_score)
