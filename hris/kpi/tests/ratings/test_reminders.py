"""Reminders: pending requests due within the cycle's window or overdue, once a day per request,
one event per rater; the Celery task and its daily schedule."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from hris.audit.models import AuditEvent
from hris.core.errors import PermissionDenied
from hris.kpi.models import RatingRequest
from hris.kpi.services.rating_requests import rating_reminders_send, rating_requests_generate, rating_settings_set
from hris.kpi.tasks import send_rating_reminders

pytestmark = pytest.mark.django_db


@pytest.fixture
def requests(world, rated, today):  # noqa: ANN001, ANN201
    """Settings remind 3 days ahead. w1_lead's requests: w1_worker (manager, due in 2 days), own self rating
    (overdue), w1_worker subordinate of w1_lead is someone else's. prod_head's: due in 10 days."""
    hr = world.user("hr_admin")
    rating_settings_set(actor=hr, cycle=rated.cycle, due_date=today + timedelta(days=10), reminder_days_before=3)
    rating_requests_generate(actor=hr, cycle=rated.cycle)
    lead = world.user("w1_lead")
    RatingRequest.objects.filter(rater=lead, rater_role="manager").update(due_date=today + timedelta(days=2))
    RatingRequest.objects.filter(rater=lead, rater_role="self").update(due_date=today - timedelta(days=1))
    RatingRequest.objects.filter(rater=lead, rater_role="subordinate").update(due_date=today + timedelta(days=3), state="submitted")
    worker = world.user("w1_worker")
    RatingRequest.objects.filter(rater=worker, rater_role="self").update(due_date=today + timedelta(days=3))
    return RatingRequest.objects.all()


def _at(day, hour):  # noqa: ANN001, ANN202
    return timezone.make_aware(datetime.combine(day, time(hour)))


def test_raters_with_ratings_due_soon_or_overdue_are_reminded_once_a_day(world, rated, requests, today, emitted):
    report = rating_reminders_send(now=_at(today, 9))

    reminders = sorted((event.recipient_user_ids, event.payload["requests"], event.payload["overdue"]) for event in emitted)
    lead, worker = world.user("w1_lead").pk, world.user("w1_worker").pk
    assert reminders == sorted([((lead,), 2, 1), ((worker,), 1, 0)])
    assert (report.raters, report.requests) == (2, 3)
    assert all(event.key == "kpi.rating_reminder" and event.link == "/kpi/ratings/" for event in emitted)
    assert set(requests.filter(reminder_count=1).values_list("rater__username", "rater_role")) == {
        ("w1_lead", "manager"),
        ("w1_lead", "self"),
        ("w1_worker", "self"),
    }

    emitted.clear()
    later_today = rating_reminders_send(now=_at(today, 17))
    assert (later_today.raters, emitted) == (0, [])

    tomorrow = rating_reminders_send(now=_at(today + timedelta(days=1), 9))
    assert tomorrow.requests == 3
    assert set(requests.filter(reminder_count__gt=0).values_list("reminder_count", flat=True)) == {2}


def test_hr_sends_reminders_for_one_cycle_and_it_is_audited(world, rated, requests, today, emitted):
    with pytest.raises(PermissionDenied):
        rating_reminders_send(actor=world.user("prod_head"), cycle=rated.cycle)
    assert emitted == [] and not requests.filter(reminder_count__gt=0).exists()

    report = rating_reminders_send(actor=world.user("hr_admin"), cycle=rated.cycle, now=_at(today, 9))

    assert report.requests == 3
    assert AuditEvent.objects.get(action="kpi.rating_reminders_sent").after == {"raters": 2, "requests": 3}


def test_the_task_reminds_and_is_safe_to_run_twice(world, rated, requests, emitted):
    first = send_rating_reminders.delay().get()
    second = send_rating_reminders.delay(rated.cycle.pk).get()

    assert first == {"raters": 2, "requests": 3}
    assert second == {"raters": 0, "requests": 0}
    assert len(emitted) == 2


def test_closed_cycles_remind_nobody(world, rated, requests, emitted):
    rated.cycle.state = "closed"
    rated.cycle.save()

    assert send_rating_reminders.delay().get() == {"raters": 0, "requests": 0}
    assert emitted == []


def test_the_daily_schedule_is_registered_at_nine_shanghai_time():
    task = PeriodicTask.objects.get(task="kpi.send_rating_reminders")
    assert (task.enabled, task.crontab.hour, task.crontab.minute, str(task.crontab.timezone)) == (True, "9", "0", "Asia/Shanghai")
