"""Rate limits for system integrations, one bucket per OAuth2 application."""

from __future__ import annotations

from oauth2_provider.models import AbstractAccessToken
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


class ApiClientRateThrottle(SimpleRateThrottle):
    """Limits token clients by application, so one busy integration cannot starve the
    others that share a service account. Session users are left to the user throttle."""

    scope = "api_client"

    def get_rate(self) -> str | None:
        # Read at request time (not class definition) so the rate follows the settings.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request, view) -> str | None:  # noqa: ANN001
        token = request.auth
        if not isinstance(token, AbstractAccessToken) or not token.application_id:
            return None
        return self.cache_format % {"scope": self.scope, "ident": token.application_id}
