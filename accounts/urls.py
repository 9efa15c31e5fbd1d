"""API routes of accounts, included under /api/v1/ by config/urls.py."""

from django.urls import path

from accounts.apis import MeApi

app_name = "accounts"
urlpatterns = [
    path("me/", MeApi.as_view(), name="me"),
]
