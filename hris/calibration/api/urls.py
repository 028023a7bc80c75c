"""API routes under /api/v1/ for calibration; included by hris.core.api.v1_urls."""

from django.urls import path

from hris.calibration.api.views import CalibrationCycleViewSet

urlpatterns: list = [
    path(
        "calibration/cycles/<int:pk>/distribution/",
        CalibrationCycleViewSet.as_view({"get": "distribution"}),
        name="calibration-cycle-distribution",
    ),
]
