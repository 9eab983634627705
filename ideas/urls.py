from django.urls import path

from ideas import views

app_name = "ideas"

urlpatterns = [
    path("ideas/<int:pk>/", views.idea_detail, name="detail"),
    path("ideas/<int:pk>/answer/", views.idea_answer, name="answer"),
    path("ideas/<int:pk>/comments/", views.idea_comment, name="comment"),
    path("ideas/<int:pk>/approve/", views.idea_approve, name="approve"),
    path("campaigns/<slug:slug>/ideas/new/", views.idea_submit, name="submit"),
]
