"""Pages under /calibration/."""

app_name = "calibration"
urlpatterns: list = []
