from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from oauth2_provider import views as oauth2_views

from hris.accounts.api.token_view import LimitedTokenView

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    # Only what client-credentials integrations need: no authorization-code, device,
    # application-registration or dynamic-client-registration endpoints are exposed.
    path("o/token/", LimitedTokenView.as_view(), name="oauth2-token"),  # failed attempts limited per address
    path("o/revoke_token/", oauth2_views.RevokeTokenView.as_view(), name="oauth2-revoke-token"),
    path("o/introspect/", oauth2_views.IntrospectTokenView.as_view(), name="oauth2-introspect"),
    path("", include("hris.core.api.urls")),
    path("accounts/", include("hris.accounts.urls")),
    path("org/", include("hris.org.urls")),
    path("people/", include("hris.people.urls")),
    path("audit/", include("hris.audit.urls")),
    path("kpi/", include("hris.kpi.urls")),
    path("reviews/", include("hris.reviews.urls")),
    path("calibration/", include("hris.calibration.urls")),
    path("notifications/", include("hris.notifications.urls")),
    path("integrations/connectors/", include("hris.integrations.connectors.urls")),
    path("integrations/webhooks/", include("hris.integrations.webhooks.urls")),
    path("integrations/", include("hris.integrations.urls")),
    path("", include("hris.core.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler500 = "hris.core.views.server_error"
