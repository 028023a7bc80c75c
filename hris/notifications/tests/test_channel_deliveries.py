"""Channel deliveries over real loopback HTTP: what each robot receives, how answers and
failures are recorded, the backoff schedule, resends, and no double sending."""

import json
from datetime import timedelta
from urllib.parse import quote_plus

import pytest
from django.core import mail
from django.utils import timezone

from hris.notifications import delivery as mechanics
from hris.notifications.models import Channel, Delivery, Notification
from hris.notifications.robots import dingtalk_sign, feishu_sign
from hris.notifications.services import delivery_resend
from hris.notifications.tasks import retry_due_deliveries, send_delivery
from hris.notifications.tests.helpers import EVENT, emit_adjustment, make_channel
from hris.notifications.tests.loopback import Reply, fixture_body, refused_url

pytestmark = pytest.mark.django_db

DINGTALK_OK = Reply(body=fixture_body("dingtalk_robot_send_ok.json"))
FEISHU_OK = Reply(body=fixture_body("feishu_bot_ok.json"))
FEISHU_SIGN_FAIL = Reply(body=fixture_body("feishu_bot_sign_fail.json"))
WECOM_OK = Reply(body=b'{"errcode":0,"errmsg":"ok"}')
LINK = "https://hr.example.cn/kpi/scores/assessments/7/"


def _only_delivery() -> Delivery:
    [delivery] = Delivery.objects.all()
    return delivery


def _make_due(delivery: Delivery) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def test_dingtalk_robot_receives_a_signed_markdown_message(world, loopback, django_capture_on_commit_callbacks):
    make_channel(world, "dingtalk", loopback.url("/robot/send?access_token=tok123456789"), secret="SEC0123456789abcdef")
    loopback.script(DINGTALK_OK)
    before = int(timezone.now().timestamp() * 1000)

    emit_adjustment(world, django_capture_on_commit_callbacks)

    [request] = loopback.received
    assert request.path == "/robot/send"
    timestamp = request.query["timestamp"][0]
    assert before <= int(timestamp) <= int(timezone.now().timestamp() * 1000)
    assert request.query["access_token"] == ["tok123456789"]
    assert request.query["sign"] == [dingtalk_sign("SEC0123456789abcdef", int(timestamp))]
    # the sign travels URL-encoded (base64 "+", "/" and "=" escaped)
    assert "sign=" + quote_plus(dingtalk_sign("SEC0123456789abcdef", int(timestamp))) in request.raw_query
    assert request.headers["content-type"] == "application/json; charset=utf-8"
    assert request.json() == {
        "msgtype": "markdown",
        "markdown": {
            "title": "分数已调整",
            "text": f"#### 分数已调整\n\n赵总将总分调整 +2.00：超额完成季度目标\n\n[Open in Renshi]({LINK})",
        },
    }
    delivery = _only_delivery()
    assert (delivery.status, delivery.attempts, delivery.response_code, delivery.error) == ("sent", 1, 200, "")
    assert json.loads(delivery.response_excerpt) == {"errcode": 0, "errmsg": "ok"}
    assert delivery.sent_at is not None and delivery.next_attempt_at is None


def test_feishu_robot_receives_timestamp_and_sign_in_the_body(world, loopback, django_capture_on_commit_callbacks):
    make_channel(world, "feishu", loopback.url("/open-apis/bot/v2/hook/hooktoken123"), secret="demo-secret")
    loopback.script(FEISHU_OK)

    emit_adjustment(world, django_capture_on_commit_callbacks)

    [request] = loopback.received
    assert request.path == "/open-apis/bot/v2/hook/hooktoken123"
    body = request.json()
    assert body["sign"] == feishu_sign("demo-secret", int(body["timestamp"]))
    assert abs(int(body["timestamp"]) - timezone.now().timestamp()) < 5
    assert body["msg_type"] == "post"
    assert body["content"] == {
        "post": {
            "zh_cn": {
                "title": "分数已调整",
                "content": [
                    [{"tag": "text", "text": "赵总将总分调整 +2.00：超额完成季度目标"}],
                    [{"tag": "a", "text": "Open in Renshi", "href": LINK}],
                ],
            }
        }
    }
    delivery = _only_delivery()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("sent", 1, 200)


