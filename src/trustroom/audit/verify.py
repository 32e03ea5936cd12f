"""Checking an organization's audit chain end to end."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from trustroom.audit.chain import compute_hash
from trustroom.audit.models import GENESIS_HASH, AuditChainHead, AuditEvent
from trustroom.tenancy.narrowing import unnarrowed
from trustroom.tenancy.scope import require_org

CHUNK_SIZE = 2000


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    events_checked: int
    head_seq: int
    head_hash: str
    broken_seq: int | None = None
    broken_event_id: int | None = None
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class _Head:
    seq: int
    hash: str
    recorded: bool


@dataclass(frozen=True)
class _Break:
    seq: int
    event_id: int | None
    reason: str


def _read_head() -> _Head:
    head = AuditChainHead.objects.first()
    if head is None:
        return _Head(0, GENESIS_HASH, recorded=False)
    return _Head(head.seq, head.hash, recorded=True)


class _ChainWalk:
    """Follows the chain forward from the genesis, one event at a time, remembering where it stands."""

    def __init__(self, on_progress: Callable[[int], None] | None) -> None:
        self.on_progress = on_progress
        self.expected_seq = 1
        self.prev_hash = GENESIS_HASH
        self.last_event_id: int | None = None
        self.checked = 0

    @property
    def last_seq(self) -> int:
        return self.expected_seq - 1

    def through(self, until_seq: int) -> _Break | None:
        """Check the events after the ones already checked, up to `until_seq`; the first break, if any."""
        events = AuditEvent.objects.filter(seq__lte=until_seq)
        if self.checked:
            events = events.filter(seq__gte=self.expected_seq)
        # No lower bound on the first pass: a forged event numbered 0 must not hide below the chain.
        for event in events.order_by("seq", "pk").iterator(chunk_size=CHUNK_SIZE):
            problem = self._problem_with(event)
            if problem:
                return _Break(event.seq, event.pk, problem)
            self.prev_hash = event.hash
            self.last_event_id = event.pk
            self.expected_seq += 1
            self.checked += 1
            if self.on_progress is not None:
                self.on_progress(1)
        return None

    def _problem_with(self, event: AuditEvent) -> str:
        expected = self.expected_seq
        if event.seq < expected:
            return f"event #{event.seq} appears again or out of order (expected #{expected})"
        if event.seq > expected:
            missing = f"#{expected}" if event.seq == expected + 1 else f"#{expected}-#{event.seq - 1}"
            return f"event(s) {missing} are missing before event #{event.seq}"
        if event.prev_hash != self.prev_hash:
            if expected == 1:
                return "event #1 does not start the chain"
            return (
                f"event #{event.seq} does not link to event #{expected - 1} before it "
                "(one of the two was changed, or events were reordered)"
            )
        if compute_hash(event) != event.hash:
            return f"event #{event.seq} was altered after it was recorded"
        return ""

    def end_problem(self, head: _Head) -> _Break | None:
        """Does the walk end where the chain head says the log ends?"""
        if self.last_seq < head.seq:
            return _Break(
                self.last_seq + 1,
                None,
                f"the log ends at event #{self.last_seq} but the chain head records #{head.seq}: "
                "events were cut off the end",
            )
        if self.prev_hash != head.hash:
            self.checked -= 1  # the last event is the broken one, so it does not count as verified
            return _Break(
                self.last_seq,
                self.last_event_id,
                f"event #{self.last_seq} does not match the chain head (it was changed and re-hashed)",
            )
        return None


# The chain is checked whole, whoever asks: an auditor's narrowing would make every gap look like tampering.
@unnarrowed()
def verify_chain(*, on_progress: Callable[[int], None] | None = None) -> ChainReport:
    """Verify the active organization's chain; report the first broken event.

    Detects a changed event (hash mismatch), a deleted or inserted one (sequence gap or duplicate,
    broken back-link), reordering (sequence and back-links disagree), a cut-off tail (the chain head
    records more than the log holds) and events added past the head without moving it.

    Appends may commit while this runs (on PostgreSQL each statement sees the newest commits), so the
    head is read first and the walk stops there; events found past it are then checked against a
    fresh read of the head, which every append moves in the same transaction as its event.
    """
    require_org()
    walk = _ChainWalk(on_progress)
    head = _read_head()

    def report(problem: _Break | None) -> ChainReport:
        if problem is None:
            return ChainReport(True, walk.checked, head.seq, head.hash)
        return ChainReport(
            False, walk.checked, head.seq, head.hash, problem.seq, problem.event_id, problem.reason
        )

    problem = walk.through(head.seq) or walk.end_problem(head)
    while problem is None:
        beyond = AuditEvent.objects.filter(seq__gt=head.seq).order_by("seq", "pk").first()
        if beyond is None:
            break
        newer = _read_head()
        if beyond.seq > newer.seq:
            where = f"the chain head (#{newer.seq})" if newer.recorded else "a chain head (none is recorded)"
            problem = _Break(
                beyond.seq,
                beyond.pk,
                f"event #{beyond.seq} lies beyond {where}: it was not appended through the audit log",
            )
            break
        head = newer
        problem = walk.through(head.seq) or walk.end_problem(head)
    return report(problem)


@unnarrowed()
def verify_chain_to(*, seq: int, expected_hash: str) -> ChainReport:
    """Does the active organization's chain verify from the genesis up to event #`seq`, and does that event
    carry `expected_hash`? (An exported record of a chain head, checked later against the live log.)"""
    require_org()
    walk = _ChainWalk(None)
    problem = walk.through(seq)
    if problem is None and walk.last_seq < seq:
        problem = _Break(
            walk.last_seq + 1, None, f"the log holds no event #{seq}: it ends at #{walk.last_seq}"
        )
    if problem is None and walk.prev_hash != expected_hash:
        problem = _Break(seq, walk.last_event_id, f"event #{seq} does not carry the recorded hash")
    if problem is None:
        return ChainReport(True, walk.checked, seq, expected_hash)
    return ChainReport(False, walk.checked, seq, expected_hash, problem.seq, problem.event_id, problem.reason)
