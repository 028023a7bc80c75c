"""Outbound webhooks over real loopback HTTP: the exact request (envelope, headers,
signature), retries with backoff, redelivery, the test event, and no double sending."""

import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from hris.core.events import emit
from hris.integrations.webhooks.models import WebhookDelivery, WebhookSubscription
from hris.integrations.webhooks.services import delivery_redeliver, subscription_create, subscription_send_test
from hris.integrations.webhooks.signing import signature, verify
from hris.notifications.tasks import retry_due_deliveries, send_delivery
from hris.notifications.tests.loopback import Reply, refused_url

pytestmark = pytest.mark.django_db

EVENT = "kpi.score_published"


def _subscribe(world, url: str, events=(EVENT,), name: str = "ERP"):  # noqa: ANN001, ANN202
    return subscription_create(actor=world.user("hr_admin"), company=world.company, name=name, target_url=url, event_keys=list(events))


def _emit(world, capture, key: str = EVENT, payload=None) -> None:  # noqa: ANN001
    with capture(execute=True), transaction.atomic():
        emit(key, company_id=world.company.pk, payload=payload or {"cycle": 3, "published": 120}, title="已发布")


def _only() -> WebhookDelivery:
    [delivery] = WebhookDelivery.objects.all()
    return delivery


def test_signature_is_hmac_sha256_of_timestamp_dot_body():
    body = b'{"id":"1","event":"kpi.score_published"}'
    expected = hmac.new(b"whsec_test", b"1700000000." + body, hashlib.sha256).hexdigest()

    assert signature("whsec_test", 1700000000, body) == "sha256=" + expected
    assert verify("whsec_test", "1700000000", body, "sha256=" + expected)
    assert not verify("whsec_other", "1700000000", body, "sha256=" + expected)


def test_subscriber_receives_the_signed_envelope(world, loopback, django_capture_on_commit_callbacks):
    subscription, secret = _subscribe(world, loopback.url("/hooks/renshi"))
    loopback.script(Reply(status=204, body=b""))

    _emit(world, django_capture_on_commit_callbacks)

    [request] = loopback.received
    delivery = _only()
    assert request.path == "/hooks/renshi"
    assert request.headers["x-renshi-event"] == EVENT
    assert request.headers["x-renshi-delivery"] == str(delivery.uuid)
    assert request.headers["content-type"] == "application/json; charset=utf-8"
    timestamp = request.headers["x-renshi-timestamp"]
    assert abs(int(timestamp) - timezone.now().timestamp()) < 5
    assert (
        request.headers["x-renshi-signature"]
        == "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + request.body, hashlib.sha256).hexdigest()
    )
    assert request.json() == {
        "id": str(delivery.uuid),
        "event": EVENT,
        "created_at": delivery.created_at.isoformat(),
        "company": "acme",
        "data": {"cycle": 3, "published": 120},
    }
    assert (delivery.status, delivery.attempts, delivery.response_code, delivery.error) == ("sent", 1, 204, "")
    assert delivery.request_body == request.body.decode()
    assert subscription.secret_encrypted != secret and secret not in subscription.secret_encrypted


def test_only_active_subscriptions_of_the_company_that_picked_the_event_receive_it(world, loopback, django_capture_on_commit_callbacks):
    _subscribe(world, loopback.url("/a"), name="A")
    _subscribe(world, loopback.url("/b"), events=("kpi.cycle_closed",), name="B")
    off, _ = _subscribe(world, loopback.url("/c"), name="C")
    WebhookSubscription.objects.filter(pk=off.pk).update(is_active=False)
    subscription_create(
        actor=world.user("other_hr"), company=world.other_company, name="D", target_url=loopback.url("/d"), event_keys=[EVENT]
    )

    _emit(world, django_capture_on_commit_callbacks)

    assert [request.path for request in loopback.received] == ["/a"]


def test_events_not_offered_to_webhooks_are_never_sent(world, loopback, django_capture_on_commit_callbacks):
    subscription, _ = _subscribe(world, loopback.url("/a"))
    WebhookSubscription.objects.filter(pk=subscription.pk).update(event_keys=[EVENT, "kpi.rating_requested"])

    _emit(world, django_capture_on_commit_callbacks, key="kpi.rating_requested")

    assert WebhookDelivery.objects.count() == 0
    assert loopback.received == []


def test_500_then_success_and_the_backoff(world, loopback, django_capture_on_commit_callbacks):
    _subscribe(world, loopback.url("/a"))
    loopback.script(Reply(status=502, body=b"bad gateway"), Reply(status=429, body=b"later"), Reply(status=200, body=b"ok"))

    _emit(world, django_capture_on_commit_callbacks)
    delivery = _only()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("retrying", 1, 502)
    assert delivery.next_attempt_at - delivery.last_attempt_at == timedelta(minutes=1)

    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    retry_due_deliveries.delay()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("retrying", 2, 429)
    assert delivery.next_attempt_at - delivery.last_attempt_at == timedelta(minutes=5)

    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    retry_due_deliveries.delay()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code, delivery.response_excerpt) == ("sent", 3, 200, "ok")
    # every attempt carries the same body and delivery id, freshly signed
    bodies = {request.body for request in loopback.received}
    assert len(bodies) == 1
    assert {request.headers["x-renshi-delivery"] for request in loopback.received} == {str(delivery.uuid)}


