from django.urls import path

from ideas import views

app_name = "ideas"

urlpatterns = [
    path("ideas/<int:pk>/", views.idea_detail, name="detail"),
    path("campaigns/<slug:slug>/ideas/new/", views.idea_submit, name="submit"),
]
