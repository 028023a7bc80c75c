"""Channel pages: HR admin configures; managers, employees and another company's HR are
refused and nothing changes. Robot URLs and secrets are stored encrypted and never shown."""

import pytest
from django.urls import reverse

from hris.audit.models import AuditEvent
from hris.notifications.models import Channel, Delivery
from hris.notifications.tests.helpers import EVENT, make_channel
from hris.notifications.tests.loopback import Reply

pytestmark = pytest.mark.django_db

DINGTALK_URL = "https://oapi.dingtalk.com/robot/send?access_token=a1b2c3d4e5f6a7b8c9d0"
SECRET = "SEC0123456789abcdef0123456789"


def _post_new(client, world, **overrides):  # noqa: ANN001, ANN202
    data = {
        "company": world.company.pk,
        "name": "生产群",
        "kind": "dingtalk",
        "webhook_url": DINGTALK_URL,
        "secret": SECRET,
        "event_keys": [EVENT, "kpi.score_published"],
        "is_active": "on",
        **overrides,
    }
    return client.post(reverse("notifications:channel_create"), data)


def test_hr_admin_creates_a_dingtalk_channel_stored_encrypted_and_never_shown(world, client):
    client.force_login(world.user("hr_admin"))

    response = _post_new(client, world)

    assert response.status_code == 302
    channel = Channel.objects.get()
    assert (channel.company_id, channel.name, channel.kind, channel.event_keys) == (
        world.company.pk,
        "生产群",
        "dingtalk",
        ["kpi.adjustment_made", "kpi.score_published"],
    )
    raw_url, raw_secret = Channel.objects.values_list("webhook_url_encrypted", "secret_encrypted").get()
    assert "a1b2c3d4e5f6a7b8c9d0" not in raw_url and SECRET not in raw_secret
    assert (channel.webhook_url(), channel.secret()) == (DINGTALK_URL, SECRET)
    assert channel.webhook_url_hint == "https://oapi.dingtalk.com/robot/send?access_token=a1b…c9d0"
    assert channel.secret_hint == "SEC…6789"
    audit = AuditEvent.objects.get(action="notifications.channel_created")
    assert audit.after["webhook_url"] == channel.webhook_url_hint and audit.after["secret"] == "SEC…6789"
    for url in (reverse("notifications:channels"), reverse("notifications:channel_edit", args=[channel.pk])):
        page = client.get(url).content.decode()
        assert "a1b2c3d4e5f6a7b8c9d0" not in page and SECRET not in page
        assert "SEC…6789" in page


def test_editing_with_blank_url_and_secret_keeps_them(world, client):
    channel = make_channel(world, "dingtalk", DINGTALK_URL, secret=SECRET)
    client.force_login(world.user("hr_admin"))

    response = client.post(reverse("notifications:channel_edit", args=[channel.pk]), {"name": "改名", "event_keys": ["kpi.cycle_closed"]})

    assert response.status_code == 302
    channel.refresh_from_db()
    assert (channel.name, channel.event_keys, channel.is_active) == ("改名", ["kpi.cycle_closed"], False)
    assert (channel.webhook_url(), channel.secret()) == (DINGTALK_URL, SECRET)

    client.post(reverse("notifications:channel_edit", args=[channel.pk]), {"name": "改名", "clear_secret": "on", "is_active": "on"})
    channel.refresh_from_db()
    assert (channel.secret(), channel.secret_hint, channel.is_active) == ("", "", True)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"webhook_url": "https://oapi.dingtalk.com/robot/send"}, "webhook_url", "access_token"),
        ({"kind": "wecom", "webhook_url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send"}, "webhook_url", "key="),
        ({"name": ""}, "name", "required"),
        ({"webhook_url": "https://robot.example.net/robot/send?access_token=abc"}, "webhook_url", "“robot.example.net” is not one of them"),
    ],
)
def test_bad_input_is_shown_on_the_field_and_nothing_is_saved(world, client, overrides, field, message):
    client.force_login(world.user("hr_admin"))

    response = _post_new(client, world, **overrides)

    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert Channel.objects.count() == 0


def test_duplicate_name_is_refused(world, client):
    make_channel(world, "email", name="生产群")
    client.force_login(world.user("hr_admin"))

    response = _post_new(client, world)

    assert response.status_code == 400
    assert "already has a channel" in response.context["form"].errors["name"][0]
    assert Channel.objects.count() == 1


@pytest.mark.parametrize("username", ["prod_head", "w1_worker", "ceo", "hrbp"])
def test_managers_employees_executives_and_hrbp_are_refused(world, client, username):
    channel = make_channel(world, "dingtalk", DINGTALK_URL, secret=SECRET)
    client.force_login(world.user(username))

    assert client.get(reverse("notifications:channels")).status_code == 403
    assert client.get(reverse("notifications:deliveries")).status_code == 403
    assert _post_new(client, world, name="sneaky").status_code == 403
    assert client.post(reverse("notifications:channel_edit", args=[channel.pk]), {"name": "x"}).status_code == 403
    assert client.post(reverse("notifications:channel_test", args=[channel.pk])).status_code == 403

    assert list(Channel.objects.values_list("name", flat=True)) == ["dingtalk robot"]
    assert Delivery.objects.count() == 0


