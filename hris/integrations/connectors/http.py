"""Outbound HTTP for connectors: always a timeout; network errors, timeouts, 429 and 5xx are
retried with exponential backoff (Retry-After honoured, bounded); 401/403, other 4xx and
answers that are not JSON are terminal and explained plainly."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import requests
from django.conf import settings
from django.utils.translation import gettext as _


class SyncError(Exception):
    """The run cannot go on. `terminal` errors would fail again the same way if retried."""

    def __init__(self, message: str, *, terminal: bool = True):
        super().__init__(message)
        self.message = message
        self.terminal = terminal


def _setting(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


class HttpClient:
    def __init__(self, *, sleep: Callable[[float], None] = time.sleep):
        self.timeout = _setting("RENSHI_CONNECTOR_TIMEOUT", 20.0)
        self.retries = int(_setting("RENSHI_CONNECTOR_RETRIES", 4))
        self.backoff = _setting("RENSHI_CONNECTOR_BACKOFF", 1.0)
        self.max_wait = _setting("RENSHI_CONNECTOR_MAX_WAIT", 60.0)
        self.sleep = sleep
        self.session = requests.Session()
        self.requests_made = 0

    def _wait(self, attempt: int, response: requests.Response | None) -> float:
        if response is not None and response.headers.get("Retry-After", "").strip().isdigit():
            return min(float(response.headers["Retry-After"]), self.max_wait)
        return min(self.backoff * (2**attempt), self.max_wait)

    def request_json(self, method: str, url: str, **kwargs: Any) -> Any:
        last_problem = ""
        for attempt in range(self.retries + 1):
            response = None
            try:
                self.requests_made += 1
                response = self.session.request(method, url, timeout=self.timeout, **kwargs)
            except requests.Timeout:
                last_problem = _("the server did not answer within %(seconds)s seconds") % {"seconds": f"{self.timeout:g}"}
            except requests.ConnectionError as error:
                last_problem = _("the connection failed (%(error)s)") % {"error": type(error).__name__}
            except requests.RequestException as error:
                raise SyncError(_("The request could not be sent: %(error)s") % {"error": error})
            else:
                status = response.status_code
                if status in (401, 403):
                    raise SyncError(
                        _("The server refused the credentials (HTTP %(status)s). Check the saved credentials and their permissions.")
                        % {"status": status}
                    )
                if status == 429 or status >= 500:
                    last_problem = _("the server answered HTTP %(status)s") % {"status": status}
                elif status >= 400:
                    raise SyncError(
                        _("The server rejected the request (HTTP %(status)s): %(body)s") % {"status": status, "body": response.text[:300]}
                    )
                else:
                    try:
                        return response.json()
                    except ValueError:
                        raise SyncError(
                            _("The server answered with something that is not JSON (HTTP %(status)s, starts with “%(start)s”).")
                            % {"status": status, "start": response.text[:60]}
                        )
            if attempt < self.retries:
                self.sleep(self._wait(attempt, response))
        raise SyncError(
            _("Gave up after %(attempts)s attempts: %(problem)s.") % {"attempts": self.retries + 1, "problem": last_problem}, terminal=False
        )
