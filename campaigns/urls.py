from django.urls import path

from campaigns.views import public, schedule

app_name = "campaigns"

urlpatterns = [
    path("", public.home, name="home"),
    path("brands/<slug:slug>/", public.brand_detail, name="brand"),
    path("campaigns/<slug:slug>/", public.campaign_detail, name="detail"),
    *schedule.urlpatterns,
]
