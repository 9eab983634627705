from django import forms
from django.contrib import admin, messages
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from brands.admin_scoping import BrandScopedAdmin, NeverDeletedAdmin, scoped_filter
from core.errors import ApplicationError
from ideas import services
from ideas.models import Comment, Idea, IdeaRevision, IdeaStatusUpdate


class HideIdeasForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason (sent to each author)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
    )


class IdeaAdminForm(forms.ModelForm):
    """Only the title and the description are edited here, through `idea_edit_check` (the
    service's own rules, shown next to the field) and then `idea_edit`."""

    reason = forms.CharField(
        label=gettext_lazy("Reason for the edit"),
        help_text=gettext_lazy(
            "Required when you change the title or the description: it is kept with the "
            "replaced text in the idea's history."
        ),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=services.EDIT_REASON_MAX_LENGTH,
        required=False,
    )
    editor = None  # set per request by IdeaAdmin.get_form

    class Meta:
        model = Idea
        fields = ("title", "body")

    def clean(self):
        cleaned = super().clean()
        if self.errors or not {"title", "body"} & set(self.changed_data):
            return cleaned
        try:
            title, body, reason = services.idea_edit_check(
                idea=self.instance,  # still the stored idea: the form copies values later
                editor=self.editor,
                title=cleaned.get("title", ""),
                body=cleaned.get("body", ""),
                reason=cleaned.get("reason", ""),
            )
        except ApplicationError as error:
            raise forms.ValidationError(
                {error.field: error.message} if error.field in self.fields else error.message
            ) from error
        cleaned.update(title=title, body=body, reason=reason)
        return cleaned


class IdeaRevisionInline(admin.TabularInline):
    """The texts an edit replaced, oldest first: a record, never edited."""

    model = IdeaRevision
    extra = 0
    can_delete = False
    fields = ("created_at", "edited_by", "reason", "title", "body", "content_hash")
    readonly_fields = fields

    def has_view_permission(self, request, obj=None):
        # Whoever may see the idea sees its history.
        return self.admin_site.get_model_admin(Idea).has_view_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Idea)
class IdeaAdmin(BrandScopedAdmin, NeverDeletedAdmin):
    """Moderators of the idea's brand (or site moderators) correct the title and the
    description, approve, hide and restore. The campaign and the author are never edited
    (moving an idea would strand its votes); ideas are submitted on the site, never added
    here, and hidden rather than deleted."""

    scope_brand_field = "campaign__brand"
    form = IdeaAdminForm
    list_display = ("title", "campaign", "author", "status", "score", "created_at")
    list_filter = (
        "status", scoped_filter("campaign__brand"), scoped_filter("campaign"), "created_at",
    )  # fmt: skip
    search_fields = ("title", "body", "author__email")
    list_select_related = ("campaign", "author", "tally")
    fields = (
        "campaign", "author", "title", "body", "reason", "status", "answer", "cost", "image",
        "is_candidate", "hidden_reason", "hidden_at", "hidden_by", "content_hash", "created_at",
        "updated_at",
    )  # fmt: skip
    readonly_fields = tuple(name for name in fields if name not in ("title", "body", "reason"))
    date_hierarchy = "created_at"
    inlines = [IdeaRevisionInline]
    actions = ["approve_ideas", "hide_ideas", "unhide_ideas"]

    def has_add_permission(self, request):
        return False

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.editor = request.user
        return form

    def save_model(self, request, obj, form, change):
        """Never a plain save: `obj` carries the form's title and body, and the service
        writes them (with the replaced text and the new content hash) or nothing."""
        if not {"title", "body"} & set(form.changed_data):
            return
        try:
            services.idea_edit(
                idea=obj,
                editor=request.user,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                reason=form.cleaned_data.get("reason", ""),
            )
        except ApplicationError as error:
            self.message_user(request, error.message, messages.ERROR)

    @admin.display(ordering="tally__score", description=gettext_lazy("score"))
    def score(self, obj):
        return obj.tally.score if hasattr(obj, "tally") else 0

    @admin.action(
        description=gettext_lazy("Approve selected ideas waiting for moderation"),
        permissions=["change"],
    )
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

    @admin.action(
        description=gettext_lazy("Hide selected ideas (tell their authors why)"),
        permissions=["change"],
    )
    def hide_ideas(self, request, queryset):
        if "apply" in request.POST:
            form = HideIdeasForm(request.POST)
            if form.is_valid():
                count = 0
                for idea in queryset.select_related("author", "campaign"):
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

    @admin.action(description=gettext_lazy("Restore selected hidden ideas"), permissions=["change"])
    def unhide_ideas(self, request, queryset):
        for idea in queryset.filter(status=Idea.Status.HIDDEN).select_related("campaign"):
            try:
                services.idea_unhide(idea=idea, moderator=request.user)
            except ApplicationError as error:
                self.message_user(request, error.message, messages.ERROR)
                return
        self.message_user(request, _("Ideas restored."))


@admin.register(Comment)
class CommentAdmin(BrandScopedAdmin, NeverDeletedAdmin):
    """Comments are hidden or shown again through the services, never rewritten or
    deleted here."""

    scope_brand_field = "idea__campaign__brand"
    list_display = ("short_body", "idea", "author", "status", "created_at")
    list_filter = ("status", scoped_filter("idea__campaign"), "created_at")
    search_fields = ("body", "author__email", "idea__title")
    list_select_related = ("idea", "author")
    fields = ("idea", "author", "body", "status", "created_at", "updated_at")
    readonly_fields = fields
    actions = ["hide_comments", "show_comments"]

    def has_add_permission(self, request):
        return False

    @admin.display(description=gettext_lazy("comment"))
    def short_body(self, obj):
        return obj.body[:80]

    def _moderate(self, request, queryset, service, done_message):
        count = 0
        for comment in queryset.select_related("idea__campaign"):
            try:
                service(comment=comment, moderator=request.user)
            except ApplicationError as error:
                self.message_user(request, error.message, messages.ERROR)
                return
            count += 1
        self.message_user(request, done_message % {"count": count})

    @admin.action(description=gettext_lazy("Hide selected comments"), permissions=["change"])
    def hide_comments(self, request, queryset):
        self._moderate(
            request,
            queryset.filter(status=Comment.Status.PUBLISHED),
            services.comment_hide,
            _("%(count)d comments hidden."),
        )

    @admin.action(description=gettext_lazy("Show selected comments again"), permissions=["change"])
    def show_comments(self, request, queryset):
        self._moderate(
            request,
            queryset.filter(status=Comment.Status.HIDDEN),
            services.comment_show,
            _("%(count)d comments shown."),
        )


@admin.register(IdeaStatusUpdate)
class IdeaStatusUpdateAdmin(BrandScopedAdmin, NeverDeletedAdmin):
    """The brand's public answers: read-only here (brands answer on the idea page)."""

    scope_brand_field = "idea__campaign__brand"
    list_display = ("idea", "answer", "author", "created_at")
    list_filter = ("answer",)
    list_select_related = ("idea", "author")
    readonly_fields = ("idea", "answer", "note", "note_html", "author", "created_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
