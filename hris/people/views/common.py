"""Helpers shared by the people views: scope checks as HTTP answers, service calls that
turn domain refusals into form errors, htmx partial detection."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest

from hris.core import errors
from hris.people.forms import apply_service_errors
from hris.people.models import Employee
from hris.people.selectors import can_change_employee, employee_get


def wants_partial(request: HttpRequest) -> bool:
    """An htmx request that swaps part of the page (not a history restore, which needs the full page)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def visible_employee_or_404(actor: Any, employee_id: int) -> Employee:
    """Out of the actor's view scope looks exactly like a missing employee."""
    try:
        return employee_get(actor, employee_id)
    except errors.NotFound:
        raise Http404("Employee not found.")


def changeable_employee(actor: Any, employee_id: int) -> Employee:
    """404 outside the view scope, 403 inside it but outside the change scope."""
    employee = visible_employee_or_404(actor, employee_id)
    if not can_change_employee(actor, employee):
        raise PermissionDenied
    return employee


def call_service(form: forms.Form, service: Callable[..., Any], **kwargs: Any) -> tuple[Any, bool]:
    """Run a service; a refusal for bad input lands on the form instead of becoming a 500.
    Permission and scope refusals become 403 and 404, as for the page itself."""
    try:
        return service(**kwargs), True
    except errors.PermissionDenied:
        raise PermissionDenied
    except errors.NotFound:
        raise Http404("Not found.")
    except (errors.DomainError, ValidationError) as error:
        apply_service_errors(form, error)
        return None, False
