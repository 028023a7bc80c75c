"""API routes under /api/v1/ for notifications; included by hris.core.api.v1_urls."""

from rest_framework.routers import SimpleRouter

from hris.notifications.api.views import NotificationViewSet

router = SimpleRouter(use_regex_path=False)
router.register("notifications", NotificationViewSet, basename="notification")
urlpatterns: list = router.urls
