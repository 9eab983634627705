from django.urls import path

from voting import views

app_name = "voting"

urlpatterns = [
    path("ideas/<int:pk>/vote/", views.idea_vote, name="vote"),
    path("ideas/<int:pk>/tally/", views.idea_tally, name="tally"),
]
