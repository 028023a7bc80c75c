"""How Renshi signs outbound webhooks, and how a receiver verifies them.

Every delivery is an HTTP POST of a JSON body (UTF-8)::

    {"id": "<delivery uuid>", "event": "<event key>", "created_at": "<ISO 8601>",
     "company": "<company code>", "data": {...the event's payload...}}

with these headers:

- ``X-Renshi-Event``: the event key (``webhook.test`` for the "send test event" button);
- ``X-Renshi-Delivery``: the delivery uuid (same as ``id``; a manual redelivery has a new one);
- ``X-Renshi-Timestamp``: Unix time in seconds when this attempt was signed;
- ``X-Renshi-Signature``: ``sha256=`` + lowercase hex of HMAC-SHA256 keyed with the
  subscription's secret over ``timestamp + "." + body`` (the exact bytes of the body).

To verify: recompute the HMAC over the received timestamp header, a dot and the raw body,
compare in constant time (``hmac.compare_digest``), and reject timestamps more than a few
minutes old to stop replays. Answer 2xx within the timeout to acknowledge; 429 and 5xx (or
no answer) are retried after 1 min, 5 min, 30 min and 2 h (5 attempts in all); any other
status is a failed delivery, which HR can redeliver from the delivery log.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

SECRET_PREFIX = "whsec_"


def generate_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int | str, body: bytes) -> str:
    message = str(timestamp).encode("ascii") + b"." + body
    return "sha256=" + hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def verify(secret: str, timestamp: int | str, body: bytes, received: str) -> bool:
    return hmac.compare_digest(signature(secret, timestamp, body), received)
