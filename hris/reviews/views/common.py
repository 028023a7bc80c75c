"""Helpers shared by the review pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from hris.core import errors
from hris.kpi.models import Assessment, Cycle
from hris.kpi.selectors import cycle_get
from hris.reviews import selectors


def call(service: Callable[..., Any], **kwargs: Any) -> Any:
    """Permission and scope refusals become 403 and 404; other refusals are the caller's."""
    try:
        return service(**kwargs)
    except errors.PermissionDenied:
        raise PermissionDenied
    except errors.NotFound:
        raise Http404("Not found.")


def cycle_or_404(actor: Any, cycle_id: int) -> Cycle:
    try:
        return cycle_get(actor, cycle_id)
    except errors.NotFound:
        raise Http404("Cycle not found.")


def staff_assessment_or_404(actor: Any, assessment_id: int) -> Assessment:
    try:
        return selectors.assessment_for_staff(actor, assessment_id)
    except errors.NotFound:
        raise Http404("Assessment not found.")
