"""The in-app notification centre: one notification per recipient in the emitting
transaction, unread first, marking read (htmx and API), the navbar badge."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from hris.notifications.context_processors import notifications as notifications_context
from hris.notifications.models import Notification
from hris.notifications.tests.helpers import emit_adjustment

pytestmark = pytest.mark.django_db


def _three_for_worker(world) -> list[Notification]:  # noqa: ANN001
    worker = world.users["w1_worker"]
    now = timezone.now()
    rows = [
        Notification.objects.create(recipient=worker, company=world.company, event_key="kpi.score_published", title=title, link="/kpi/my/")
        for title in ("old read", "older unread", "newest read")
    ]
    for row, minutes, read in zip(rows, (30, 20, 10), (True, False, True), strict=True):
        Notification.objects.filter(pk=row.pk).update(created_at=now - timedelta(minutes=minutes), read_at=now if read else None)
    return rows


def test_an_event_notifies_each_recipient_once(world, django_capture_on_commit_callbacks):
    emit_adjustment(world, django_capture_on_commit_callbacks, recipients=("w1_worker", "w1_lead", "w1_worker"))

    rows = Notification.objects.order_by("recipient__username")
    assert [(row.recipient.username, row.event_key, row.title, row.link, row.read_at) for row in rows] == [
        ("w1_lead", "kpi.adjustment_made", "分数已调整", "/kpi/scores/assessments/7/", None),
        ("w1_worker", "kpi.adjustment_made", "分数已调整", "/kpi/scores/assessments/7/", None),
    ]
    assert rows[0].body == "赵总将总分调整 +2.00：超额完成季度目标"
    assert rows[0].company_id == world.company.pk


def test_an_event_without_a_title_uses_the_catalogue_label(world, django_capture_on_commit_callbacks):
    from django.db import transaction

    from hris.core.events import emit

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        emit("kpi.cycle_closed", company_id=world.company.pk, payload={}, recipients=[world.users["ceo"].pk])

    assert Notification.objects.get().title == "Cycle closed"


def test_inbox_lists_own_notifications_unread_first(world, client):
    _three_for_worker(world)
    Notification.objects.create(recipient=world.users["w2_worker"], event_key="kpi.score_published", title="someone else's")
    client.force_login(world.user("w1_worker"))

    response = client.get(reverse("notifications:inbox"))

    content = response.content.decode()
    assert response.status_code == 200
    positions = [content.index(title) for title in ("older unread", "newest read", "old read")]
    assert positions == sorted(positions)
    assert "someone else" not in content
    assert 'id="mark-all-read"' in content


def test_mark_one_read_with_htmx_returns_the_row(world, client):
    _old, unread, _new = _three_for_worker(world)
    client.force_login(world.user("w1_worker"))

    response = client.post(reverse("notifications:mark_read", args=[unread.pk]), HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert response["HX-Trigger"] == "notifications-changed"
    assert 'data-read="1"' in response.content.decode()
    assert Notification.objects.get(pk=unread.pk).read_at is not None


def test_nobody_marks_someone_elses_notification(world, client):
    _old, unread, _new = _three_for_worker(world)
    client.force_login(world.user("w2_worker"))

    assert client.post(reverse("notifications:mark_read", args=[unread.pk])).status_code == 404
    assert client.get(reverse("notifications:open", args=[unread.pk])).status_code == 404
    assert Notification.objects.get(pk=unread.pk).read_at is None


def test_mark_all_read_and_badge(world, client, rf):
    _three_for_worker(world)
    Notification.objects.create(recipient=world.users["w1_worker"], event_key="kpi.score_published", title="another")
    client.force_login(world.user("w1_worker"))
    assert 'data-count="2"' in client.get(reverse("notifications:badge")).content.decode()
    request = rf.get("/")
    request.user = world.user("w1_worker")
    assert notifications_context(request) == {"nav_can_manage_integrations": False}

    response = client.post(reverse("notifications:mark_all_read"))

    assert response.status_code == 302
    assert Notification.objects.filter(recipient=world.users["w1_worker"], read_at__isnull=True).count() == 0
    assert "notification-count" not in client.get(reverse("notifications:badge")).content.decode()


def test_opening_a_notification_marks_it_read_and_follows_only_local_links(world, client):
    worker = world.users["w1_worker"]
    local = Notification.objects.create(recipient=worker, event_key="kpi.score_published", title="a", link="/kpi/my/")
    foreign = Notification.objects.create(recipient=worker, event_key="kpi.score_published", title="b", link="https://evil.example/")
    client.force_login(world.user("w1_worker"))

    assert client.get(reverse("notifications:open", args=[local.pk]))["Location"] == "/kpi/my/"
    assert client.get(reverse("notifications:open", args=[foreign.pk]))["Location"] == reverse("notifications:inbox")
    assert Notification.objects.filter(read_at__isnull=True).count() == 0


def test_api_lists_and_marks_own_notifications(world, client):
    _old, unread, _new = _three_for_worker(world)
    client.force_login(world.user("w1_worker"))

    listed = client.get("/api/v1/notifications/?unread=true").json()
    assert [row["title"] for row in listed["results"]] == ["older unread"]
    assert listed["results"][0]["is_read"] is False
    assert [row["title"] for row in client.get("/api/v1/notifications/").json()["results"]] == ["older unread", "newest read", "old read"]

    read = client.post(f"/api/v1/notifications/{unread.pk}/read/")
    assert read.status_code == 200 and read.json()["is_read"] is True
    assert client.post("/api/v1/notifications/read-all/").json() == {"marked_read": 0}


def test_api_does_not_reveal_other_peoples_notifications(world, client):
    _old, unread, _new = _three_for_worker(world)
    client.force_login(world.user("w2_worker"))

    assert client.get("/api/v1/notifications/").json()["results"] == []
    response = client.post(f"/api/v1/notifications/{unread.pk}/read/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert Notification.objects.get(pk=unread.pk).read_at is None
