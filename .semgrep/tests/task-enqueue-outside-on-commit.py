from django.db import transaction

from trustroom.assessments.imports.tasks import run_finding_import


def start_import(*, actor, job):
    # ruleid: task-enqueue-outside-on-commit
    run_finding_import.delay(job.pk, job.organization_id)
    # ruleid: task-enqueue-outside-on-commit
    run_finding_import.apply_async((job.pk, job.organization_id), countdown=5)


def start_import_after_commit(*, actor, job):
    # ok: task-enqueue-outside-on-commit
    transaction.on_commit(lambda: run_finding_import.delay(job.pk, job.organization_id))


def enqueue_many(ids, org_id):
    def enqueue():
        for job_id in ids:
            # ok: task-enqueue-outside-on-commit
            run_finding_import.delay(job_id, org_id)

    transaction.on_commit(enqueue, robust=True)
