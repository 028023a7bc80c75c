"""Pages under /calibration/."""

from django.urls import path

from hris.calibration import views

app_name = "calibration"
urlpatterns: list = [
    path("", views.index, name="index"),
    path("scale/", views.company_scale, name="company_scale"),
    path("cycles/<int:pk>/", views.cycle_calibration, name="cycle"),
    path("cycles/<int:pk>/notes/", views.note_add, name="note_add"),
    path("cycles/<int:pk>/nine-box/", views.nine_box, name="nine_box"),
    path("cycles/<int:pk>/scale/", views.cycle_scale, name="cycle_scale"),
    path("cycles/<int:pk>/results.xlsx", views.export_results, name="export_results"),
    path("assessments/<int:pk>/potential/", views.potential_set, name="potential_set"),
    path("assessments/<int:pk>/sheet/", views.result_sheet, name="result_sheet"),
]
