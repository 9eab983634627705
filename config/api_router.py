"""Every API v1 route, in one place."""

from django.urls import path

from accounts.api.views import (
    MeView,
    MyExportView,
    MyTokenDetailView,
    MyTokenListCreateView,
    MyTokenRotateView,
    TokenObtainView,
)
from campaigns.api.views import CampaignDetailView, CampaignListView
from ideas.api.views import CampaignIdeaListCreateView, IdeaDetailView
from notifications.api.views import MyNotificationListView
from voting.api.audit import CampaignAuditView
from voting.api.views import (
    CampaignBallotView,
    CampaignPairView,
    CampaignResultView,
    IdeaVoteView,
    PairAnswerView,
)

app_name = "api"

urlpatterns = [
    path("auth/token/", TokenObtainView.as_view(), name="token-obtain"),
    path("campaigns/", CampaignListView.as_view(), name="campaign-list"),
    path("campaigns/<slug:slug>/", CampaignDetailView.as_view(), name="campaign-detail"),
    path(
        "campaigns/<slug:slug>/ideas/",
        CampaignIdeaListCreateView.as_view(),
        name="campaign-idea-list",
    ),
    path("campaigns/<slug:slug>/ballot/", CampaignBallotView.as_view(), name="campaign-ballot"),
    path("campaigns/<slug:slug>/pairs/", CampaignPairView.as_view(), name="campaign-pairs"),
    path("campaigns/<slug:slug>/results/", CampaignResultView.as_view(), name="campaign-results"),
    path("campaigns/<slug:slug>/audit/", CampaignAuditView.as_view(), name="campaign-audit"),
    path("pairs/<str:token>/", PairAnswerView.as_view(), name="pair-answer"),
    path("ideas/<int:pk>/", IdeaDetailView.as_view(), name="idea-detail"),
    path("ideas/<int:pk>/vote/", IdeaVoteView.as_view(), name="idea-vote"),
    path("me/", MeView.as_view(), name="me"),
    path("me/export/", MyExportView.as_view(), name="my-export"),
    path("me/notifications/", MyNotificationListView.as_view(), name="my-notifications"),
    path("me/tokens/", MyTokenListCreateView.as_view(), name="my-tokens"),
    path("me/tokens/<int:pk>/", MyTokenDetailView.as_view(), name="my-token-detail"),
    path("me/tokens/<int:pk>/rotate/", MyTokenRotateView.as_view(), name="my-token-rotate"),
]
