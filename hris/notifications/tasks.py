"""Sending deliveries (channel messages and webhooks) and the periodic retry sweep. Both
take ids and are idempotent: see hris.notifications.delivery for the claim and the backoff."""

from celery import shared_task


@shared_task(name="notifications.send_delivery", ignore_result=True)
def send_delivery(kind: str, delivery_id: int) -> None:
    from hris.notifications.delivery import attempt

    attempt(kind, delivery_id)


@shared_task(name="notifications.retry_due_deliveries", ignore_result=True)
def retry_due_deliveries() -> int:
    from hris.notifications.delivery import queue_due

    return queue_due()
