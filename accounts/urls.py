"""The account's own pages, under /accounts/ next to allauth's (included before them in
config/urls.py, on paths allauth does not use)."""

from django.urls import path

from accounts import token_views, views

app_name = "accounts"

urlpatterns = [
    path("", views.account_detail, name="detail"),
    path("export/", views.account_export, name="export"),
    path("delete/", views.account_delete, name="delete"),
    path("deleted/", views.account_deleted, name="deleted"),
    path("tokens/", token_views.api_token_list, name="tokens"),
    path("tokens/<int:pk>/rotate/", token_views.api_token_rotate, name="token_rotate"),
    path("tokens/<int:pk>/revoke/", token_views.api_token_revoke, name="token_revoke"),
]
