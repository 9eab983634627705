from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from campaigns.models import Campaign
from campaigns.rules import can_view_campaign
from core.errors import ApplicationError
from core.forms import apply_service_error
from ideas import services
from ideas.forms import IdeaForm
from ideas.models import Idea
from ideas.rules import can_submit_idea, can_view_idea
from voting.selectors import vote_value


def idea_detail(request, pk: int):
    idea = get_object_or_404(
        Idea.objects.select_related("author", "campaign", "campaign__brand", "tally"), pk=pk
    )
    if not can_view_idea(request.user, idea):
        raise Http404
    return render(
        request,
        "ideas/detail.html",
        {
            "idea": idea,
            "campaign": idea.campaign,
            "my_vote": vote_value(voter=request.user, idea=idea),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def idea_submit(request, slug: str):
    campaign = get_object_or_404(Campaign.objects.select_related("brand"), slug=slug)
    if not can_view_campaign(request.user, campaign):
        raise Http404
    terms = services.terms_current(campaign=campaign)
    needs_terms = not services.terms_accepted(user=request.user, campaign=campaign)
    form = IdeaForm(request.POST or None, campaign=campaign, needs_terms=needs_terms)
    allowed = can_submit_idea(request.user, campaign)
    if request.method == "POST" and form.is_valid():
        try:
            idea = services.idea_submit(author=request.user, campaign=campaign, **form.cleaned_data)
        except ApplicationError as error:
            apply_service_error(form, error)
        else:
            if idea.status == idea.Status.PENDING:
                messages.success(
                    request,
                    _("Thank you! Your idea will be public once a moderator has approved it."),
                )
            else:
                messages.success(request, _("Your idea is published. Thank you!"))
            return redirect(idea)
    return render(
        request,
        "ideas/form.html",
        {
            "form": form,
            "campaign": campaign,
            "allowed": allowed,
            "terms": terms,
            "needs_terms": needs_terms,
        },
        status=200 if allowed or request.method == "GET" else 403,
    )
