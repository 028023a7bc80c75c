"""Who may call the webhook endpoints: the scope of the action for token clients, and for
everyone MANAGE_INTEGRATIONS over at least one whole company, as on the webhook pages."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import exceptions

from hris.core.api.permissions import HasApiScope
from hris.notifications.permissions import may_manage_any


class CanManageWebhooks(HasApiScope):
    def has_permission(self, request, view) -> bool:  # noqa: ANN001
        if not super().has_permission(request, view):
            return False
        if may_manage_any(request.user):
            return True
        raise exceptions.PermissionDenied(_("You are not allowed to manage webhooks."), code="permission_denied")
