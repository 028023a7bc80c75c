"""API routes under /api/v1/ for connectors; included by hris.core.api.v1_urls."""

urlpatterns: list = []
