"""Progress of an import's write phase, kept in the cache.

The findings are written in one transaction (all or nothing), so a progress row updated inside it would
stay invisible to the polling page until the end, and a second database connection cannot write while
SQLite holds the writer's lock. The cache sits outside both: with REDIS_URL (a separate worker) it is
Redis, shared by the worker and the web processes; without it tasks run eagerly in the web process and
the local-memory cache is shared too. Keys carry the organization and the job, and are only read for a
job already fetched in the organization's scope, so tenancy stays with the database.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime

from django.core.cache import cache

from trustroom.assessments.models import FindingImport

# Long enough to outlive any write phase; a finished job's entry is deleted anyway.
TTL_SECONDS = 6 * 60 * 60


@dataclass(frozen=True)
class WriteProgress:
    rows_done: int
    rows_total: int
    at: datetime  # when it was reported (the sweeper reads it as a sign of life)

    @property
    def percent(self) -> int:
        if not self.rows_total:
            return 0
        return min(100, int(self.rows_done * 100 / self.rows_total))


def _key(organization_id: int, job_id: int) -> str:
    return f"trustroom:finding-import-write:{organization_id}:{job_id}"


def report_write_progress(job: FindingImport, rows_done: int, rows_total: int) -> None:
    cache.set(_key(job.organization_id, job.pk), (rows_done, rows_total, time.time()), TTL_SECONDS)


def write_progress(job: FindingImport) -> WriteProgress | None:
    """The write phase's progress of a running job (None before it starts or once the job is finished)."""
    if job.pk is None or job.is_finished:
        return None
    value = cache.get(_key(job.organization_id, job.pk))
    if not value:
        return None
    rows_done, rows_total, at = value
    return WriteProgress(rows_done=rows_done, rows_total=rows_total, at=datetime.fromtimestamp(at, UTC))


def clear_write_progress(organization_id: int, job_id: int) -> None:
    cache.delete(_key(organization_id, job_id))
