"""KPI cycles pages: URL patterns (prefixes included), all in the `kpi` namespace."""

from django.urls import path

from hris.kpi.views import corrections, cycle_data, cycles, metric_records, progress

urlpatterns: list = [
    path("cycles/", cycles.cycle_list, name="cycle_list"),
    path("cycles/new/", cycles.cycle_create_view, name="cycle_create"),
    path("cycles/<int:pk>/", cycles.cycle_detail, name="cycle_detail"),
    path("cycles/<int:pk>/transition/<slug:action>/", cycles.cycle_transition, name="cycle_transition"),
    path("cycles/<int:pk>/assignments/add/", cycles.assignment_add_view, name="assignment_add"),
    path("cycles/<int:pk>/assignments/<int:assignment_id>/remove/", cycles.assignment_remove_view, name="assignment_remove"),
    path("cycles/<int:pk>/weights/<int:version_id>/", cycles.cycle_weights_view, name="cycle_weights"),
    path("cycles/<int:pk>/compute/", progress.cycle_compute, name="cycle_compute"),
    path("cycles/<int:pk>/live/", progress.cycle_live_progress, name="cycle_live_progress"),
    path("runs/<int:run_id>/progress/", progress.run_progress, name="run_progress"),
    path("assets/plotly.min.js", progress.plotly_js, name="plotly_js"),
    # targets of a cycle: upload → preview → commit
    path("cycles/<int:pk>/targets/import/", cycle_data.targets_import, name="targets_import"),
    path("cycles/<int:pk>/targets/import/<slug:token>/", cycle_data.targets_import_preview, name="targets_import_preview"),
    path("cycles/<int:pk>/targets/import/<slug:token>/errors.xlsx", cycle_data.targets_import_errors, name="targets_import_errors"),
    path("cycles/<int:pk>/targets/template.xlsx", cycle_data.targets_template, name="targets_template"),
    # metric records: file import, hand entry, the list and each record's history
    path("metrics/", metric_records.metric_record_list, name="metric_records"),
    path("metrics/new/", metric_records.metric_record_create, name="metric_record_create"),
    path("metrics/<int:record_id>/", metric_records.metric_record_history_view, name="metric_record_history"),
    path("metrics/<int:record_id>/correct/", corrections.metric_record_correction, name="metric_record_correct"),
    path("metrics/import/", cycle_data.metrics_import, name="metrics_import"),
    path("metrics/import/<slug:token>/", cycle_data.metrics_import_preview, name="metrics_import_preview"),
    path("metrics/import/<slug:token>/errors.xlsx", cycle_data.metrics_import_errors, name="metrics_import_errors"),
]
