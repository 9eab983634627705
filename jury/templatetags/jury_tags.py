"""The brand's jury section (criteria, jury weight, jurors, invitations) wherever it is
shown: the builder's format step includes it through the contest format's "builder"
template, the jury page through jury/manage.html.

    {% load jury_tags %}{% jury_section campaign as jury %}
"""

from django import template

from accounts.models import User
from jury import rules as jury_rules
from jury import selectors
from jury.forms import CriterionForm, JurorInviteForm, JuryWeightForm, MemberJurorForm

register = template.Library()


@register.simple_tag(takes_context=True)
def jury_section(context, campaign) -> dict:
    """What the section shows and which of its forms the viewer may use."""
    user = context["request"].user
    jurors = list(selectors.jurors_active(campaign=campaign))
    seated = {juror.user_id for juror in jurors}
    members = User.objects.filter(brand_memberships__brand=campaign.brand).exclude(pk__in=seated)
    progress = selectors.jury_progress(campaign=campaign)
    return {
        "criteria": selectors.criteria_for(campaign=campaign),
        "jury_weight": selectors.jury_weight_for(campaign=campaign),
        "jurors": [{"juror": juror, "scored": progress.get(juror.pk, 0)} for juror in jurors],
        "invitations": list(selectors.invitations_pending(campaign=campaign)),
        "can_manage_criteria": jury_rules.can_manage_criteria(user, campaign),
        "can_manage_jurors": jury_rules.can_manage_jurors(user, campaign),
        "criterion_form": CriterionForm(auto_id="criterion-new-%s"),
        "weight_form": JuryWeightForm(
            initial={"jury_weight": selectors.jury_weight_for(campaign=campaign)},
            auto_id="jury-%s",
        ),
        "invite_form": JurorInviteForm(auto_id="juror-invite-%s"),
        "member_form": MemberJurorForm(members=members.order_by("pk"), auto_id="juror-member-%s"),
        "has_members_to_add": members.exists(),
    }


@register.simple_tag(takes_context=True)
def jury_links(context, campaign) -> dict:
    """Which jury links the campaign page shows the viewer: their scoring page (jurors),
    the brand's jury page (its managers)."""
    user = context["request"].user
    return {
        "can_judge": jury_rules.can_judge(user, campaign),
        "can_manage": jury_rules.can_manage_jurors(user, campaign)
        or jury_rules.can_manage_criteria(user, campaign),
    }
