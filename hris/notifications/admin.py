"""Read-mostly admin views for support: secrets stay encrypted, deliveries are not edited by hand."""

from django.contrib import admin

from hris.notifications.models import Channel, Delivery, Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "recipient", "event_key", "created_at", "read_at"]
    list_filter = ["event_key"]
    search_fields = ["title", "recipient__username"]
    raw_id_fields = ["recipient"]


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ["name", "company", "kind", "webhook_url_hint", "secret_hint", "is_active"]
    list_filter = ["kind", "is_active"]
    readonly_fields = ["webhook_url_hint", "secret_hint"]
    exclude = ["webhook_url_encrypted", "secret_encrypted"]

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return False  # through the product's page, which encrypts the URL and the secret


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "event_key", "channel", "target", "status", "attempts", "response_code"]
    list_filter = ["status", "event_key"]

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False
