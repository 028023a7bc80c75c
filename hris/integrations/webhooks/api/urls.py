"""API routes under /api/v1/ for webhooks; included by hris.core.api.v1_urls."""

from rest_framework.routers import DefaultRouter

from hris.integrations.webhooks.api.views import DeliveryViewSet, SubscriptionViewSet


class _Router(DefaultRouter):
    include_format_suffixes = False
    include_root_view = False

    def __init__(self) -> None:
        super().__init__(use_regex_path=False)


router = _Router()
router.register("webhooks/subscriptions", SubscriptionViewSet, basename="webhook-subscription")
router.register("webhooks/deliveries", DeliveryViewSet, basename="webhook-delivery")
urlpatterns = router.urls
