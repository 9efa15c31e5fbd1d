from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts.views import home
from config.api import api_not_found

api_v1 = [
    path("", include("accounts.urls")),
    path("", include("patients.urls")),
    path("", include("providers.urls")),
    path("", include("appointments.urls")),
    path("", include("records.urls")),
    path("", include("chatbot.urls")),
]

urlpatterns = [
    # The API first: its requests are the most frequent, and each pattern above it is one more
    # match tried per request.
    path("api/v1/", include((api_v1, "api"))),
    path("", home, name="home"),
    path("", include("status.health_urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("patient/", include("patients.portal_urls")),
    path("provider/", include("providers.portal_urls")),
    path("status/", include("status.urls")),
    path("calendar/", include("appointments.feed_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    # Last, so that they only take what no route above matched (a malformed id, a typo).
    re_path(r"^api/", api_not_found),
    re_path(r"^status/api/", api_not_found),
    re_path(r"^status/badge/", api_not_found),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
