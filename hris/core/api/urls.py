from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from hris.core.api.not_found import api_not_found

urlpatterns = [
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("api/v1/", include("hris.core.api.v1_urls")),
    # Only paths ending in "/", so APPEND_SLASH still redirects `/api/v1/employees`.
    re_path(r"^api/(?:.*/)?$", api_not_found),
]
