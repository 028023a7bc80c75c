"""Base class of the v1 resources: scope check, numeric ids, and JSON-only errors."""

from __future__ import annotations

from rest_framework import viewsets

from hris.core.api import schema  # noqa: F401  (registers the OAuth2 security scheme with drf-spectacular)
from hris.core.api.permissions import HasApiScope


class ScopedViewSet(viewsets.GenericViewSet):
    """`scope_resource` names the OAuth2 scope family (`org`, `employees`)."""

    scope_resource: str = ""
    permission_classes = [HasApiScope]
    # Only digits reach the views (as int), so `/employees/abc/` is a 404, never a query with a bad id.
    lookup_value_converter = "int"
    lookup_value_regex = r"[0-9]+"

    def actor(self):  # noqa: ANN201
        return self.request.user
