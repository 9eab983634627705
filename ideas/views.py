from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import reswap, retarget

from accounts.rules import is_verified
from campaigns.models import Campaign
from campaigns.rules import can_view_campaign
from core.errors import ApplicationError, Duplicate, RateLimited
from core.forms import apply_service_error
from core.ratelimit import rate_limit
from ideas import services
from ideas.answer_forms import AnswerForm, CommentForm
from ideas.forms import IdeaForm
from ideas.models import Comment, Idea
from ideas.rules import (
    can_answer_idea,
    can_answer_idea_now,
    can_approve_idea,
    can_approve_idea_now,
    can_comment_idea,
    can_submit_idea,
    can_view_idea,
)
from voting.rules import offers_comparisons
from voting.selectors import vote_value


def _idea_or_404(request, pk: int) -> Idea:
    idea = get_object_or_404(
        Idea.objects.select_related("author", "campaign", "campaign__brand", "tally"), pk=pk
    )
    if not can_view_idea(request.user, idea):
        raise Http404
    return idea


def _comments(idea: Idea) -> list[Comment]:
    """The published comments of a published idea, oldest first: one query. A pending or
    hidden idea shows none."""
    if idea.status != Idea.Status.PUBLISHED:
        return []
    return list(
        Comment.objects.filter(idea=idea, status=Comment.Status.PUBLISHED)
        .select_related("author")
        .order_by("created_at", "id")
    )


def _detail_context(request, idea: Idea, **extra) -> dict:
    user = request.user
    can_answer = can_answer_idea_now(user, idea)
    context = {
        "idea": idea,
        "campaign": idea.campaign,
        "my_vote": vote_value(voter=user, idea=idea),
        "timeline": list(idea.status_updates.order_by("created_at", "id")),
        "comments": _comments(idea),
        "is_author": user.is_authenticated and idea.author_id == user.pk,
        "can_answer": can_answer,
        "can_approve": can_approve_idea_now(user, idea),
        "can_comment": can_comment_idea(user, idea),
        "can_compare": offers_comparisons(user, idea.campaign),
        "needs_verification": user.is_authenticated and not is_verified(user),
        "answer_form": AnswerForm(initial={"answer": idea.answer or Idea.Answer.UNDER_REVIEW})
        if can_answer
        else None,
        "comment_form": CommentForm(),
    }
    context.update(extra)
    return context


@require_safe
def idea_detail(request, pk: int):
    idea = _idea_or_404(request, pk)
    return render(request, "ideas/detail.html", _detail_context(request, idea))


@require_POST
def idea_answer(request, pk: int):
    """The brand's answer: a timeline entry, the idea's status, the crowd told after
    commit. htmx swaps the answer section; without JavaScript the page reloads."""
    idea = _idea_or_404(request, pk)
    if not can_answer_idea(request.user, idea):
        raise PermissionDenied(_("Only the brand's owners and managers can answer ideas."))
    form = AnswerForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            services.idea_answer(
                idea=idea,
                author=request.user,
                answer=form.cleaned_data["answer"],
                note=form.cleaned_data["note"],
            )
        except ApplicationError as error:
            apply_service_error(form, error)
            status = error.status_code
        else:
            if not request.htmx:
                messages.success(request, _("Your answer is published on the idea's timeline."))
                return redirect(f"{idea.get_absolute_url()}#answer")
            idea.refresh_from_db(fields=["answer", "answered_at"])
            form, status = None, 200
    context = _detail_context(request, idea)
    if form is not None:
        context["answer_form"] = form
    if request.htmx:
        return render(request, "ideas/_answer_section.html", context, status=status)
    return render(request, "ideas/detail.html", context, status=status)


@require_POST
def idea_comment(request, pk: int):
    """Post a comment. htmx appends it to the list and resets the form; without
    JavaScript the page reloads at the new comment. A refusal changes nothing."""
    idea = _idea_or_404(request, pk)
    if not request.user.is_authenticated:
        return redirect_to_login(idea.get_absolute_url())
    form = CommentForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            # Over the limit: the form shows why (429, Retry-After) and keeps the text.
            rate_limit(request, "comment")
            comment = services.comment_post(
                idea=idea, author=request.user, body=form.cleaned_data["body"]
            )
        except ApplicationError as error:
            apply_service_error(form, error)
            status = error.status_code
        else:
            if not request.htmx:
                return redirect(f"{idea.get_absolute_url()}#comment-{comment.pk}")
            comment.author = request.user
            return render(
                request,
                "ideas/_comment_posted.html",
                {"comment": comment, "idea": idea, "comment_form": CommentForm()},
            )
    if request.htmx:
        response = render(
            request,
            "ideas/_comment_form.html",
            {"idea": idea, "comment_form": form, "can_comment": True},
            status=status,
        )
        return reswap(retarget(response, "#comment-form"), "outerHTML")
    context = _detail_context(request, idea, comment_form=form)
    return render(request, "ideas/detail.html", context, status=status)


@require_POST
def idea_approve(request, pk: int):
    """A moderator publishes an idea that waited for moderation."""
    idea = _idea_or_404(request, pk)
    if not can_approve_idea(request.user, idea):
        raise PermissionDenied(_("Only the campaign's moderators can approve ideas."))
    try:
        services.idea_approve(idea=idea, moderator=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
        return render(
            request, "ideas/detail.html", _detail_context(request, idea), status=error.status_code
        )
    messages.success(request, _("The idea is published."))
    return redirect(idea)


@login_required
@require_http_methods(["GET", "POST"])
def idea_submit(request, slug: str):
    campaign = get_object_or_404(Campaign.objects.select_related("brand"), slug=slug)
    if not can_view_campaign(request.user, campaign):
        raise Http404
    terms = services.terms_current(campaign=campaign)
    needs_terms = not services.terms_accepted(user=request.user, campaign=campaign)
    form = IdeaForm(
        request.POST or None, request.FILES or None, campaign=campaign, needs_terms=needs_terms
    )
    allowed = can_submit_idea(request.user, campaign)
    status = 200 if allowed or request.method == "GET" else 403
    if request.method == "POST" and form.is_valid():
        try:
            # Over the limit: the form shows why (429, Retry-After) and keeps the text.
            rate_limit(request, "idea_submit")
            idea = services.idea_submit(author=request.user, campaign=campaign, **form.cleaned_data)
        except ApplicationError as error:
            apply_service_error(form, error)
            if isinstance(error, RateLimited | Duplicate):
                status = error.status_code
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
        status=status,
    )
