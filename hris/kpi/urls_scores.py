"""KPI scores pages: URL patterns (prefixes included), all in the `kpi` namespace."""

from django.urls import path

from hris.kpi.views import corrections, scores

urlpatterns: list = [
    path("", scores.home, name="home"),
    path("me/", scores.my_scores, name="my_scores"),
    path("cycles/<int:pk>/assessments/", scores.cycle_assessments, name="cycle_assessments"),
    path("assessments/<int:pk>/", scores.assessment_detail, name="assessment_detail"),
    path("assessments/<int:pk>/what-if/", scores.assessment_what_if, name="assessment_what_if"),
    path("assessments/<int:pk>/weights/", corrections.assessment_weights, name="assessment_weights"),
]
