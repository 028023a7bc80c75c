"""Who may calibrate: HR (MANAGE_REVIEW), executives (APPROVE_RESULTS) and managers (ADJUST_SCORES),
each over the assessments of their own scope (assessments_visible_to). Employees may not."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from hris.accounts.roles import Capability
from hris.core.errors import PermissionDenied
from hris.kpi.permissions import company_ids_granting, require_company

CALIBRATION_CAPABILITIES = frozenset({Capability.MANAGE_REVIEW, Capability.ADJUST_SCORES, Capability.APPROVE_RESULTS})
POTENTIAL_CAPABILITIES = (Capability.MANAGE_REVIEW, Capability.ADJUST_SCORES)


def may_calibrate(actor: Any, company_id: int) -> bool:
    if actor is None:
        return True
    companies = company_ids_granting(actor, CALIBRATION_CAPABILITIES)
    return companies is None or company_id in companies


def require_calibrate(actor: Any, company_id: int) -> None:
    if not may_calibrate(actor, company_id):
        raise PermissionDenied(_("Only HR, executives and managers take part in calibration."))


def may_manage_scales(actor: Any, company_id: int) -> bool:
    try:
        require_company(actor, Capability.MANAGE_REVIEW, company_id)
    except PermissionDenied:
        return False
    return True
