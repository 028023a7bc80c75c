"""Navigation flags for notifications. The bell's unread count is loaded by htmx after the page
(notifications/_bell.html), so no page pays a query for it."""

from hris.notifications.permissions import may_manage_any


def notifications(request):  # noqa: ANN001, ANN201
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_can_manage_integrations": may_manage_any(user)}
