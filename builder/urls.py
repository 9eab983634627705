from django.urls import path

from builder.views import candidates, steps

app_name = "builder"

urlpatterns = [
    # Before campaigns' "campaigns/<slug>/", which "new" would otherwise match.
    path("campaigns/new/", steps.draft_new, name="create"),
    path("campaigns/<slug:slug>/build/", steps.build, name="build"),
    path(
        "campaigns/<slug:slug>/build/markdown-preview/",
        steps.markdown_preview,
        name="build_markdown_preview",
    ),
    path(
        "campaigns/<slug:slug>/build/candidates/add/",
        candidates.candidate_add,
        name="build_candidate_add",
    ),
    path(
        "campaigns/<slug:slug>/build/candidates/<int:idea_id>/edit/",
        candidates.candidate_edit,
        name="build_candidate_edit",
    ),
    path(
        "campaigns/<slug:slug>/build/candidates/<int:idea_id>/remove/",
        candidates.candidate_remove,
        name="build_candidate_remove",
    ),
    path("campaigns/<slug:slug>/build/<slug:step>/", steps.build_step, name="build_step"),
]
