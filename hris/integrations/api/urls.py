"""API routes under /api/v1/ for integrations; included by hris.core.api.v1_urls."""

from django.urls import path

from hris.integrations.api import identity_views, views

urlpatterns = [
    path("metrics/batches/", views.MetricBatchCreateView.as_view(), name="metric-batch-list"),
    path("metrics/batches/<uuid:batch_id>/", views.MetricBatchDetailView.as_view(), name="metric-batch-detail"),
    path("external-identities/", identity_views.ExternalIdentityListView.as_view(), name="external-identity-list"),
    path("external-identities/bulk/", identity_views.ExternalIdentityBulkView.as_view(), name="external-identity-bulk"),
    path("external-identities/<int:pk>/", identity_views.ExternalIdentityDetailView.as_view(), name="external-identity-detail"),
]