def test_another_companys_hr_cannot_see_or_change_this_companys_channels(world, client):
    channel = make_channel(world, "dingtalk", DINGTALK_URL, secret=SECRET)
    client.force_login(world.user("other_hr"))

    assert "dingtalk robot" not in client.get(reverse("notifications:channels")).content.decode()
    assert client.get(reverse("notifications:channel_edit", args=[channel.pk])).status_code == 404
    assert client.post(reverse("notifications:channel_edit", args=[channel.pk]), {"name": "taken over"}).status_code == 404
    assert client.post(reverse("notifications:channel_test", args=[channel.pk])).status_code == 404
    # the company field only offers their own company
    response = _post_new(client, world, name="into acme")
    assert response.status_code == 400 and "company" in response.context["form"].errors

    channel.refresh_from_db()
    assert channel.name == "dingtalk robot"
    assert Channel.objects.count() == 1
    assert Delivery.objects.count() == 0


def test_delivery_log_filters_and_resend_button(world, client, django_capture_on_commit_callbacks):
    email = make_channel(world, "email", name="mail")
    robot = make_channel(world, "wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abcdefgh12345", name="group")
    Delivery.objects.create(
        company=world.company, channel=email, event_key=EVENT, title="发给邮箱", status="failed", attempts=5, error="boom"
    )
    Delivery.objects.create(
        company=world.company, channel=robot, event_key=EVENT, title="发给群", status="sent", attempts=1, response_code=200
    )
    client.force_login(world.user("hr_admin"))

    page = client.get(reverse("notifications:deliveries"), {"status": "failed"}).content.decode()
    assert "发给邮箱" in page and "发给群" not in page and "boom" in page
    page = client.get(reverse("notifications:deliveries"), {"source": robot.pk}).content.decode()
    assert "发给群" in page and "发给邮箱" not in page

    failed = Delivery.objects.get(title="发给邮箱")
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("notifications:delivery_resend", args=[failed.pk]))
    assert response.status_code == 302
    copy = Delivery.objects.get(resend_of=failed)
    assert (copy.status, copy.attempts, copy.title, copy.channel_id) == ("queued", 0, "发给邮箱", email.pk)


def test_other_company_hr_cannot_resend(world, client):
    channel = make_channel(world, "email", name="mail")
    delivery = Delivery.objects.create(company=world.company, channel=channel, event_key=EVENT, title="t", status="failed", attempts=5)
    client.force_login(world.user("other_hr"))

    assert client.post(reverse("notifications:delivery_resend", args=[delivery.pk])).status_code == 404
    assert Delivery.objects.count() == 1


def test_forms_render_with_the_fields_each_kind_needs(world, client):
    client.force_login(world.user("hr_admin"))
    email = make_channel(world, "email", name="mail")
    wecom = make_channel(world, "wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abcdefgh12345", name="wecom")

    new = client.get(reverse("notifications:channel_create")).content.decode()
    email_page = client.get(reverse("notifications:channel_edit", args=[email.pk])).content.decode()
    wecom_page = client.get(reverse("notifications:channel_edit", args=[wecom.pk])).content.decode()

    assert all(f'name="{name}"' in new for name in ("company", "kind", "webhook_url", "secret", "event_keys"))
    assert 'name="webhook_url"' not in email_page and 'name="secret"' not in email_page
    assert 'name="webhook_url"' in wecom_page and 'name="secret"' not in wecom_page
    assert "abc…2345" in wecom_page and "abcdefgh12345" not in wecom_page


def test_test_buttons_send_through_robot_and_email(world, client, loopback, django_capture_on_commit_callbacks):
    from django.core import mail

    robot = make_channel(world, "wecom", loopback.url("/cgi-bin/webhook/send?key=KEY-9"), name="group")
    email = make_channel(world, "email", name="mail")
    loopback.script(Reply(body=b'{"errcode":0,"errmsg":"ok"}'))
    client.force_login(world.user("hr_admin"))

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("notifications:channel_test", args=[robot.pk])).status_code == 302
        assert client.post(reverse("notifications:channel_test", args=[email.pk])).status_code == 302

    [request] = loopback.received
    assert request.json()["text"]["content"].startswith("Test message from Renshi\nIf you can read this, the channel “group” works.")
    assert [message.to for message in mail.outbox] == [["hr_admin@acme.example.cn"]]
    assert sorted(Delivery.objects.values_list("event_key", "status", "target")) == [
        ("notifications.test", "sent", "hr_admin@acme.example.cn"),
        ("notifications.test", "sent", robot.webhook_url_hint),
    ]


def test_unknown_event_keys_are_refused_by_the_service(world):
    from hris.core.errors import DomainError

    with pytest.raises(DomainError) as refused:
        make_channel(world, "email", events=("kpi.no_such_event",))

    assert refused.value.field_errors == {"event_keys": ["Unknown or not offered events: kpi.no_such_event."]}
    assert Channel.objects.count() == 0


def test_bell_partial_shows_the_unread_count(world, rf):
    from django.template.loader import render_to_string

    request = rf.get("/")
    request.user = world.user("w1_worker")
    html = render_to_string("notifications/_bell.html", {"nav_unread_notifications": 3}, request=request)

    assert 'href="/notifications/"' in html and 'data-count="3"' in html and 'hx-get="/notifications/badge/"' in html
