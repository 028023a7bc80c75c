from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "hris.notifications"
    label = "notifications"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from hris.core.events import register_receiver
        from hris.notifications.delivery import register_kind
        from hris.notifications.receivers import on_event
        from hris.notifications.sending import CHANNEL_KIND

        register_kind(CHANNEL_KIND)
        register_receiver(on_event)