def test_feishu_sign_failure_in_a_200_body_is_a_failure_with_the_vendor_message(world, loopback, django_capture_on_commit_callbacks):
    make_channel(world, "feishu", loopback.url("/open-apis/bot/v2/hook/hooktoken123"), secret="wrong-secret")
    loopback.script(FEISHU_SIGN_FAIL)

    emit_adjustment(world, django_capture_on_commit_callbacks)

    delivery = _only_delivery()
    assert (delivery.status, delivery.attempts, delivery.response_code, delivery.next_attempt_at) == ("failed", 1, 200, None)
    assert delivery.error == "Feishu error 19021: sign match fail or timestamp is not within one hour from current time"
    assert '"code": 19021' in delivery.response_excerpt


def test_wecom_robot_receives_a_text_message_with_the_key_in_the_url(world, loopback, django_capture_on_commit_callbacks):
    make_channel(world, "wecom", loopback.url("/cgi-bin/webhook/send?key=KEY-693a91f6"))
    loopback.script(WECOM_OK)

    emit_adjustment(world, django_capture_on_commit_callbacks)

    [request] = loopback.received
    assert (request.path, request.query) == ("/cgi-bin/webhook/send", {"key": ["KEY-693a91f6"]})
    assert request.json() == {
        "msgtype": "text",
        "text": {"content": f"分数已调整\n赵总将总分调整 +2.00：超额完成季度目标\nOpen in Renshi: {LINK}"},
    }
    assert _only_delivery().status == "sent"


def test_vendor_error_code_in_a_dingtalk_200_answer_fails_and_rate_limit_codes_retry(world, loopback, django_capture_on_commit_callbacks):
    make_channel(world, "dingtalk", loopback.url("/robot/send?access_token=tok123456789"))
    loopback.script(
        Reply(body=b'{"errcode":130101,"errmsg":"send too fast"}'), Reply(body=b'{"errcode":310000,"errmsg":"keywords not in content"}')
    )

    emit_adjustment(world, django_capture_on_commit_callbacks)
    delivery = _only_delivery()
    assert (delivery.status, delivery.attempts, delivery.error) == ("retrying", 1, "DingTalk error 130101: send too fast")
    _make_due(delivery)
    retry_due_deliveries.delay()

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.error) == ("failed", 2, "DingTalk error 310000: keywords not in content")


def test_500_then_success_retries_after_one_minute(world, loopback, django_capture_on_commit_callbacks):
    make_channel(world, "wecom", loopback.url("/cgi-bin/webhook/send?key=KEY-1"))
    loopback.script(Reply(status=500, body=b"upstream exploded"), WECOM_OK)

    emit_adjustment(world, django_capture_on_commit_callbacks)

    delivery = _only_delivery()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("retrying", 1, 500)
    assert delivery.error == "The server answered HTTP 500."
    assert delivery.response_excerpt == "upstream exploded"
    assert delivery.next_attempt_at == delivery.last_attempt_at + timedelta(minutes=1)
    # not due yet: the sweep leaves it alone
    assert retry_due_deliveries.delay().get() == 0
    assert len(loopback.received) == 1

    _make_due(delivery)
    assert retry_due_deliveries.delay().get() == 1

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code, delivery.error, delivery.next_attempt_at) == (
        "sent",
        2,
        200,
        "",
        None,
    )
    assert len(loopback.received) == 2


