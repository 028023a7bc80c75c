"""KPI library pages: URL patterns (prefixes included), all in the `kpi` namespace."""

from django.urls import path

from hris.kpi.views import library, library_export, templates_builder

urlpatterns = [
    path("library/", library.indicator_list, name="indicator_list"),
    path("library/new/", library.indicator_create_view, name="indicator_create"),
    path("library/<int:indicator_id>/edit/", library.indicator_edit_view, name="indicator_edit"),
    path("library/rule-preview/", library.rule_preview, name="rule_preview"),
    path("library/export/", library_export.library_export, name="library_export"),
    path("library/import/", library_export.library_import_view, name="library_import"),
    path("library/load-standard/", library_export.library_load_standard_view, name="library_load_standard"),
    path("templates/", templates_builder.template_list, name="template_list"),
    path("templates/new/", templates_builder.template_create_view, name="template_create"),
    path("templates/<int:template_id>/", templates_builder.template_detail, name="template_detail"),
    path("templates/<int:template_id>/edit/", templates_builder.template_edit_view, name="template_edit"),
]
