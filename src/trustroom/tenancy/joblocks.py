"""Which worker runs a background job, decided by PostgreSQL: a session advisory lock per job.

A job's status says "running" from its claim on, but not whether the worker that claimed it is alive.
The worker holds the job's advisory lock for as long as it runs it; a worker killed mid-job (SIGKILL,
OOM, power) loses its connection and so its lock at once. With late acks and reject-on-worker-lost,
Celery hands the task to another worker, which takes the lock and may pick up the running job again:
holding the lock proves the first worker is gone. On SQLite (the embedded default, tasks run in-process)
there are no separate workers: no lock, and a running job is never taken over.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

# A lock just released by a killed worker: its server process may need a moment to notice the closed
# connection. A live worker holds the lock for the whole job, so waiting longer would not help.
WAIT_SECONDS = 10.0
POLL_SECONDS = 0.2
# PostgreSQL's advisory locks are re-entrant for one session: the locks this thread's connection holds
# are remembered so that a second run of the same job in this worker is told "taken" like any other.
_local = threading.local()


def _held_here() -> set[str]:
    if not hasattr(_local, "keys"):
        _local.keys = set()
    return _local.keys


@contextmanager
def job_lock(kind: str, job_id: int, *, wait: float | None = None) -> Iterator[bool]:
    """Yields True while this worker holds the lock of job `kind`/`job_id` (or on a database without
    advisory locks), False when another live worker holds it."""
    if connection.vendor != "postgresql":
        yield True
        return
    key = f"{kind}:{job_id}"
    if key in _held_here():
        yield False
        return
    deadline = time.monotonic() + (WAIT_SECONDS if wait is None else wait)
    with connection.cursor() as cursor:
        while True:
            cursor.execute("SELECT pg_try_advisory_lock(hashtextextended(%s, 0))", [key])
            held = bool(cursor.fetchone()[0])
            if held or time.monotonic() >= deadline:
                break
            time.sleep(POLL_SECONDS)
    if held:
        _held_here().add(key)
    try:
        yield held
    finally:
        _held_here().discard(key)
        if held and connection.connection is not None:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(hashtextextended(%s, 0))", [key])


def can_take_over_running() -> bool:
    """Whether a job found running may be picked up by the holder of its lock (see the module doc)."""
    return connection.vendor == "postgresql"


def claimable_statuses(queued: str, running: str) -> tuple[str, ...]:
    """The statuses the holder of a job's lock may claim it from: queued; and on PostgreSQL running too,
    as holding the lock proves the worker that claimed it is gone. Only for jobs whose results are
    written in one transaction at the end, so a dead worker kept none of them."""
    return (queued, running) if can_take_over_running() else (queued,)
