from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "hris.integrations.webhooks"
    label = "webhooks"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        from hris.core.events import register_receiver
        from hris.integrations.webhooks.receivers import on_event
        from hris.integrations.webhooks.sending import WEBHOOK_KIND
        from hris.notifications.delivery import register_kind

        register_kind(WEBHOOK_KIND)
        register_receiver(on_event)
