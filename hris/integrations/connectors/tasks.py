"""Connector work in the background. Tasks take ids and are idempotent: a finished run is left
alone, and an interrupted one resumes from its last committed page."""

from celery import shared_task


@shared_task(name="connectors.run_sync", ignore_result=True)
def run_sync(run_id: int) -> None:
    from hris.integrations.connectors.engine import sync_run_execute

    sync_run_execute(run_id=run_id)


@shared_task(name="connectors.run_scheduled", ignore_result=True)
def run_scheduled(connector_id: int) -> None:
    from hris.integrations.connectors.engine import scheduled_run

    scheduled_run(connector_id=connector_id)
