"""Pages under /integrations/connectors/."""

from django.urls import path

from hris.integrations.connectors import views

app_name = "connectors"
urlpatterns = [
    path("", views.connector_list, name="list"),
    path("new/", views.connector_create, name="create"),
    path("<int:connector_id>/", views.connector_detail, name="detail"),
    path("<int:connector_id>/edit/", views.connector_edit, name="edit"),
    path("<int:connector_id>/upload/", views.upload, name="upload"),
    path("<int:connector_id>/runs/<int:run_id>/", views.run_detail, name="run_detail"),
    path("<int:connector_id>/runs/<int:run_id>/errors.csv", views.run_errors_file, name="run_errors"),
    path("<int:connector_id>/runs/<int:run_id>/resume/", views.run_resume, name="run_resume"),
    path("<int:connector_id>/<slug:action>/", views.connector_action, name="action"),
]