def test_backoff_schedule_is_1_5_30_120_minutes_then_failed_after_5_attempts(world, loopback, django_capture_on_commit_callbacks):
    make_channel(world, "wecom", loopback.url("/cgi-bin/webhook/send?key=KEY-1"))
    loopback.script(*[Reply(status=503, body=b"busy")] * 5)

    emit_adjustment(world, django_capture_on_commit_callbacks)
    delivery = _only_delivery()
    waits = []
    for _attempt in range(4):
        delivery.refresh_from_db()
        assert delivery.status == "retrying"
        waits.append(delivery.next_attempt_at - delivery.last_attempt_at)
        _make_due(delivery)
        send_delivery.delay("channel", delivery.pk)

    delivery.refresh_from_db()
    assert waits == [timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2)]
    assert (delivery.status, delivery.attempts, delivery.response_code, delivery.next_attempt_at) == ("failed", 5, 503, None)
    assert len(loopback.received) == 5


def test_429_waits_for_retry_after_when_it_is_longer_than_the_backoff(world, loopback, django_capture_on_commit_callbacks):
    make_channel(world, "wecom", loopback.url("/cgi-bin/webhook/send?key=KEY-1"))
    loopback.script(Reply(status=429, body=b"slow down", headers={"Retry-After": "600"}))

    emit_adjustment(world, django_capture_on_commit_callbacks)

    delivery = _only_delivery()
    assert (delivery.status, delivery.response_code) == ("retrying", 429)
    assert delivery.next_attempt_at - delivery.last_attempt_at == timedelta(minutes=10)


def test_429_without_retry_after_uses_the_backoff(world, loopback, django_capture_on_commit_callbacks):
    make_channel(world, "wecom", loopback.url("/cgi-bin/webhook/send?key=KEY-1"))
    loopback.script(Reply(status=429, body=b"slow down"))

    emit_adjustment(world, django_capture_on_commit_callbacks)

    delivery = _only_delivery()
    assert delivery.next_attempt_at - delivery.last_attempt_at == timedelta(minutes=1)


def test_a_server_slower_than_the_timeout_is_retried(world, loopback, django_capture_on_commit_callbacks):
    make_channel(world, "wecom", loopback.url("/cgi-bin/webhook/send?key=KEY-1"))
    loopback.script(Reply(body=b'{"errcode":0}', delay=1.0))

    emit_adjustment(world, django_capture_on_commit_callbacks)

    delivery = _only_delivery()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("retrying", 1, None)
    assert delivery.error.startswith("No answer within the time limit")
    assert len(loopback.received) == 1


def test_connection_refused_is_retried(world, django_capture_on_commit_callbacks):
    make_channel(world, "wecom", refused_url("/cgi-bin/webhook/send?key=KEY-1"))

    emit_adjustment(world, django_capture_on_commit_callbacks)

    delivery = _only_delivery()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("retrying", 1, None)
    assert delivery.error.startswith("Could not connect")


def test_a_sent_delivery_is_never_sent_twice(world, loopback, django_capture_on_commit_callbacks):
    make_channel(world, "wecom", loopback.url("/cgi-bin/webhook/send?key=KEY-1"))
    loopback.script(WECOM_OK, WECOM_OK)
    emit_adjustment(world, django_capture_on_commit_callbacks)
    delivery = _only_delivery()

    send_delivery.delay("channel", delivery.pk)  # the task runs again (redelivered by the broker)
    retry_due_deliveries.delay()

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 1)
    assert len(loopback.received) == 1


def test_a_delivery_claimed_by_another_worker_is_left_alone(world, loopback):
    channel = make_channel(world, "wecom", loopback.url("/cgi-bin/webhook/send?key=KEY-1"))
    delivery = Delivery.objects.create(
        company=world.company,
        channel=channel,
        event_key=EVENT,
        title="t",
        next_attempt_at=timezone.now(),
        claimed_until=timezone.now() + timedelta(minutes=4),
    )

    assert mechanics.attempt("channel", delivery.pk) is None

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("queued", 0)
    assert loopback.received == []


