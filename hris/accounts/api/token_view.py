"""/o/token/ with a limit on failed attempts, like the sign-in page's lockout (django-axes).

Like the sign-in lockout (username + address), failures count per client id and address: after
RENSHI_TOKEN_FAILURE_LIMIT failed attempts for one client from one address within
RENSHI_TOKEN_FAILURE_WINDOW seconds, that pair gets 429 with Retry-After for the rest of the
window, even with the right secret, so a client secret cannot be guessed at speed. The real
integration, from its own address, is not affected; a success before the limit clears the count.
The counter lives in the shared cache (RENSHI_CACHE_URL), so it holds across web workers.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import time
from urllib.parse import unquote_plus

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


def _client_id(request: HttpRequest) -> str:
    """From the form body or HTTP Basic (RFC 6749 §2.3.1: form-encoded id before the colon)."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header[:6].lower() == "basic ":
        try:
            return unquote_plus(base64.b64decode(header[6:].strip()).decode("utf-8").split(":", 1)[0])
        except (ValueError, UnicodeDecodeError):
            return ""
    return str(request.POST.get("client_id", ""))


def _bucket(request: HttpRequest) -> str:
    key = hashlib.sha256(f"{_client_id(request)}|{request.META.get('REMOTE_ADDR', '')}".encode()).hexdigest()
    return f"oauth-token-failures:{key}"


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
                "error_description": _("Too many failed attempts for this client from this address; try again in %(seconds)s seconds.")
                % {"seconds": retry_after},
            }
            response = HttpResponse(json.dumps(body), status=429, content_type="application/json")
            response["Retry-After"] = str(retry_after)
            response["Cache-Control"] = "no-store"
            return response
        response = super().post(request, *args, **kwargs)
        if response.status_code == 200 and failures:
            cache.delete(bucket)
        elif _failed_client_authentication(response):
            failures.append(now)
            cache.set(bucket, failures, window)
            if len(failures) == limit:
                logger.warning(
                    "OAuth2 token requests for client %r from %s are refused for %s s after %s failures",
                    _client_id(request)[:80],
                    request.META.get("REMOTE_ADDR", ""),
                    window,
                    limit,
                )
        return response
