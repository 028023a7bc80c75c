"""Webhook pages: the secret is generated, shown once and stored encrypted; only HR with
MANAGE_INTEGRATIONS of the company configures, tests and redelivers."""

import re

import pytest
from django.urls import reverse

from hris.integrations.webhooks.models import WebhookDelivery, WebhookSubscription
from hris.integrations.webhooks.services import subscription_create
from hris.notifications.tests.loopback import Reply

pytestmark = pytest.mark.django_db

EVENT = "kpi.score_published"


def _post_new(client, world, **overrides):  # noqa: ANN001, ANN202
    data = {
        "company": world.company.pk,
        "name": "ERP",
        "target_url": "https://erp.example.cn/hooks/renshi",
        "event_keys": [EVENT, "kpi.cycle_closed"],
        "is_active": "on",
        **overrides,
    }
    return client.post(reverse("webhooks:create"), data)


def _subscription(world, url="https://erp.example.cn/hooks/renshi"):  # noqa: ANN001, ANN202
    subscription, _secret = subscription_create(
        actor=world.user("hr_admin"), company=world.company, name="ERP", target_url=url, event_keys=[EVENT]
    )
    return subscription


def test_the_secret_is_shown_once_after_creation_and_stored_encrypted(world, client):
    client.force_login(world.user("hr_admin"))

    response = _post_new(client, world)

    subscription = WebhookSubscription.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("webhooks:detail", args=[subscription.pk])
    waiting = str(client.session["webhook_secret_once"])  # until shown, kept in the session encrypted
    first = client.get(response["Location"])
    secret = re.search(r"<code[^>]*data-secret>([^<]+)</code>", first.content.decode()).group(1)
    assert secret.startswith("whsec_") and len(secret) > 40
    assert secret not in waiting
    assert first["Cache-Control"] == "no-store"
    assert subscription.secret() == secret
    raw = WebhookSubscription.objects.values_list("secret_encrypted", flat=True).get()
    assert secret not in raw
    assert (subscription.event_keys, subscription.target_url) == (
        ["kpi.score_published", "kpi.cycle_closed"],
        "https://erp.example.cn/hooks/renshi",
    )

    again = client.get(response["Location"]).content.decode()
    assert secret not in again
    assert subscription.secret_hint in again
    assert secret not in client.get(reverse("webhooks:list")).content.decode()


def test_rotating_the_secret_shows_the_new_one_once(world, client):
    subscription = _subscription(world)
    old = subscription.secret()
    client.force_login(world.user("hr_admin"))

    response = client.post(reverse("webhooks:rotate_secret", args=[subscription.pk]), follow=True)

    subscription.refresh_from_db()
    assert subscription.secret() != old
    assert subscription.secret() in response.content.decode()
    assert subscription.secret() not in client.get(reverse("webhooks:detail", args=[subscription.pk])).content.decode()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"target_url": "not a url"}, "target_url"),
        ({"target_url": "ftp://erp.example.cn/x"}, "target_url"),
        ({"event_keys": ["kpi.rating_requested"]}, "event_keys"),  # not offered to webhooks
    ],
)
def test_bad_input_is_refused_on_the_field(world, client, overrides, field):
    client.force_login(world.user("hr_admin"))

    response = _post_new(client, world, **overrides)

    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert WebhookSubscription.objects.count() == 0


def test_only_webhook_events_are_offered(world, client):
    client.force_login(world.user("hr_admin"))

    page = client.get(reverse("webhooks:create")).content.decode()

    assert 'value="kpi.score_published"' in page
    assert 'value="kpi.rating_requested"' not in page and 'value="kpi.acknowledged"' not in page


def test_hr_edits_a_subscription(world, client):
    subscription = _subscription(world)
    client.force_login(world.user("hr_admin"))

    response = client.post(
        reverse("webhooks:detail", args=[subscription.pk]),
        {"name": "ERP 2", "target_url": "https://erp2.example.cn/h", "event_keys": [EVENT]},
    )

    assert response.status_code == 302
    subscription.refresh_from_db()
    assert (subscription.name, subscription.target_url, subscription.is_active) == ("ERP 2", "https://erp2.example.cn/h", False)


