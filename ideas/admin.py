from django import forms
from django.contrib import admin, messages
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import ApplicationError
from ideas import services
from ideas.models import Idea


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
    actions = ["hide_ideas", "unhide_ideas"]

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
