"""Background computation. Tasks take a run id and are idempotent: a run that already
finished is left alone, and a run whose cycle is busy with another run waits its turn."""

from celery import shared_task


@shared_task(name="kpi.execute_computation_run", bind=True, ignore_result=True, max_retries=None)
def execute_computation_run(self, run_id: int) -> None:
    from hris.kpi.services.computation import CycleBusy, computation_run_execute

    try:
        computation_run_execute(run_id=run_id)
    except CycleBusy:
        raise self.retry(countdown=2)


@shared_task(name="kpi.send_rating_reminders", ignore_result=True)
def send_rating_reminders(cycle_id: int | None = None) -> dict:
    """Daily (django-celery-beat, 09:00 Shanghai): remind raters of pending ratings due soon or
    overdue. Idempotent per day: a request already reminded today is not reminded again."""
    from hris.kpi.models import Cycle
    from hris.kpi.services.rating_requests import rating_reminders_send

    cycle = Cycle.objects.filter(pk=cycle_id).first() if cycle_id else None
    if cycle_id and cycle is None:
        return {"raters": 0, "requests": 0}
    report = rating_reminders_send(actor=None, cycle=cycle)
    return {"raters": report.raters, "requests": report.requests}
