"""Rating pages: URL patterns (prefixes included), all in the `kpi` namespace."""

from django.urls import path

from hris.kpi.views import ratings

urlpatterns: list = [
    path("ratings/", ratings.my_ratings, name="my_ratings"),
    path("ratings/requests/<int:pk>/", ratings.rating_request_save, name="rating_request_save"),
    path("ratings/requests/<int:pk>/extend/", ratings.rating_request_extend_view, name="rating_request_extend"),
    path("ratings/cycles/<int:pk>/", ratings.cycle_rating_progress, name="cycle_rating_progress"),
    path("ratings/cycles/<int:pk>/settings/", ratings.cycle_rating_settings, name="cycle_rating_settings"),
    path("ratings/cycles/<int:pk>/generate/", ratings.cycle_rating_generate, name="cycle_rating_generate"),
    path("ratings/cycles/<int:pk>/remind/", ratings.cycle_rating_remind, name="cycle_rating_remind"),
    path("ratings/cycles/<int:pk>/peers/", ratings.cycle_peers, name="cycle_peers"),
    path("ratings/assessments/<int:pk>/", ratings.assessment_ratings_view, name="assessment_ratings"),
]