@pytest.mark.parametrize("username", ["prod_head", "w1_worker", "ceo", "hrbp"])
def test_managers_employees_executives_and_hrbp_are_refused(world, client, username):
    subscription = _subscription(world)
    delivery = WebhookDelivery.objects.create(
        company=world.company, subscription=subscription, event_key=EVENT, target_url=subscription.target_url, status="failed", attempts=5
    )
    client.force_login(world.user(username))

    for url in (reverse("webhooks:list"), reverse("webhooks:deliveries"), reverse("webhooks:detail", args=[subscription.pk])):
        assert client.get(url).status_code == 403
    assert _post_new(client, world, name="sneaky").status_code == 403
    assert client.post(reverse("webhooks:test", args=[subscription.pk])).status_code == 403
    assert client.post(reverse("webhooks:rotate_secret", args=[subscription.pk])).status_code == 403
    assert client.post(reverse("webhooks:redeliver", args=[delivery.pk])).status_code == 403
    assert client.post(reverse("webhooks:delete", args=[subscription.pk])).status_code == 403

    assert list(WebhookSubscription.objects.values_list("name", "secret_encrypted")) == [("ERP", subscription.secret_encrypted)]
    assert WebhookDelivery.objects.count() == 1


def test_another_companys_hr_sees_nothing_and_changes_nothing(world, client):
    subscription = _subscription(world)
    delivery = WebhookDelivery.objects.create(
        company=world.company, subscription=subscription, event_key=EVENT, target_url=subscription.target_url, status="failed", attempts=5
    )
    client.force_login(world.user("other_hr"))

    assert "ERP" not in client.get(reverse("webhooks:list")).content.decode()
    assert client.get(reverse("webhooks:detail", args=[subscription.pk])).status_code == 404
    assert client.post(reverse("webhooks:detail", args=[subscription.pk]), {"name": "x", "target_url": "https://x.cn"}).status_code == 404
    assert client.post(reverse("webhooks:rotate_secret", args=[subscription.pk])).status_code == 404
    assert client.post(reverse("webhooks:test", args=[subscription.pk])).status_code == 404
    assert client.get(reverse("webhooks:delivery_detail", args=[delivery.pk])).status_code == 404
    assert client.post(reverse("webhooks:redeliver", args=[delivery.pk])).status_code == 404
    assert client.post(reverse("webhooks:delete", args=[subscription.pk])).status_code == 404
    response = _post_new(client, world, name="into acme")
    assert response.status_code == 400 and "company" in response.context["form"].errors

    subscription.refresh_from_db()
    assert (subscription.name, WebhookSubscription.objects.count(), WebhookDelivery.objects.count()) == ("ERP", 1, 1)


def test_test_button_log_and_redelivery_through_the_pages(world, client, loopback, django_capture_on_commit_callbacks):
    subscription = _subscription(world, loopback.url("/hooks"))
    loopback.script(Reply(status=500, body=b"oops"), Reply(status=200, body=b"thanks"))
    client.force_login(world.user("hr_admin"))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("webhooks:test", args=[subscription.pk]))
    assert response.status_code == 302
    first = WebhookDelivery.objects.get()
    assert (first.event_key, first.status, first.response_code) == ("webhook.test", "retrying", 500)

    log = client.get(reverse("webhooks:deliveries"), {"status": "retrying"}).content.decode()
    assert "HTTP 500" in log and 'data-status="retrying"' in log
    detail = client.get(reverse("webhooks:delivery_detail", args=[first.pk])).content.decode()
    assert "oops" in detail and 'id="redeliver"' not in detail  # still being retried

    WebhookDelivery.objects.filter(pk=first.pk).update(status="failed", next_attempt_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("webhooks:redeliver", args=[first.pk]))
    copy = WebhookDelivery.objects.get(resend_of=first)
    assert response["Location"] == reverse("webhooks:delivery_detail", args=[copy.pk])
    assert (copy.status, copy.attempts, copy.response_code, copy.response_excerpt) == ("sent", 1, 200, "thanks")
    assert len(loopback.received) == 2


def test_hr_deletes_a_subscription_with_its_delivery_log(world, client):
    from hris.audit.models import AuditEvent

    subscription = _subscription(world)
    WebhookDelivery.objects.create(
        company=world.company, subscription=subscription, event_key=EVENT, target_url=subscription.target_url, status="failed", attempts=5
    )
    client.force_login(world.user("hr_admin"))
    detail = client.get(reverse("webhooks:detail", args=[subscription.pk])).content.decode()
    assert 'id="delete-subscription"' in detail

    assert client.get(reverse("webhooks:delete", args=[subscription.pk])).status_code == 405
    response = client.post(reverse("webhooks:delete", args=[subscription.pk]))

    assert response.status_code == 302 and response["Location"] == reverse("webhooks:list")
    assert (WebhookSubscription.objects.count(), WebhookDelivery.objects.count()) == (0, 0)
    event = AuditEvent.objects.order_by("-sequence").first()
    assert (event.action, event.target_label, event.before["deliveries"]) == ("webhooks.subscription_deleted", "ERP", 1)
