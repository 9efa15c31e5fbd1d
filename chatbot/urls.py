"""API routes of chatbot, included under /api/v1/ by config/urls.py."""

app_name = "chatbot"
urlpatterns: list = []
