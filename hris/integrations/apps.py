from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "hris.integrations"
    label = "integrations"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Integrations"
