from django.urls import path

from hris.org import views

app_name = "org"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("departments/new/", views.department_create, name="department_create"),
    path("departments/<int:department_id>/edit/", views.department_edit, name="department_edit"),
    path("departments/<int:department_id>/move/", views.department_move, name="department_move"),
    path("departments/<int:department_id>/close/", views.department_close, name="department_close"),
    path("positions/", views.positions, name="positions"),
    path("positions/new/", views.position_create, name="position_create"),
    path("positions/<int:position_id>/edit/", views.position_edit, name="position_edit"),
    path("branches/", views.branches, name="branches"),
    path("branches/new/", views.branch_create, name="branch_create"),
    path("chart/", views.chart, name="chart"),
    path("chart/<int:employee_id>/reports/", views.chart_reports, name="chart_reports"),
]
