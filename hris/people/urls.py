from django.urls import path

from hris.people.views import actions, directory, login, profile, status

app_name = "people"
urlpatterns = [
    path("", directory.employee_directory, name="directory"),
    path("me/", profile.my_profile, name="me"),
    path("new/", actions.employee_create_view, name="create"),
    path("<int:pk>/", profile.employee_detail, name="detail"),
    path("<int:pk>/edit/", actions.employee_edit_view, name="edit"),
    path("<int:pk>/login/", login.employee_login_create_view, name="create_login"),
    path("<int:pk>/contracts/add/", actions.contract_add_view, name="contract_add"),
    path("<int:pk>/id-number/reveal/", profile.reveal_id_number, name="reveal_id_number"),
    path("<int:pk>/confirm-probation/", status.employee_status_change, {"kind": "confirm_probation"}, name="confirm_probation"),
    path("<int:pk>/leave/start/", status.employee_status_change, {"kind": "start_leave"}, name="start_leave"),
    path("<int:pk>/leave/end/", status.employee_status_change, {"kind": "end_leave"}, name="end_leave"),
    path("<int:pk>/terminate/", status.employee_status_change, {"kind": "terminate"}, name="terminate"),
    path("<int:pk>/rehire/", status.employee_status_change, {"kind": "rehire"}, name="rehire"),
]

# Spreadsheet import and export (hris/people/import_views.py).
from hris.people import import_views  # noqa: E402

urlpatterns += [
    path("import/", import_views.upload, name="import"),
    path("import/template/<str:kind>.xlsx", import_views.template_download, name="import_template"),
    path("import/<int:job_id>/", import_views.job_detail, name="import_job"),
    path("import/<int:job_id>/progress/", import_views.job_progress, name="import_job_progress"),
    path("import/<int:job_id>/commit/", import_views.job_commit, name="import_job_commit"),
    path("import/<int:job_id>/errors.xlsx", import_views.job_error_file, name="import_job_errors"),
    path("export/", import_views.export, name="export"),
]
