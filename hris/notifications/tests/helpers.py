"""Shared set-up of the notification tests."""

from __future__ import annotations

from django.db import transaction

from hris.core.events import emit
from hris.notifications.services import channel_create

EVENT = "kpi.adjustment_made"


def make_channel(world, kind: str, url: str = "", secret: str = "", events=(EVENT,), name: str | None = None):  # noqa: ANN001, ANN201
    return channel_create(
        actor=world.user("hr_admin"),
        company=world.company,
        name=name or f"{kind} robot",
        kind=kind,
        webhook_url=url,
        secret=secret,
        event_keys=list(events),
    )


def emit_adjustment(world, capture, recipients=("w1_worker",), key: str = EVENT) -> None:  # noqa: ANN001
    """Emit in its own transaction and run what is queued on commit (the Celery tasks, eager)."""
    with capture(execute=True), transaction.atomic():
        emit(
            key,
            company_id=world.company.pk,
            payload={"assessment": 7, "delta": "2.00"},
            recipients=[world.users[name].pk for name in recipients],
            title="分数已调整",
            body="赵总将总分调整 +2.00：超额完成季度目标",
            link="/kpi/scores/assessments/7/",
            actor_id=world.users["ceo"].pk,
        )
