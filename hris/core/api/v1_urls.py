from django.urls import include, path
from rest_framework.routers import DefaultRouter

from hris.audit.api.views import AuditEventViewSet
from hris.kpi.api.ratings import MyRatingViewSet
from hris.kpi.api.views import AssessmentViewSet, ComputationRunViewSet, CycleViewSet, IndicatorViewSet, TemplateViewSet
from hris.org.api.views import BranchViewSet, CompanyViewSet, DepartmentViewSet, PositionViewSet
from hris.people.api.views import EmployeeViewSet


class JsonRouter(DefaultRouter):
    """Path converters (`<int:pk>`) so ids are typed in the schema; JSON only, so no
    `.json` format-suffix routes to duplicate every path."""

    include_format_suffixes = False

    def __init__(self) -> None:
        super().__init__(use_regex_path=False)


router = JsonRouter()
router.register("companies", CompanyViewSet, basename="company")
router.register("branches", BranchViewSet, basename="branch")
router.register("departments", DepartmentViewSet, basename="department")
router.register("positions", PositionViewSet, basename="position")
router.register("employees", EmployeeViewSet, basename="employee")
router.register("audit-events", AuditEventViewSet, basename="audit-event")
router.register("kpi/indicators", IndicatorViewSet, basename="kpi-indicator")
router.register("kpi/templates", TemplateViewSet, basename="kpi-template")
router.register("kpi/cycles", CycleViewSet, basename="kpi-cycle")
router.register("kpi/computation-runs", ComputationRunViewSet, basename="kpi-computation-run")
router.register("kpi/assessments", AssessmentViewSet, basename="kpi-assessment")
router.register("kpi/my-ratings", MyRatingViewSet, basename="kpi-my-rating")
# Each newer app keeps its own routes (so its files stay its own); they share the /api/v1/ prefix.
urlpatterns = [
    *router.urls,
    path("", include("hris.reviews.api.urls")),
    path("", include("hris.calibration.api.urls")),
    path("", include("hris.notifications.api.urls")),
    path("", include("hris.integrations.api.urls")),
    path("", include("hris.integrations.connectors.api.urls")),
    path("", include("hris.integrations.webhooks.api.urls")),
]
