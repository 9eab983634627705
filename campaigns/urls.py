from django.urls import path

from campaigns.views import builder, dashboard, exports, public, schedule, team

app_name = "campaigns"

urlpatterns = [
    path("", public.home, name="home"),
    path("campaigns/new/", public.campaign_create, name="create"),
    path("brands/<slug:slug>/", public.brand_detail, name="brand"),
    path("campaigns/<slug:slug>/", public.campaign_detail, name="detail"),
    *builder.urlpatterns,
    *team.urlpatterns,
    *dashboard.urlpatterns,
    *exports.urlpatterns,
    *schedule.urlpatterns,
]