def test_a_4xx_answer_fails_without_retry(world, loopback, django_capture_on_commit_callbacks):
    _subscribe(world, loopback.url("/a"))
    loopback.script(Reply(status=410, body=b'{"error":"gone"}'))

    _emit(world, django_capture_on_commit_callbacks)

    delivery = _only()
    assert (delivery.status, delivery.attempts, delivery.response_code, delivery.next_attempt_at) == ("failed", 1, 410, None)
    assert delivery.error == "The server answered HTTP 410."


def test_timeout_and_connection_refused_are_retried(world, loopback, django_capture_on_commit_callbacks):
    _subscribe(world, loopback.url("/slow"), name="slow")
    _subscribe(world, refused_url("/nobody"), name="nobody")
    loopback.script(Reply(status=200, body=b"late", delay=1.0))

    _emit(world, django_capture_on_commit_callbacks)

    slow = WebhookDelivery.objects.get(subscription__name="slow")
    nobody = WebhookDelivery.objects.get(subscription__name="nobody")
    assert (slow.status, slow.attempts, slow.response_code) == ("retrying", 1, None)
    assert slow.error.startswith("No answer within the time limit")
    assert (nobody.status, nobody.attempts, nobody.response_code) == ("retrying", 1, None)
    assert nobody.error.startswith("Could not connect")


def test_manual_redelivery_is_a_new_delivery_and_the_task_never_sends_twice(world, loopback, django_capture_on_commit_callbacks):
    _subscribe(world, loopback.url("/a"))
    loopback.script(Reply(status=200, body=b"ok"), Reply(status=200, body=b"ok again"))
    _emit(world, django_capture_on_commit_callbacks)
    original = _only()

    send_delivery.delay("webhook", original.pk)  # a duplicate task run sends nothing
    assert len(loopback.received) == 1
    with django_capture_on_commit_callbacks(execute=True):
        copy = delivery_redeliver(actor=world.user("hr_admin"), delivery=original)

    copy.refresh_from_db()
    original.refresh_from_db()
    assert (copy.status, copy.attempts, copy.resend_of_id, copy.response_excerpt) == ("sent", 1, original.pk, "ok again")
    assert (original.status, original.attempts) == ("sent", 1)
    second = loopback.received[1]
    assert second.headers["x-renshi-delivery"] == str(copy.uuid) != str(original.uuid)
    assert second.json()["data"] == {"cycle": 3, "published": 120}
    assert second.json()["id"] == str(copy.uuid)


def test_send_test_event(world, loopback, django_capture_on_commit_callbacks):
    subscription, secret = _subscribe(world, loopback.url("/a"))

    with django_capture_on_commit_callbacks(execute=True):
        subscription_send_test(actor=world.user("hr_admin"), subscription=subscription)

    [request] = loopback.received
    body = request.json()
    assert request.headers["x-renshi-event"] == "webhook.test"
    assert body["event"] == "webhook.test" and body["company"] == "acme"
    assert body["data"] == {"message": "Test event from Renshi", "subscription": "ERP", "sent_by": "hr_admin"}
    assert verify(secret, request.headers["x-renshi-timestamp"], request.body, request.headers["x-renshi-signature"])
    assert _only().status == "sent"


def test_a_rolled_back_emission_sends_no_webhook(world, loopback, django_capture_on_commit_callbacks):
    _subscribe(world, loopback.url("/a"))

    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        emit(EVENT, company_id=world.company.pk, payload={"x": 1})
        raise RuntimeError("the business change failed")

    assert callbacks == []
    assert WebhookDelivery.objects.count() == 0
    assert loopback.received == []


def test_payload_with_decimals_and_dates_is_sent_as_json(world, loopback, django_capture_on_commit_callbacks):
    from datetime import date
    from decimal import Decimal

    _subscribe(world, loopback.url("/a"))

    _emit(world, django_capture_on_commit_callbacks, payload={"score": Decimal("92.50"), "on": date(2026, 11, 22)})

    assert json.loads(loopback.received[0].body)["data"] == {"score": "92.50", "on": "2026-11-22"}


def test_a_subscription_deleted_while_its_delivery_is_being_sent_ends_quietly(
    world, loopback, django_capture_on_commit_callbacks, monkeypatch
):  # noqa: ANN001
    from hris.integrations.webhooks import sending
    from hris.integrations.webhooks.services import subscription_delete

    subscription, _secret = _subscribe(world, loopback.url("/hooks/renshi"))
    loopback.script(Reply(status=204, body=b""))
    send = sending.send_webhook_delivery

    def send_while_hr_deletes_the_subscription(delivery):  # noqa: ANN001, ANN202
        outcome = send(delivery)
        subscription_delete(actor=world.user("hr_admin"), subscription=subscription)
        return outcome

    monkeypatch.setattr(sending, "send_webhook_delivery", send_while_hr_deletes_the_subscription)

    _emit(world, django_capture_on_commit_callbacks)  # the eager task would raise if recording the result failed

    assert len(loopback.received) == 1
    assert (WebhookSubscription.objects.count(), WebhookDelivery.objects.count()) == (0, 0)
