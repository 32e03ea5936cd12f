"""Helpers for real concurrency on PostgreSQL: another connection (a thread) holding a transaction or a
job's advisory lock, as a live worker would, until released; closing it is what SIGKILL does."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connection

from trustroom.tenancy.joblocks import job_lock
from trustroom.tenancy.scope import org_scope

_LOCKS: list[Any] = []


def holding(org: Any, hold: Callable[[], None]) -> tuple[threading.Thread, threading.Event, threading.Event]:
    """Run `hold` in another connection's open transaction until released; the connection then closes."""
    ready, release = threading.Event(), threading.Event()

    def run() -> None:
        try:
            with org_scope(org):
                hold()
                ready.set()
                release.wait(20)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    assert ready.wait(20)
    return thread, ready, release


def take_lock(kind: str, job_id: int) -> bool:
    """The job's lock, held by this thread's connection until it is closed (as a worker holds it)."""
    lock = job_lock(kind, job_id)
    _LOCKS.append(lock)  # referenced: a collected context manager would release it at once
    return lock.__enter__()


def in_another_worker(work: Callable[[], Any]) -> list[Any]:
    """`work`'s result, run in a thread of its own connection (a second worker)."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(work())
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(30)
    return outcome
