"""Calibration under /api/v1/calibration/: a cycle's grade distribution against the target.
Scope as on the pages: assessments_visible_to, and only those who calibrate (HR, executives, managers)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from hris.calibration.api.serializers import DistributionSerializer
from hris.calibration.permissions import require_calibrate
from hris.calibration.selectors import grade_distribution
from hris.core.api.schema import DETAIL_ERRORS
from hris.core.api.viewsets import ScopedViewSet
from hris.core.errors import NotFound
from hris.kpi.selectors import cycle_get
from hris.org.models import Department


class CalibrationCycleViewSet(ScopedViewSet):
    scope_resource = "kpi"
    serializer_class = DistributionSerializer

    @extend_schema(
        summary="Grade distribution of a cycle against the target",
        description="Counts and shares per grade over the assessments in the caller's scope, the target per grade, "
        "warnings where the target is missed, and the same per department. Optional `department` (id) narrows it to a subtree.",
        responses={200: DistributionSerializer, **DETAIL_ERRORS},
    )
    def distribution(self, request: Request, pk: int) -> Response:
        cycle = cycle_get(self.actor(), pk)
        require_calibrate(self.actor(), cycle.company_id)
        department = None
        raw = request.query_params.get("department") or ""
        if raw:
            department = Department.objects.filter(company_id=cycle.company_id, pk=int(raw)).first() if raw.isdigit() else None
            if department is None:
                raise NotFound(_("Department not found."))
        return Response(DistributionSerializer(grade_distribution(self.actor(), cycle, department=department)).data)
