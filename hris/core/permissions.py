"""Permission checks used by services: the actor's scope must cover the target row."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from hris.accounts.roles import Capability
from hris.accounts.scopes import scope_q
from hris.core.errors import PermissionDenied


def require_in_scope(actor: Any, capability: Capability, queryset: QuerySet, target: Model, **scope_fields: str) -> None:
    """Raise PermissionDenied unless `target` lies in the actor's scope for `capability`.

    `actor=None` is the system itself (management commands such as seed_demo).
    """
    if actor is None:
        return
    if not queryset.filter(pk=target.pk).filter(scope_q(actor, capability, **scope_fields)).exists():
        raise PermissionDenied(_("You are not allowed to do this for %(target)s.") % {"target": target})
