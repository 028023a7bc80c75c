"""The project's URLs plus the my-ratings API, as the lead registers it in hris/core/api/v1_urls.py."""

from django.urls import include, path

from config.urls import urlpatterns as project_urlpatterns
from hris.core.api.v1_urls import JsonRouter
from hris.kpi.api.ratings import MyRatingViewSet

router = JsonRouter()
router.register("kpi/my-ratings", MyRatingViewSet, basename="kpi-my-rating")

urlpatterns = [path("api/v1/", include(router.urls)), *project_urlpatterns]
