"""Who may call the ingestion endpoints."""

from __future__ import annotations

from django.utils.translation import gettext as _
from oauth2_provider.models import AbstractAccessToken
from rest_framework import exceptions
from rest_framework.permissions import BasePermission

from hris.accounts.roles import Capability
from hris.accounts.scopes import has_capability


class CanIngestMetrics(BasePermission):
    """Token clients need `metrics:write` (also to read their batches' status, as there is no
    `metrics:read`); people signed in need the WRITE_METRICS capability or to manage integrations."""

    def has_permission(self, request, view) -> bool:  # noqa: ANN001
        if not (request.user and request.user.is_authenticated):
            return False
        token = request.auth
        if isinstance(token, AbstractAccessToken):
            if token.allow_scopes(["metrics:write"]):
                return True
            raise exceptions.PermissionDenied(
                _("The access token lacks the scope “%(scope)s”.") % {"scope": "metrics:write"}, code="insufficient_scope"
            )
        if has_capability(request.user, Capability.WRITE_METRICS) or (
            request.method in ("GET", "HEAD", "OPTIONS") and has_capability(request.user, Capability.MANAGE_INTEGRATIONS)
        ):
            return True
        raise exceptions.PermissionDenied(_("You are not allowed to write metric records."), code="permission_denied")
