from django.apps import AppConfig


class CalibrationConfig(AppConfig):
    name = "hris.calibration"
    label = "calibration"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Calibration"