def test_hr_resends_a_failed_delivery_as_a_new_row(world, loopback, django_capture_on_commit_callbacks):
    make_channel(world, "feishu", loopback.url("/open-apis/bot/v2/hook/hooktoken123"))
    loopback.script(FEISHU_SIGN_FAIL, FEISHU_OK)
    emit_adjustment(world, django_capture_on_commit_callbacks)
    failed = _only_delivery()

    with django_capture_on_commit_callbacks(execute=True):
        copy = delivery_resend(actor=world.user("hr_admin"), delivery=failed)

    copy.refresh_from_db()
    failed.refresh_from_db()
    assert (copy.status, copy.attempts, copy.resend_of_id, copy.title) == ("sent", 1, failed.pk, "分数已调整")
    assert (failed.status, failed.attempts) == ("failed", 1)
    assert len(loopback.received) == 2


def test_email_channel_mails_each_recipient_with_an_address(world, settings, django_capture_on_commit_callbacks):
    settings.RENSHI_BASE_URL = "https://hr.example.cn"
    make_channel(world, "email")
    world.users["w2_worker"].email = ""
    world.users["w2_worker"].save()

    emit_adjustment(world, django_capture_on_commit_callbacks, recipients=("w1_worker", "w2_worker", "w1_lead"))

    deliveries = Delivery.objects.order_by("target")
    assert [(d.target, d.status, d.attempts) for d in deliveries] == [
        ("w1_lead@acme.example.cn", "sent", 1),
        ("w1_worker@acme.example.cn", "sent", 1),
    ]
    assert sorted(message.to[0] for message in mail.outbox) == ["w1_lead@acme.example.cn", "w1_worker@acme.example.cn"]
    assert mail.outbox[0].subject == "分数已调整"
    assert mail.outbox[0].body == f"赵总将总分调整 +2.00：超额完成季度目标\n\nOpen in Renshi: {LINK}"


def test_channels_get_only_their_events_of_their_company_and_only_when_active(world, loopback, django_capture_on_commit_callbacks):
    make_channel(world, "wecom", loopback.url("/cgi-bin/webhook/send?key=A"), name="subscribed")
    make_channel(world, "wecom", loopback.url("/cgi-bin/webhook/send?key=B"), events=("kpi.cycle_closed",), name="other event")
    off = make_channel(world, "wecom", loopback.url("/cgi-bin/webhook/send?key=C"), name="off")
    Channel.objects.filter(pk=off.pk).update(is_active=False)
    from hris.notifications.services import channel_create

    channel_create(
        actor=world.user("other_hr"),
        company=world.other_company,
        name="other company",
        kind="wecom",
        webhook_url=loopback.url("/cgi-bin/webhook/send?key=D"),
        event_keys=[EVENT],
    )

    emit_adjustment(world, django_capture_on_commit_callbacks)

    assert [request.query["key"] for request in loopback.received] == [["A"]]
    assert list(Delivery.objects.values_list("channel__name", flat=True)) == ["subscribed"]


def test_a_rolled_back_transaction_notifies_nobody_and_sends_nothing(world, loopback, django_capture_on_commit_callbacks):
    make_channel(world, "wecom", loopback.url("/cgi-bin/webhook/send?key=A"))
    make_channel(world, "email", name="mail")

    class Boom(Exception):
        pass

    with pytest.raises(Boom), django_capture_on_commit_callbacks(execute=True) as callbacks:
        from django.db import transaction

        from hris.core.events import emit

        with transaction.atomic():
            emit(EVENT, company_id=world.company.pk, payload={}, recipients=[world.users["w1_worker"].pk], title="x")
            assert Notification.objects.count() == 1 and Delivery.objects.count() == 2
            raise Boom

    assert callbacks == []
    assert Notification.objects.count() == 0
    assert Delivery.objects.count() == 0
    assert loopback.received == []
    assert mail.outbox == []
