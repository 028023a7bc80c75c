"""API routes under /api/v1/ for calibration; included by hris.core.api.v1_urls."""

urlpatterns: list = []
