from django.apps import AppConfig


class ConnectorsConfig(AppConfig):
    name = "hris.integrations.connectors"
    label = "connectors"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Connectors"
