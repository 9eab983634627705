from django.urls import path

from campaigns import views

app_name = "campaigns"

urlpatterns = [
    path("", views.home, name="home"),
    path("campaigns/new/", views.campaign_create, name="create"),
    path("brands/<slug:slug>/", views.brand_detail, name="brand"),
    path("campaigns/<slug:slug>/", views.campaign_detail, name="detail"),
]
