"""The one place for outbound delivery mechanics, shared by channel deliveries (email and
group robots, this app) and outbound webhook deliveries (hris.integrations.webhooks).

A delivery is a row written in the emitting transaction (status `queued`) and sent by the
Celery task `notifications.send_delivery` queued with `transaction.on_commit`. Each attempt:

1. **claims** the row with one conditional UPDATE (status queued/retrying, due, not leased by
   another worker) and counts the attempt, so two workers or a re-run task never send a row
   twice, and a row already `sent` or `failed` is left alone (idempotent tasks);
2. calls the kind's sender, which returns an `Outcome` (never raises for remote problems);
3. records the outcome: `sent`; or `retrying` with `next_attempt_at` from `BACKOFF_SECONDS`
   (1 min, 5 min, 30 min, 2 h; a longer `Retry-After` of a 429 wins) when the problem is
   transient (network error, timeout, HTTP 429 or 5xx, vendor rate limiting) and attempts
   remain; else `failed` with the error shown in the delivery log.

Retries are picked up by the periodic task `notifications.retry_due_deliveries` (every
minute, a django-celery-beat row created by the notifications migration), which queues every
due row of every registered kind: the schedule lives in the database, not in broker ETAs.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import requests
from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hris.core.models import BaseModel

logger = logging.getLogger(__name__)

# Seconds to wait after attempt 1, 2, 3, 4; attempt 5 is the last.
BACKOFF_SECONDS: tuple[int, ...] = (60, 300, 1800, 7200)
MAX_ATTEMPTS = len(BACKOFF_SECONDS) + 1
# A Retry-After longer than this is not honoured (the backoff applies instead).
RETRY_AFTER_CAP_SECONDS = 24 * 3600
# How long a claimed row is reserved for the worker sending it; a worker that died while
# sending releases the row when the lease runs out.
CLAIM_LEASE = timedelta(minutes=5)
EXCERPT_LENGTH = 2000


def outbound_timeout() -> tuple[float, float]:
    """(connect, read) seconds for every outbound request; setting `RENSHI_OUTBOUND_TIMEOUT`."""
    configured = getattr(settings, "RENSHI_OUTBOUND_TIMEOUT", (3.05, 10.0))
    if isinstance(configured, int | float):
        return (float(configured), float(configured))
    return (float(configured[0]), float(configured[1]))


def base_url() -> str:
    return str(getattr(settings, "RENSHI_BASE_URL", "http://127.0.0.1:8000")).rstrip("/")


def absolute_link(link: str) -> str:
    """A product path made absolute with RENSHI_BASE_URL; absolute http(s) links are kept."""
    if not link:
        return base_url() + "/"
    if link.startswith(("http://", "https://")):
        return link
    return base_url() + (link if link.startswith("/") else "/" + link)


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    RETRYING = "retrying", _("Retrying")


PENDING_STATUSES = (DeliveryStatus.QUEUED, DeliveryStatus.RETRYING)


class DeliveryBase(BaseModel):
    """Fields every delivery has; concrete models add what they deliver and to where."""

    uuid = models.UUIDField(_("delivery id"), default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey("org.Company", on_delete=models.CASCADE, related_name="+", verbose_name=_("company"))
    event_key = models.CharField(_("event"), max_length=64, db_index=True)
    status = models.CharField(_("status"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    response_code = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    response_excerpt = models.TextField(_("response body (excerpt)"), blank=True)
    error = models.TextField(_("error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True, editable=False)
    resend_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="resends", verbose_name=_("resend of")
    )

    class Meta:
        abstract = True

    @property
    def is_pending(self) -> bool:
        return self.status in PENDING_STATUSES

    @property
    def status_badge(self) -> str:
        return {
            DeliveryStatus.SENT: "text-bg-success",
            DeliveryStatus.FAILED: "text-bg-danger",
            DeliveryStatus.RETRYING: "text-bg-warning",
        }.get(self.status, "text-bg-secondary")


@dataclass(frozen=True)
class Outcome:
    """What one attempt achieved. `retryable` marks transient problems."""

    ok: bool
    retryable: bool = False
    response_code: int | None = None
    response_excerpt: str = ""
    error: str = ""
    retry_after: int | None = None


VendorCheck = Callable[[requests.Response], Outcome | None]


def outcome_of_response(response: requests.Response, vendor_check: VendorCheck | None = None) -> Outcome:
    """2xx is success unless `vendor_check` finds an error in the body; 429 and 5xx are transient."""
    excerpt = (response.text or "")[:EXCERPT_LENGTH]
    code = response.status_code
    if 200 <= code < 300:
        if vendor_check is not None:
            problem = vendor_check(response)
            if problem is not None:
                return Outcome(ok=False, retryable=problem.retryable, response_code=code, response_excerpt=excerpt, error=problem.error)
        return Outcome(ok=True, response_code=code, response_excerpt=excerpt)
    retry_after = _retry_after_seconds(response.headers.get("Retry-After", "")) if code == 429 else None
    return Outcome(
        ok=False,
        retryable=code == 429 or code >= 500,
        response_code=code,
        response_excerpt=excerpt,
        error=str(_("The server answered HTTP %(code)s.") % {"code": code}),
        retry_after=retry_after,
    )


def _retry_after_seconds(value: str) -> int | None:
    value = value.strip()
    if value.isdigit():
        return min(int(value), RETRY_AFTER_CAP_SECONDS)
    return None


def outcome_of_exception(error: Exception) -> Outcome:
    """Network problems are transient; anything else about the request is not."""
    if isinstance(error, requests.Timeout):
        return Outcome(ok=False, retryable=True, error=str(_("No answer within the time limit (%(error)s).") % {"error": error}))
    if isinstance(error, requests.ConnectionError):
        return Outcome(ok=False, retryable=True, error=str(_("Could not connect (%(error)s).") % {"error": error}))
    return Outcome(ok=False, retryable=False, error=str(error) or error.__class__.__name__)


def post(url: str, *, body: bytes, headers: dict[str, str], vendor_check: VendorCheck | None = None) -> Outcome:
    """POST with the outbound timeouts, no redirects followed, and the result classified."""
    try:
        response = requests.post(
            url,
            data=body,
            headers={"Content-Type": "application/json; charset=utf-8", **headers},
            timeout=outbound_timeout(),
            allow_redirects=False,
        )
    except requests.RequestException as error:
        return outcome_of_exception(error)
    return outcome_of_response(response, vendor_check)


def next_attempt_delay(attempts: int, retry_after: int | None = None) -> timedelta:
    """Wait before attempt `attempts + 1`."""
    seconds = BACKOFF_SECONDS[min(attempts, len(BACKOFF_SECONDS)) - 1]
    if retry_after:
        seconds = max(seconds, retry_after)
    return timedelta(seconds=seconds)


@dataclass(frozen=True)
class DeliveryKind:
    """A kind of delivery: its model and the function sending one row."""

    label: str
    model: type[DeliveryBase]
    send: Callable[[Any], Outcome]
    # Fields copied to a new row by a manual resend.
    resend_fields: tuple[str, ...]


_kinds: dict[str, DeliveryKind] = {}


def register_kind(kind: DeliveryKind) -> None:
    _kinds[kind.label] = kind


def kind_of(label: str) -> DeliveryKind:
    return _kinds[label]


def registered_kinds() -> list[DeliveryKind]:
    return list(_kinds.values())


def queue_after_commit(label: str, delivery_ids: Iterable[int]) -> None:
    """Queue the sending of each row once the emitting transaction commits."""
    from hris.notifications.tasks import send_delivery

    for delivery_id in delivery_ids:
        transaction.on_commit(lambda delivery_id=delivery_id: send_delivery.delay(label, delivery_id))


def _claim(model: type[DeliveryBase], delivery_id: int, now: datetime) -> bool:
    claimed = (
        model.objects.filter(pk=delivery_id, status__in=PENDING_STATUSES)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(claimed_until=now + CLAIM_LEASE, attempts=F("attempts") + 1, last_attempt_at=now)
    )
    return claimed == 1


def attempt(label: str, delivery_id: int) -> DeliveryBase | None:
    """One attempt at one row; None when the row is not due (already sent, failed, leased or waiting)."""
    kind = kind_of(label)
    now = timezone.now()
    if not _claim(kind.model, delivery_id, now):
        return None
    delivery = kind.model.objects.select_related("company").filter(pk=delivery_id).first()
    if delivery is None:  # deleted with its channel or subscription since it was claimed
        return None
    try:
        outcome = kind.send(delivery)
    except Exception as error:  # a bug in a sender must not leave the row leased for ever
        logger.exception("Sending %s delivery %s failed unexpectedly", label, delivery_id)
        outcome = Outcome(ok=False, retryable=False, error=f"{error.__class__.__name__}: {error}")
    return _record(kind, delivery, outcome)


def _record(kind: DeliveryKind, delivery: DeliveryBase, outcome: Outcome) -> DeliveryBase:
    finished = timezone.now()
    delivery.response_code = outcome.response_code
    delivery.response_excerpt = outcome.response_excerpt
    delivery.error = "" if outcome.ok else outcome.error[:EXCERPT_LENGTH]
    delivery.claimed_until = None
    if outcome.ok:
        delivery.status, delivery.sent_at, delivery.next_attempt_at = DeliveryStatus.SENT, finished, None
    elif outcome.retryable and delivery.attempts < MAX_ATTEMPTS:
        delivery.status = DeliveryStatus.RETRYING
        delivery.next_attempt_at = delivery.last_attempt_at + next_attempt_delay(delivery.attempts, outcome.retry_after)
    else:
        delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
    fields = ["status", "sent_at", "next_attempt_at", "response_code", "response_excerpt", "error", "claimed_until"]
    delivery.updated_at = finished
    # An UPDATE, not save(): if the row went with its channel or subscription while it was being sent,
    # there is nothing left to record and that is not an error.
    kind.model.objects.filter(pk=delivery.pk).update(updated_at=finished, **{name: getattr(delivery, name) for name in fields})
    return delivery


def due_ids(model: type[DeliveryBase], now: datetime | None = None, limit: int = 500) -> list[int]:
    now = now or timezone.now()
    rows = (
        model.objects.filter(status__in=PENDING_STATUSES)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)
    )
    return list(rows[:limit])


def queue_due() -> int:
    """Queue every due row of every kind (the periodic retry sweep); returns how many."""
    from hris.notifications.tasks import send_delivery

    queued = 0
    for kind in registered_kinds():
        for delivery_id in due_ids(kind.model):
            send_delivery.delay(kind.label, delivery_id)
            queued += 1
    return queued


def resend(label: str, delivery: DeliveryBase) -> DeliveryBase:
    """A new queued row with the same content (the original row and its log stay as they were).
    Call inside the caller's transaction; the sending is queued on commit."""
    kind = kind_of(label)
    copy = kind.model(
        company_id=delivery.company_id,
        event_key=delivery.event_key,
        resend_of=delivery,
        next_attempt_at=timezone.now(),
        **{name: getattr(delivery, name) for name in kind.resend_fields},
    )
    copy.full_clean()
    copy.save()
    queue_after_commit(label, [copy.pk])
    return copy
