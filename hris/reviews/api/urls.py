"""API routes under /api/v1/ for reviews; included by hris.core.api.v1_urls."""

from django.urls import path

from hris.reviews.api import views

urlpatterns = [
    path(
        "reviews/assessments/<int:assessment_pk>/adjustments/",
        views.AssessmentAdjustmentViewSet.as_view({"get": "list", "post": "create"}),
        name="reviews-assessment-adjustments",
    ),
    path("reviews/cycles/<int:pk>/status/", views.CycleReviewViewSet.as_view({"get": "status"}), name="reviews-cycle-status"),
    path("reviews/cycles/<int:pk>/transitions/", views.CycleReviewViewSet.as_view({"post": "transition"}), name="reviews-cycle-transition"),
    path("reviews/results/<int:pk>/", views.ResultViewSet.as_view({"get": "retrieve"}), name="reviews-result"),
    path("reviews/results/<int:pk>/acknowledge/", views.ResultViewSet.as_view({"post": "acknowledge"}), name="reviews-result-acknowledge"),
    path("reviews/results/<int:pk>/appeal/", views.ResultViewSet.as_view({"post": "appeal"}), name="reviews-result-appeal"),
    path("reviews/appeals/", views.AppealViewSet.as_view({"get": "list"}), name="reviews-appeals"),
    path("reviews/appeals/<int:pk>/resolve/", views.AppealViewSet.as_view({"post": "resolve"}), name="reviews-appeal-resolve"),
]
