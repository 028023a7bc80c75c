"""Which OAuth2 scope an API action needs. Roles and data scopes are checked by the
selectors and services behind the views, for token clients and people alike."""

from __future__ import annotations

from django.utils.translation import gettext as _
from oauth2_provider.models import AbstractAccessToken
from rest_framework import exceptions
from rest_framework.permissions import SAFE_METHODS, BasePermission


def required_scope(view, method: str) -> str:  # noqa: ANN001
    """`<resource>:read` for safe methods, `<resource>:write` for everything else."""
    return f"{view.scope_resource}:{'read' if method in SAFE_METHODS else 'write'}"


class HasApiScope(BasePermission):
    """Token clients need the scope of the action; people signed in to the web UI are
    not limited by OAuth2 scopes (their roles decide)."""

    def has_permission(self, request, view) -> bool:  # noqa: ANN001
        if not (request.user and request.user.is_authenticated):
            return False
        token = request.auth
        if not isinstance(token, AbstractAccessToken):
            return True
        scope = required_scope(view, request.method)
        if token.allow_scopes([scope]):
            return True
        raise exceptions.PermissionDenied(_("The access token lacks the scope “%(scope)s”.") % {"scope": scope}, code="insufficient_scope")
