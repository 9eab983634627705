from django.urls import path

from voting import views

app_name = "voting"

urlpatterns = [
    path("ideas/<int:pk>/vote/", views.idea_vote, name="vote"),
    path("ideas/<int:pk>/tally/", views.idea_tally, name="tally"),
    path("campaigns/<slug:slug>/ballot/", views.campaign_ballot, name="ballot"),
    path("campaigns/<slug:slug>/compare/", views.campaign_compare, name="compare"),
    path("campaigns/<slug:slug>/results/", views.campaign_results, name="results"),
]
