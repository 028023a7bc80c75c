"""/o/token/ with a limit on failed attempts, like the sign-in page's lockout (django-axes).

A caller (IP address) that fails to authenticate a client RENSHI_TOKEN_FAILURE_LIMIT times
within RENSHI_TOKEN_FAILURE_WINDOW seconds gets 429 with Retry-After for the rest of the window,
even with the right secret, so client secrets cannot be guessed at speed. Other callers — the
real integration, from its own address — are not affected. The counter lives in the shared
cache (RENSHI_CACHE_URL), so it holds across web workers.
"""

from __future__ import annotations

import json
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from oauth2_provider.views import TokenView

logger = logging.getLogger(__name__)

# OAuth2 errors that mean "these client credentials are wrong" (RFC 6749 §5.2).
FAILED_CLIENT_AUTHENTICATION = {"invalid_client", "unauthorized_client", "invalid_grant"}


def _limit() -> tuple[int, int]:
    return settings.RENSHI_TOKEN_FAILURE_LIMIT, settings.RENSHI_TOKEN_FAILURE_WINDOW


def _bucket(request: HttpRequest) -> str:
    return f"oauth-token-failures:{request.META.get('REMOTE_ADDR', '')}"


def _failed_client_authentication(response: HttpResponse) -> bool:
    if response.status_code not in (400, 401):
        return False
    try:
        return json.loads(response.content).get("error") in FAILED_CLIENT_AUTHENTICATION
    except (ValueError, AttributeError):
        return False


class LimitedTokenView(TokenView):
    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:  # noqa: ANN002, ANN003
        limit, window = _limit()
        bucket = _bucket(request)
        now = time.time()
        failures = [moment for moment in cache.get(bucket, []) if moment > now - window]
        if len(failures) >= limit:
            retry_after = max(1, int(failures[0] + window - now) + 1)
            body = {
                "error": "too_many_requests",
                "error_description": _("Too many failed attempts from this address; try again in %(seconds)s seconds.")
                % {"seconds": retry_after},
            }
            response = HttpResponse(json.dumps(body), status=429, content_type="application/json")
            response["Retry-After"] = str(retry_after)
            response["Cache-Control"] = "no-store"
            return response
        response = super().post(request, *args, **kwargs)
        if _failed_client_authentication(response):
            failures.append(now)
            cache.set(bucket, failures, window)
            if len(failures) == limit:
                logger.warning("OAuth2 token requests from %s are refused for %s s after %s failures", bucket, window, limit)
        return response
