"""Pages under /integrations/."""

from django.urls import path

from hris.integrations import views

app_name = "integrations"
urlpatterns = [
    path("", views.home, name="home"),
    path("batches/<uuid:batch_id>/", views.batch_detail, name="batch_detail"),
    path("identities/", views.identities, name="identities"),
    path("identities/upload/", views.identity_upload, name="identity_upload"),
    path("identities/<int:identity_id>/delete/", views.identity_delete, name="identity_delete"),
    path("clients/", views.api_clients, name="api_clients"),
    path("docs/", views.docs, name="docs"),
]
