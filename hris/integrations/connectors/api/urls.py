"""API routes under /api/v1/ for connectors; included by hris.core.api.v1_urls."""

from rest_framework.routers import DefaultRouter

from hris.integrations.connectors.api.views import ConnectorViewSet, SyncRunViewSet


class _Router(DefaultRouter):
    include_format_suffixes = False
    include_root_view = False

    def __init__(self) -> None:
        super().__init__(use_regex_path=False)


router = _Router()
router.register("connectors", ConnectorViewSet, basename="connector")
router.register("connector-runs", SyncRunViewSet, basename="connector-run")
urlpatterns = router.urls
