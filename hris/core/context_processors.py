"""Navigation shared by every page: the modules, which are live, and the user's roles."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from hris.accounts.roles import Capability
from hris.accounts.scopes import has_capability, roles_of

# Modules to come are listed (disabled) so the navigation has room for them.
MODULES = [
    ("people", _("People"), "people:directory"),
    ("org", _("Organisation"), "org:tree"),
    ("performance", _("Performance"), "kpi:home"),
    ("recruitment", _("Recruitment"), None),
    ("training", _("Training"), None),
    ("compensation", _("Compensation"), None),
    ("attendance", _("Attendance"), None),
    ("integrations", _("Integrations"), "integrations:home"),
    ("analytics", _("Analytics"), None),
]


def navigation(request):  # noqa: ANN001, ANN201
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    items = []
    for key, label, url_name in MODULES:
        if key == "integrations" and not has_capability(user, Capability.MANAGE_INTEGRATIONS):
            continue  # only the people who connect other systems use it
        url = None
        if url_name:
            try:
                url = reverse(url_name)
            except NoReverseMatch:
                url = None
        items.append({"key": key, "label": label, "url": url})
    return {
        "nav_modules": items,
        "nav_roles": sorted(roles_of(user)),
        # Everyone may read the audit history of their own record, so the page is always listed.
        "nav_can_view_audit": True,
        "nav_can_import": has_capability(user, Capability.IMPORT_EMPLOYEES),
        "nav_can_change_org": has_capability(user, Capability.CHANGE_ORG),
    }
