"""Business events and the one place they are announced.

A service that does something people or other systems should hear about calls `emit()` inside
its transaction. Receivers (in-app notifications and IM/email channels in `hris.notifications`,
outbound webhooks in `hris.integrations.webhooks`) register in their AppConfig.ready(); each
receiver records what it must deliver in the same transaction and queues the sending with
`transaction.on_commit`, so a rolled-back change announces nothing.

Why not Django signals: the event catalogue is part of the product (webhook subscribers and
channel settings pick from it), and a receiver that fails must fail the emitting transaction
loudly rather than be swallowed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class EventType:
    key: str
    label: Promise | str
    # Offered to webhook subscribers (events about people's private results are not).
    webhook: bool = True


# The catalogue. Keys are stable identifiers used in webhook payloads and channel settings.
EVENT_TYPES: dict[str, EventType] = {
    event.key: event
    for event in [
        EventType("kpi.rating_requested", _("Rating requested"), webhook=False),
        EventType("kpi.rating_reminder", _("Rating deadline reminder"), webhook=False),
        EventType("kpi.review_started", _("Cycle submitted for review")),
        EventType("kpi.adjustment_made", _("Score adjustment made")),
        EventType("kpi.approval_requested", _("Results awaiting approval")),
        EventType("kpi.results_approved", _("Results approved")),
        EventType("kpi.results_returned", _("Results returned for changes")),
        EventType("kpi.score_published", _("Score published")),
        EventType("kpi.result_corrected", _("Published result corrected")),
        EventType("kpi.acknowledged", _("Result acknowledged"), webhook=False),
        EventType("kpi.appeal_filed", _("Appeal filed")),
        EventType("kpi.appeal_resolved", _("Appeal resolved")),
        EventType("kpi.cycle_closed", _("Cycle closed")),
        EventType("integrations.sync_failed", _("Connector sync failed")),
        EventType("integrations.batch_completed", _("Metric batch ingested")),
    ]
}


@dataclass(frozen=True)
class Event:
    """What happened. `payload` is JSON-serialisable and safe to send to subscribed systems;
    `recipient_user_ids` are the people to notify in the product (may be empty);
    `title`/`body` are the human message (already in the language of the change's actor is
    fine: receivers store them as given); `link` is a path in the product."""

    key: str
    company_id: int
    payload: dict[str, Any]
    recipient_user_ids: tuple[int, ...] = ()
    title: str = ""
    body: str = ""
    link: str = ""
    actor_id: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


Receiver = Callable[[Event], None]
_receivers: list[Receiver] = []


def register_receiver(receiver: Receiver) -> None:
    if receiver not in _receivers:
        _receivers.append(receiver)


def emit(
    key: str,
    *,
    company_id: int,
    payload: dict[str, Any],
    recipients: Iterable[int] = (),
    title: str = "",
    body: str = "",
    link: str = "",
    actor_id: int | None = None,
) -> Event:
    """Announce an event to every receiver. Call inside the transaction that made the change."""
    if key not in EVENT_TYPES:
        raise ValueError(f"Unknown event {key!r}; add it to hris.core.events.EVENT_TYPES")
    event = Event(
        key=key,
        company_id=company_id,
        payload=payload,
        recipient_user_ids=tuple(dict.fromkeys(int(user_id) for user_id in recipients if user_id)),
        title=str(title),
        body=str(body),
        link=link,
        actor_id=actor_id,
    )
    for receiver in list(_receivers):
        receiver(event)
    return event
