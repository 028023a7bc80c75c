from django.apps import AppConfig


class KpiConfig(AppConfig):
    name = "hris.kpi"
    label = "kpi"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "KPI"
