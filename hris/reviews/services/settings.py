"""Per-cycle review settings (the acknowledge/appeal window)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from hris.accounts.roles import Capability
from hris.audit.services import audit_record
from hris.core.errors import DomainError
from hris.kpi.choices import CycleState
from hris.kpi.models import Cycle
from hris.kpi.permissions import require_company
from hris.reviews.models import CycleReviewSettings
from hris.reviews.services.common import lock_cycle, require_state, review_settings


@transaction.atomic
def review_settings_update(*, actor: Any, cycle: Cycle, appeal_window_days: int) -> CycleReviewSettings:
    require_company(actor, Capability.MANAGE_REVIEW, cycle.company_id)
    cycle = lock_cycle(cycle)
    require_state(cycle, *[state for state in CycleState.values if state != CycleState.CLOSED], action=_("changed"))
    if not 1 <= int(appeal_window_days) <= 90:
        message = _("Choose between 1 and 90 days.")
        raise DomainError(message, code="invalid", field_errors={"appeal_window_days": [message]})
    settings_row = review_settings(cycle)
    before = settings_row.appeal_window_days
    settings_row.appeal_window_days = int(appeal_window_days)
    settings_row.save(update_fields=["appeal_window_days", "updated_at"])
    audit_record(
        actor=actor,
        action="reviews.settings_updated",
        target=cycle,
        before={"appeal_window_days": before},
        after={"appeal_window_days": settings_row.appeal_window_days},
        company_id=cycle.company_id,
    )
    return settings_row
