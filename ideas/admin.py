from django import forms
from django.contrib import admin, messages
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import ApplicationError
from ideas import services
from ideas.models import Comment, Idea, IdeaStatusUpdate


class HideIdeasForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason (sent to each author)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
    )


@admin.register(Idea)
class IdeaAdmin(admin.ModelAdmin):
    list_display = ("title", "campaign", "author", "status", "score", "created_at")
    list_filter = ("status", "campaign__brand", "campaign", "created_at")
    search_fields = ("title", "body", "author__email")
    list_select_related = ("campaign", "author", "tally")
    raw_id_fields = ("author",)
    readonly_fields = (
        "status",
        "hidden_reason",
        "hidden_at",
        "hidden_by",
        "content_hash",
        "body_html",
        "created_at",
        "updated_at",
    )
    date_hierarchy = "created_at"
    actions = ["approve_ideas", "hide_ideas", "unhide_ideas"]

    @admin.action(description=gettext_lazy("Approve selected ideas waiting for moderation"))
    def approve_ideas(self, request, queryset):
        count = 0
        for idea in queryset.filter(status=Idea.Status.PENDING).select_related("campaign"):
            try:
                services.idea_approve(idea=idea, moderator=request.user)
            except ApplicationError as error:
                self.message_user(request, error.message, messages.ERROR)
                return
            count += 1
        self.message_user(request, _("%(count)d ideas approved.") % {"count": count})

    @admin.display(ordering="tally__score", description=gettext_lazy("score"))
    def score(self, obj):
        return obj.tally.score if hasattr(obj, "tally") else 0

    def save_model(self, request, obj, form, change):
        from core.markdown import render_markdown

        obj.body_html = render_markdown(obj.body)
        super().save_model(request, obj, form, change)

    @admin.action(description=gettext_lazy("Hide selected ideas (tell their authors why)"))
    def hide_ideas(self, request, queryset):
        if "apply" in request.POST:
            form = HideIdeasForm(request.POST)
            if form.is_valid():
                count = 0
                for idea in queryset.select_related("author"):
                    try:
                        services.idea_hide(
                            idea=idea, moderator=request.user, reason=form.cleaned_data["reason"]
                        )
                        count += 1
                    except ApplicationError as error:
                        self.message_user(request, error.message, messages.ERROR)
                        return None
                self.message_user(request, _("%(count)d ideas hidden.") % {"count": count})
                return None
        else:
            form = HideIdeasForm()
        return render(
            request,
            "admin/ideas/hide_ideas.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Hide ideas"),
                "ideas": queryset,
                "form": form,
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(description=gettext_lazy("Restore selected hidden ideas"))
    def unhide_ideas(self, request, queryset):
        for idea in queryset.filter(status=Idea.Status.HIDDEN):
            services.idea_unhide(idea=idea, moderator=request.user)
        self.message_user(request, _("Ideas restored."))


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("short_body", "idea", "author", "status", "created_at")
    list_filter = ("status", "created_at")
    search_fields = ("body", "author__email", "idea__title")
    list_select_related = ("idea", "author")
    raw_id_fields = ("idea", "author")
    readonly_fields = ("body_html", "created_at", "updated_at")
    actions = ["hide_comments", "show_comments"]

    @admin.display(description=gettext_lazy("comment"))
    def short_body(self, obj):
        return obj.body[:80]

    def save_model(self, request, obj, form, change):
        from core.markdown import render_markdown

        obj.body_html = render_markdown(obj.body)
        super().save_model(request, obj, form, change)

    @admin.action(description=gettext_lazy("Hide selected comments"))
    def hide_comments(self, request, queryset):
        count = queryset.update(status=Comment.Status.HIDDEN)
        self.message_user(request, _("%(count)d comments hidden.") % {"count": count})

    @admin.action(description=gettext_lazy("Show selected comments again"))
    def show_comments(self, request, queryset):
        count = queryset.update(status=Comment.Status.PUBLISHED)
        self.message_user(request, _("%(count)d comments shown.") % {"count": count})


@admin.register(IdeaStatusUpdate)
class IdeaStatusUpdateAdmin(admin.ModelAdmin):
    """The brand's public answers: read-only here (brands answer on the idea page)."""

    list_display = ("idea", "answer", "author", "created_at")
    list_filter = ("answer",)
    list_select_related = ("idea", "author")
    readonly_fields = ("idea", "answer", "note", "note_html", "author", "created_at")

    def has_add_permission(self, request):
        return False
