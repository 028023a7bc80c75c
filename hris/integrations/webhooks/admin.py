"""Read-mostly admin views for support: the secret stays encrypted, deliveries are not edited by hand."""

from django.contrib import admin

from hris.integrations.webhooks.models import WebhookDelivery, WebhookSubscription


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["name", "company", "target_url", "secret_hint", "is_active"]
    list_filter = ["is_active"]
    readonly_fields = ["secret_hint"]
    exclude = ["secret_encrypted"]

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return False  # through the product's page, which generates and shows the secret


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "event_key", "subscription", "status", "attempts", "response_code"]
    list_filter = ["status", "event_key"]

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False
