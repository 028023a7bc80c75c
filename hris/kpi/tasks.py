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
