"""Rate limit of the ingestion endpoint, per API client (or per signed-in user)."""

from __future__ import annotations

import os

from oauth2_provider.models import AbstractAccessToken
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

DEFAULT_RATE = "120/minute"


class MetricIngestionThrottle(SimpleRateThrottle):
    """Batches per minute: one bucket per OAuth2 application, or per user for the web session.

    The rate is `DEFAULT_THROTTLE_RATES["metric_ingestion"]` when the settings name it, else the
    environment variable RENSHI_METRIC_INGESTION_RATE, else 120 batches a minute."""

    scope = "metric_ingestion"

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope) or os.environ.get("RENSHI_METRIC_INGESTION_RATE", DEFAULT_RATE)

    def get_cache_key(self, request, view) -> str | None:  # noqa: ANN001
        token = request.auth
        if isinstance(token, AbstractAccessToken) and token.application_id:
            ident = f"app-{token.application_id}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
