"""/api/v1/webhooks/: subscriptions and their delivery log for integrators. Scopes webhooks:read and
webhooks:write for token clients; MANAGE_INTEGRATIONS over the whole company for everyone; the
secret shown once; every refusal changes nothing; every write audited by the services."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hris.audit.models import AuditEvent
from hris.core.tests.api.support import error_body, session_client, token_client
from hris.integrations.webhooks.models import WebhookDelivery, WebhookSubscription
from hris.integrations.webhooks.services import subscription_create
from hris.integrations.webhooks.signing import verify
from hris.notifications.tests.loopback import Reply

pytestmark = pytest.mark.django_db

EVENT = "kpi.score_published"
SUBSCRIPTIONS = "/api/v1/webhooks/subscriptions/"
DELIVERIES = "/api/v1/webhooks/deliveries/"
BOTH_SCOPES = "webhooks:read webhooks:write"
ERP_URL = "https://erp.example.cn/hooks/renshi"


def _subscription(world, *, name: str = "ERP", url: str = ERP_URL, events=(EVENT,), company=None, actor: str = "hr_admin"):  # noqa: ANN001, ANN202
    subscription, _secret = subscription_create(
        actor=world.user(actor), company=company or world.company, name=name, target_url=url, event_keys=list(events)
    )
    return subscription


def _delivery(subscription: WebhookSubscription, *, status: str = "failed", **fields) -> WebhookDelivery:  # noqa: ANN003
    defaults = {"event_key": EVENT, "attempts": 1, "response_code": 410, "error": "The server answered HTTP 410."}
    return WebhookDelivery.objects.create(
        company_id=subscription.company_id,
        subscription=subscription,
        target_url=subscription.target_url,
        data={"cycle": 3, "published": 120},
        status=status,
        **{**defaults, **fields},
    )


def _state() -> tuple:
    """Everything a refused request could have touched."""
    return (
        list(WebhookSubscription.objects.order_by("pk").values()),
        list(WebhookDelivery.objects.order_by("pk").values()),
        AuditEvent.objects.count(),
    )


def _call(client, method: str, url: str, body: dict | None = None):  # noqa: ANN001, ANN202
    return getattr(client, method)(url, body, format="json") if body is not None else getattr(client, method)(url)


# ---- every endpoint refuses the wrong callers and changes nothing --------------------------------

ENDPOINTS = [
    ("get", SUBSCRIPTIONS, None, "webhooks:read"),
    ("post", SUBSCRIPTIONS, {"name": "New", "url": "https://new.example.cn/hook", "events": [EVENT]}, "webhooks:write"),
    ("get", SUBSCRIPTIONS + "{subscription}/", None, "webhooks:read"),
    ("patch", SUBSCRIPTIONS + "{subscription}/", {"name": "Renamed"}, "webhooks:write"),
    ("delete", SUBSCRIPTIONS + "{subscription}/", None, "webhooks:write"),
    ("post", SUBSCRIPTIONS + "{subscription}/rotate-secret/", None, "webhooks:write"),
    ("post", SUBSCRIPTIONS + "{subscription}/test/", None, "webhooks:write"),
    ("get", DELIVERIES, None, "webhooks:read"),
    ("get", DELIVERIES + "{delivery}/", None, "webhooks:read"),
    ("post", DELIVERIES + "{delivery}/redeliver/", None, "webhooks:write"),
]
ENDPOINT_IDS = [f"{method} {path}" for method, path, _body, _scope in ENDPOINTS]


@pytest.fixture
def target(world):  # noqa: ANN001, ANN201
    subscription = _subscription(world)
    delivery = _delivery(subscription)
    return {"subscription": subscription.pk, "delivery": delivery.pk}


@pytest.mark.parametrize(("method", "path", "body", "scope"), ENDPOINTS, ids=ENDPOINT_IDS)
def test_without_credentials_401(world, target, method, path, body, scope):  # noqa: ANN001
    from rest_framework.test import APIClient

    before = _state()

    response = _call(APIClient(), method, path.format(**target), body)

    assert response.status_code == 401
    assert error_body(response)["code"] == "not_authenticated"
    assert _state() == before


@pytest.mark.parametrize(("method", "path", "body", "scope"), ENDPOINTS, ids=ENDPOINT_IDS)
def test_a_token_without_the_scope_403(world, target, method, path, body, scope):  # noqa: ANN001
    # The other webhooks scope and every unrelated one, but not the one this action needs.
    other = "webhooks:write" if scope == "webhooks:read" else "webhooks:read"
    client = token_client(world, "hr_admin", f"{other} org:read connectors:read connectors:write")
    before = _state()

    response = _call(client, method, path.format(**target), body)

    assert response.status_code == 403
    assert error_body(response) == {
        "code": "insufficient_scope",
        "message": f"The access token lacks the scope “{scope}”.",
        "errors": {},
    }
    assert _state() == before


@pytest.mark.parametrize("key", ["hrbp", "ceo", "prod_head", "w1_worker", "recruiter"])
@pytest.mark.parametrize(("method", "path", "body", "scope"), ENDPOINTS, ids=ENDPOINT_IDS)
def test_people_who_do_not_manage_integrations_403(world, target, method, path, body, scope, key):  # noqa: ANN001
    client = session_client(world, key)
    before = _state()

    response = _call(client, method, path.format(**target), body)

    assert response.status_code == 403
    assert error_body(response)["code"] == "permission_denied"
    assert _state() == before


@pytest.mark.parametrize(("method", "path", "body", "scope"), ENDPOINTS, ids=ENDPOINT_IDS)
def test_a_token_whose_service_account_does_not_manage_integrations_403(world, target, method, path, body, scope):  # noqa: ANN001
    client = token_client(world, "hrbp", BOTH_SCOPES)
    before = _state()

    response = _call(client, method, path.format(**target), body)

    assert response.status_code == 403
    assert error_body(response)["code"] == "permission_denied"
    assert _state() == before


@pytest.mark.parametrize("as_token", [False, True], ids=["session", "token"])
@pytest.mark.parametrize(("method", "path", "body", "scope"), ENDPOINTS, ids=ENDPOINT_IDS)
def test_another_companys_subscriptions_are_not_there(world, target, method, path, body, scope, as_token):  # noqa: ANN001
    """other_hr manages the other company only: acme's webhooks are 404, lists leave them out,
    and a subscription cannot be created for acme."""
    client = token_client(world, "other_hr", BOTH_SCOPES) if as_token else session_client(world, "other_hr")
    before = _state()
    if method == "post" and path == SUBSCRIPTIONS:
        body = {**body, "company": world.company.pk}

    response = _call(client, method, path.format(**target), body)

    if path in (SUBSCRIPTIONS, DELIVERIES) and method == "get":
        assert response.status_code == 200
        assert response.json()["results"] == []
    elif path == SUBSCRIPTIONS:
        assert response.status_code == 400
        assert error_body(response)["errors"] == {"company": [f'Invalid pk "{world.company.pk}" - object does not exist.']}
    else:
        assert response.status_code == 404
        assert error_body(response)["code"] == "not_found"
    assert _state() == before


def test_replacing_a_subscription_with_put_is_not_offered(world, target):  # noqa: ANN001
    client = session_client(world, "hr_admin")
    before = _state()
    body = {"name": "ERP", "url": ERP_URL, "events": [EVENT], "is_active": True}

    response = client.put(f"{SUBSCRIPTIONS}{target['subscription']}/", body, format="json")

    assert response.status_code == 405
    assert _state() == before


# ---- create, read, change, delete ---------------------------------------------------------------


def test_create_shows_the_secret_once_and_audits(world):  # noqa: ANN001
    client = token_client(world, "hr_admin", BOTH_SCOPES)
    audit_before = AuditEvent.objects.count()

    response = client.post(
        SUBSCRIPTIONS,
        {"name": " ERP ", "url": ERP_URL, "events": ["kpi.cycle_closed", EVENT, EVENT]},
        format="json",
    )

    assert response.status_code == 201
    subscription = WebhookSubscription.objects.get()
    body = response.json()
    secret = body.pop("secret")
    assert secret.startswith("whsec_") and secret == subscription.secret()
    assert body == {
        "id": subscription.pk,
        "company": world.company.pk,
        "name": "ERP",
        "url": ERP_URL,
        "events": [EVENT, "kpi.cycle_closed"],  # catalogue order, once each
        "is_active": True,
        "secret_hint": subscription.secret_hint,
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
    }
    assert response["Location"] == f"{SUBSCRIPTIONS}{subscription.pk}/"
    assert response["Cache-Control"] == "no-store"
    event = AuditEvent.objects.order_by("-sequence").first()
    assert AuditEvent.objects.count() == audit_before + 1
    assert (event.action, event.target_id, event.actor.is_service_account) == ("webhooks.subscription_created", str(subscription.pk), True)
    assert secret not in json.dumps(event.after, ensure_ascii=False)

    detail = client.get(f"{SUBSCRIPTIONS}{subscription.pk}/")
    listed = client.get(SUBSCRIPTIONS)
    assert detail.status_code == 200 and "secret" not in detail.json()
    assert detail.json() == {**body, "updated_at": detail.json()["updated_at"]}
    assert [row["id"] for row in listed.json()["results"]] == [subscription.pk]
    assert secret not in detail.content.decode() and secret not in listed.content.decode()


def test_a_manager_of_several_companies_names_the_company(world):  # noqa: ANN001
    client = session_client(world, "admin")  # a superuser manages every company
    body = {"name": "ERP", "url": ERP_URL, "events": [EVENT]}

    missing = client.post(SUBSCRIPTIONS, body, format="json")
    assert missing.status_code == 400
    assert error_body(missing)["errors"] == {"company": ["Choose the company of the subscription."]}
    assert WebhookSubscription.objects.count() == 0

    created = client.post(SUBSCRIPTIONS, {**body, "company": world.other_company.pk, "is_active": False}, format="json")
    assert created.status_code == 201
    assert (created.json()["company"], created.json()["is_active"]) == (world.other_company.pk, False)
    assert list(WebhookSubscription.objects.values_list("company_id", "is_active")) == [(world.other_company.pk, False)]


@pytest.mark.parametrize(
    ("change", "errors"),
    [
        ({"url": "ftp://erp.example.cn/x"}, {"url": ["Enter the full http(s) URL that receives the events."]}),
        ({"url": "not a url"}, {"url": ["Enter the full http(s) URL that receives the events."]}),
        ({"url": ""}, {"url": ["This field may not be blank."]}),
        ({"events": ["kpi.rating_requested"]}, {"events": ['"kpi.rating_requested" is not a valid choice.']}),  # not offered to webhooks
        ({"events": ["nope"]}, {"events": ['"nope" is not a valid choice.']}),
        ({"events": EVENT}, {"events": ['Expected a list of items but got type "str".']}),
        ({"name": "  "}, {"name": ["This field may not be blank."]}),
        ({"name": "x" * 101}, {"name": ["Ensure this field has no more than 100 characters."]}),
        ({"name": "ERP"}, {"name": ["This company already has a subscription named “ERP”."]}),
        ({"is_active": "maybe"}, {"is_active": ["Must be a valid boolean."]}),
    ],
)
def test_bad_input_is_400_per_field_and_writes_nothing(world, change, errors):  # noqa: ANN001
    _subscription(world)
    client = token_client(world, "hr_admin", BOTH_SCOPES)
    before = _state()

    response = client.post(SUBSCRIPTIONS, {"name": "New", "url": "https://new.example.cn/hook", "events": [EVENT], **change}, format="json")

    assert response.status_code == 400
    assert error_body(response)["errors"] == errors
    assert _state() == before


@pytest.mark.parametrize(
    ("change", "errors"),
    [
        ({"url": "javascript:alert(1)"}, {"url": ["Enter the full http(s) URL that receives the events."]}),
        ({"events": ["kpi.acknowledged"]}, {"events": ['"kpi.acknowledged" is not a valid choice.']}),
        ({"name": "Other"}, {"name": ["This company already has a subscription named “Other”."]}),
    ],
)
def test_a_bad_change_is_400_per_field_and_changes_nothing(world, change, errors):  # noqa: ANN001
    subscription = _subscription(world)
    _subscription(world, name="Other")
    client = session_client(world, "hr_admin")
    before = _state()

    response = client.patch(f"{SUBSCRIPTIONS}{subscription.pk}/", change, format="json")

    assert response.status_code == 400
    assert error_body(response)["errors"] == errors
    assert _state() == before


def test_patch_changes_only_what_is_sent_and_audits(world):  # noqa: ANN001
    subscription = _subscription(world)
    hint = subscription.secret_hint
    client = token_client(world, "hr_admin", BOTH_SCOPES)

    response = client.patch(
        f"{SUBSCRIPTIONS}{subscription.pk}/",
        {"url": "https://erp2.example.cn/in", "events": ["integrations.sync_failed", "kpi.cycle_closed"], "is_active": False},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert {key: body[key] for key in ("id", "company", "name", "url", "events", "is_active", "secret_hint")} == {
        "id": subscription.pk,
        "company": world.company.pk,
        "name": "ERP",
        "url": "https://erp2.example.cn/in",
        "events": ["kpi.cycle_closed", "integrations.sync_failed"],
        "is_active": False,
        "secret_hint": hint,
    }
    subscription.refresh_from_db()
    assert (subscription.name, subscription.target_url, subscription.event_keys, subscription.is_active) == (
        "ERP",
        "https://erp2.example.cn/in",
        ["kpi.cycle_closed", "integrations.sync_failed"],
        False,
    )
    event = AuditEvent.objects.order_by("-sequence").first()
    assert event.action == "webhooks.subscription_updated"
    assert (event.before["target_url"], event.after["target_url"]) == (ERP_URL, "https://erp2.example.cn/in")
    assert (event.before["is_active"], event.after["is_active"]) == (True, False)

    renamed = client.patch(f"{SUBSCRIPTIONS}{subscription.pk}/", {"name": "ERP 正式"}, format="json")
    assert (renamed.status_code, renamed.json()["name"], renamed.json()["url"]) == (200, "ERP 正式", "https://erp2.example.cn/in")


def test_delete_removes_the_subscription_with_its_delivery_log_and_audits(world):  # noqa: ANN001
    subscription = _subscription(world)
    kept = _subscription(world, name="Kept")
    _delivery(subscription)
    _delivery(subscription, status="retrying")
    other_delivery = _delivery(kept)
    client = token_client(world, "hr_admin", BOTH_SCOPES)

    response = client.delete(f"{SUBSCRIPTIONS}{subscription.pk}/")

    assert response.status_code == 204
    assert list(WebhookSubscription.objects.values_list("pk", flat=True)) == [kept.pk]
    assert list(WebhookDelivery.objects.values_list("pk", flat=True)) == [other_delivery.pk]
    event = AuditEvent.objects.order_by("-sequence").first()
    assert (event.action, event.target_id, event.target_label) == ("webhooks.subscription_deleted", str(subscription.pk), "ERP")
    assert event.before == {
        "name": "ERP",
        "target_url": ERP_URL,
        "secret": subscription.secret_hint,
        "event_keys": [EVENT],
        "is_active": True,
        "deliveries": 2,
    }
    assert client.get(f"{SUBSCRIPTIONS}{subscription.pk}/").status_code == 404


def test_rotate_secret_shows_the_new_one_once(world):  # noqa: ANN001
    subscription = _subscription(world)
    old = subscription.secret()
    client = token_client(world, "hr_admin", BOTH_SCOPES)

    response = client.post(f"{SUBSCRIPTIONS}{subscription.pk}/rotate-secret/")

    assert response.status_code == 200
    subscription.refresh_from_db()
    body = response.json()
    assert body["secret"] == subscription.secret() != old
    assert body["secret"].startswith("whsec_")
    assert (body["id"], body["secret_hint"]) == (subscription.pk, subscription.secret_hint)
    assert response["Cache-Control"] == "no-store"
    event = AuditEvent.objects.order_by("-sequence").first()
    assert event.action == "webhooks.secret_rotated"
    assert body["secret"] not in json.dumps([event.before, event.after])
    assert body["secret"] not in client.get(f"{SUBSCRIPTIONS}{subscription.pk}/").content.decode()


# ---- test events, the delivery log and redelivery -----------------------------------------------


def test_a_test_event_reaches_the_receiver_signed_with_the_secret_from_create(world, loopback, django_capture_on_commit_callbacks):  # noqa: ANN001
    client = token_client(world, "hr_admin", BOTH_SCOPES)
    created = client.post(SUBSCRIPTIONS, {"name": "ERP", "url": loopback.url("/hooks/renshi"), "events": [EVENT]}, format="json").json()
    loopback.script(Reply(status=204, body=b""))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{SUBSCRIPTIONS}{created['id']}/test/")

    assert response.status_code == 202
    delivery = WebhookDelivery.objects.get()
    assert response["Location"] == f"{DELIVERIES}{delivery.pk}/"
    assert (response.json()["id"], response.json()["event"], response.json()["status"]) == (delivery.pk, "webhook.test", "queued")
    [request] = loopback.received
    assert request.path == "/hooks/renshi"
    assert request.headers["x-renshi-event"] == "webhook.test"
    assert verify(created["secret"], request.headers["x-renshi-timestamp"], request.body, request.headers["x-renshi-signature"])
    assert request.json()["data"] == {"message": "Test event from Renshi", "subscription": "ERP", "sent_by": delivery.data["sent_by"]}
    result = client.get(response["Location"]).json()
    assert {key: result[key] for key in ("subscription", "status", "attempts", "response_code", "next_attempt_at", "error")} == {
        "subscription": created["id"],
        "status": "sent",
        "attempts": 1,
        "response_code": 204,
        "next_attempt_at": None,
        "error": "",
    }
    assert AuditEvent.objects.order_by("-sequence").first().action == "webhooks.test_sent"


def test_a_paused_subscription_sends_no_test_event(world):  # noqa: ANN001
    subscription = _subscription(world)
    WebhookSubscription.objects.filter(pk=subscription.pk).update(is_active=False)
    client = session_client(world, "hr_admin")
    before = _state()

    response = client.post(f"{SUBSCRIPTIONS}{subscription.pk}/test/")

    assert response.status_code == 400
    assert error_body(response) == {
        "code": "inactive",
        "message": "Switch the subscription on before sending a test event.",
        "errors": {},
    }
    assert _state() == before


def test_the_delivery_log_filters_by_subscription_and_status(world):  # noqa: ANN001
    erp = _subscription(world)
    mes = _subscription(world, name="MES", url="https://mes.example.cn/in")
    failed = _delivery(erp)
    retrying = _delivery(erp, status="retrying", response_code=502, error="The server answered HTTP 502.")
    sent = _delivery(mes, status="sent", response_code=200, error="")
    foreign = _delivery(_subscription(world, company=world.other_company, actor="other_hr"))
    client = token_client(world, "hr_admin", "webhooks:read")

    everything = client.get(DELIVERIES).json()
    of_erp = client.get(DELIVERIES, {"subscription": erp.pk}).json()
    retrying_of_erp = client.get(DELIVERIES, {"subscription": erp.pk, "status": "retrying"}).json()

    assert [row["id"] for row in everything["results"]] == [sent.pk, retrying.pk, failed.pk]
    assert foreign.pk not in [row["id"] for row in everything["results"]]
    assert [row["id"] for row in of_erp["results"]] == [retrying.pk, failed.pk]
    [row] = retrying_of_erp["results"]
    retrying.refresh_from_db()
    assert {key: row[key] for key in ("id", "subscription", "event", "url", "status", "attempts", "response_code", "error")} == {
        "id": retrying.pk,
        "subscription": erp.pk,
        "event": EVENT,
        "url": ERP_URL,
        "status": "retrying",
        "attempts": 1,
        "response_code": 502,
        "error": "The server answered HTTP 502.",
    }
    assert set(row) == {
        "id", "uuid", "subscription", "event", "url", "status", "attempts", "response_code", "response_excerpt", "error",
        "last_attempt_at", "next_attempt_at", "sent_at", "resend_of", "created_at",
    }  # fmt: skip
    assert client.get(DELIVERIES, {"subscription": foreign.subscription_id}).json()["results"] == []
    bad = client.get(DELIVERIES, {"status": "lost", "subscription": "x"})
    assert bad.status_code == 400
    assert set(error_body(bad)["errors"]) == {"status", "subscription"}


def test_redeliver_sends_the_same_data_as_a_new_delivery(world, loopback, django_capture_on_commit_callbacks):  # noqa: ANN001
    subscription = _subscription(world, url=loopback.url("/hooks/renshi"))
    original = _delivery(subscription)
    loopback.script(Reply(status=200, body=b"ok"))
    client = token_client(world, "hr_admin", BOTH_SCOPES)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{DELIVERIES}{original.pk}/redeliver/")

    assert response.status_code == 202
    copy = WebhookDelivery.objects.exclude(pk=original.pk).get()
    assert response["Location"] == f"{DELIVERIES}{copy.pk}/"
    assert (response.json()["id"], response.json()["resend_of"]) == (copy.pk, original.pk)
    copy.refresh_from_db()
    original.refresh_from_db()
    assert (copy.status, copy.attempts, copy.response_code, copy.response_excerpt) == ("sent", 1, 200, "ok")
    assert (original.status, original.attempts, original.response_code) == ("failed", 1, 410)
    [request] = loopback.received
    assert request.headers["x-renshi-delivery"] == str(copy.uuid)
    assert request.json()["data"] == {"cycle": 3, "published": 120}
    assert verify(subscription.secret(), request.headers["x-renshi-timestamp"], request.body, request.headers["x-renshi-signature"])
    event = AuditEvent.objects.order_by("-sequence").first()
    assert (event.action, event.target_id) == ("webhooks.delivery_redelivered", str(original.pk))
    assert event.after == {"redelivery": str(copy.uuid)}


def test_a_delivery_still_being_attempted_is_not_redelivered(world):  # noqa: ANN001
    pending = _delivery(_subscription(world), status="retrying")
    client = session_client(world, "hr_admin")
    before = _state()

    response = client.post(f"{DELIVERIES}{pending.pk}/redeliver/")

    assert response.status_code == 400
    assert error_body(response)["code"] == "pending"
    assert _state() == before


# ---- list query counts stay flat ----------------------------------------------------------------


def _count_queries(client, url: str) -> int:  # noqa: ANN001
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("as_token", [False, True], ids=["session", "token"])
def test_list_query_counts_do_not_grow_with_rows(world, as_token):  # noqa: ANN001
    client = token_client(world, "hr_admin", BOTH_SCOPES) if as_token else session_client(world, "hr_admin")
    first = _subscription(world, name="S0")
    _delivery(first)
    one = (_count_queries(client, SUBSCRIPTIONS), _count_queries(client, DELIVERIES))

    for index in range(1, 10):
        _delivery(_subscription(world, name=f"S{index}"))
    ten = (_count_queries(client, SUBSCRIPTIONS), _count_queries(client, DELIVERIES))

    assert client.get(SUBSCRIPTIONS).json()["count"] == 10 and client.get(DELIVERIES).json()["count"] == 10
    assert ten == one


# ---- API clients may be given the webhook scopes ------------------------------------------------


def test_the_webhook_scopes_are_offered_to_api_clients(world):  # noqa: ANN001
    page = session_client(world, "hr_admin").get("/integrations/clients/").content.decode()

    assert "webhooks:read" in page and "webhooks:write" in page
    assert token_client(world, "hr_admin", BOTH_SCOPES).get(SUBSCRIPTIONS).status_code == 200
