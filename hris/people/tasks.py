"""Background work for people data: validating and committing large imports.

Tasks take the job id and are idempotent: each only works on a job still in the state it
expects (validating, committing), so a redelivered or doubled task does nothing harmful.
"""

from celery import shared_task


@shared_task(name="people.validate_import_job", ignore_result=True)
def validate_import_job(job_id: int) -> None:
    from hris.people.importing.jobs import validate_job

    validate_job(job_id)


@shared_task(name="people.commit_import_job", ignore_result=True)
def commit_import_job(job_id: int) -> None:
    from hris.people.importing.jobs import commit_job

    commit_job(job_id)
