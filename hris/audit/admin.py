from django.contrib import admin

from hris.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the trail is append-only, even for superusers."""

    list_display = ("sequence", "occurred_at", "actor_label", "action", "target_type", "target_label")
    list_filter = ("action", "target_type")
    search_fields = ("target_label", "actor_label", "reason")

    def has_add_permission(self, request):  # noqa: ANN001, ANN201
        return False

    def has_change_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return False

    def has_delete_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return False
