from django.contrib import admin
from django.http import HttpRequest


def _superusers_only(request: HttpRequest) -> bool:
    """The Django admin is a superuser tool; HR works in the product's own pages."""
    return request.user.is_active and request.user.is_superuser


admin.site.has_permission = _superusers_only
admin.site.site_header = "Renshi 人事 · administration"
