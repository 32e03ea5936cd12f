"""The hash chain: a clean log always verifies; every kind of tampering is caught at the first broken event."""

from __future__ import annotations

import math
import random
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction

from tests.audit.helpers import (
    TABLE,
    datetime_param,
    delete_seqs,
    events_of,
    forged_event,
    insert_forged,
    record,
    record_from_request,
    record_many,
    renumber,
    set_column,
    tamper,
    verify,
)
from trustroom.audit import verify as verify_module
from trustroom.audit.chain import compute_hash
from trustroom.audit.models import GENESIS_HASH, AuditChainHead, AuditEvent
from trustroom.tenancy.models import Membership
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db
TAMPERING = pytest.mark.django_db(transaction=True, databases=["default", "owner"])


def assert_intact(report: Any, events: int) -> None:
    assert report.ok, report.reason
    assert report.events_checked == events
    assert report.head_seq == events
    assert (report.broken_seq, report.broken_event_id, report.reason) == (None, None, "")


# --- A clean log always verifies ------------------------------------------------------------------------


def test_empty_log_verifies(org_a: Any) -> None:
    report = verify(org_a)
    assert_intact(report, 0)
    assert report.head_hash == GENESIS_HASH


def test_events_of_every_shape_verify(org_a: Any, owner_a: Any) -> None:
    membership = Membership.objects.get(user=owner_a)
    shapes: list[dict[str, Any]] = [
        {"target": None, "changes": None},
        {"target": org_a, "changes": {}},
        {"target": membership, "changes": {"role": ["viewer", "owner"], "user": owner_a.email}},
        {"target": org_a, "changes": {"name": ["Alpha", "Älpha \u2013 Zürich 東京 🚀"], "quote": 'a"b\\c\n'}},
        {"target": None, "changes": {"nested": {"list": [1, [2, {"deep": None}]], "flag": True}}},
        {
            "target": None,
            "changes": {
                "day": date(2025, 3, 31),
                "at": datetime(2025, 3, 31, 23, 59, 59, 999999, tzinfo=UTC),
                "amount": Decimal("1234.5600"),
                "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
                "period": timedelta(hours=4),
            },
        },
        # Numbers that PostgreSQL's jsonb prints differently from Python (1e16 comes back as an integer).
        {"target": None, "changes": {"big": 1e16, "whole": 2.0, "tiny": 1e-7, "huge": 2**70, "neg": -0.0}},
        {"target": None, "changes": {"long": "x" * 5000, 3: "integer key", "empty": ""}},
    ]
    for number, shape in enumerate(shapes):
        record(org_a, owner_a, f"shape.case{number}", **shape)
    record_from_request(org_a, owner_a, "request.v4", ip="203.0.113.9", user_agent="Mozilla/5.0 ✓")
    # Raw IPv6 spellings are stored compressed and lower case: the hash must cover the stored form.
    record_from_request(org_a, owner_a, "request.v6", ip="2001:DB8:0:0:1:0:0:1")
    record_from_request(org_a, owner_a, "request.mapped", ip="::FFFF:1.2.3.4")
    record_from_request(org_a, owner_a, "request.not-an-ip", ip="unknown")

    report = verify(org_a)
    events = events_of(org_a)
    assert_intact(report, len(shapes) + 4)
    assert report.head_hash == events[-1].hash
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    assert events[0].prev_hash == GENESIS_HASH
    by_action = {e.action: e for e in events}
    assert by_action["shape.case5"].changes["amount"] == "1234.5600"
    assert by_action["shape.case5"].changes["day"] == "2025-03-31"
    assert by_action["shape.case6"].changes["big"] == 10**16
    assert by_action["shape.case7"].changes["3"] == "integer key"
    assert by_action["shape.case2"].target_type == "tenancy.membership"
    assert by_action["request.v6"].ip == "2001:db8::1:0:0:1"
    assert by_action["request.mapped"].ip == "::ffff:1.2.3.4"
    assert by_action["request.not-an-ip"].ip is None
    assert by_action["request.v4"].user_agent == "Mozilla/5.0 ✓"


def test_values_json_cannot_hold_are_refused_and_nothing_is_written(org_a: Any, owner_a: Any) -> None:
    record(org_a, owner_a, "first")
    with pytest.raises(ValueError, match="JSON"), transaction.atomic():
        record(org_a, owner_a, "bad", changes={"ratio": math.nan})
    assert [e.action for e in events_of(org_a)] == ["first"]
    assert_intact(verify(org_a), 1)


_ALPHABET = "abcXYZ019 _-.:/\"'\\\n\tüßé東京🚀€"


def _random_text(rng: random.Random, max_length: int = 12) -> str:
    return "".join(rng.choice(_ALPHABET) for _ in range(rng.randint(0, max_length)))


def _random_value(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.choice(
        ["int", "float", "bigfloat", "text", "bool", "none", "list", "dict"][: 8 - 2 * (depth > 2)]
    )
    if kind == "int":
        return rng.randint(-(2**63), 2**63)
    if kind == "float":
        return rng.uniform(-1e6, 1e6)
    if kind == "bigfloat":
        return float(rng.randint(1, 10**6)) * 10.0 ** rng.randint(10, 300)
    if kind == "text":
        return _random_text(rng)
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "none":
        return None
    if kind == "list":
        return [_random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {_random_text(rng, 6): _random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))}


@pytest.mark.parametrize("seed", range(5))
def test_random_logs_always_verify(org_a: Any, owner_a: Any, seed: int) -> None:
    """Property: whatever the services record, in whatever order, the log verifies after every append."""
    rng = random.Random(seed)
    membership = Membership.objects.get(user=owner_a)
    count = 0
    for _ in range(rng.randint(5, 15)):
        target = rng.choice([None, org_a, membership])
        changes = {_random_text(rng, 8): _random_value(rng) for _ in range(rng.randint(0, 5))}
        action = f"random.{rng.choice(['created', 'updated', 'deleted'])}-{_random_text(rng, 4)}"[:100]
        record(org_a, owner_a, action, target=target, changes=changes)
        count += 1
        if rng.random() < 0.3:
            assert_intact(verify(org_a), count)
    assert_intact(verify(org_a), count)


def test_organizations_have_independent_chains(org_a: Any, owner_a: Any, org_b: Any, owner_b: Any) -> None:
    for number in range(3):
        record(org_a, owner_a, "alpha.step", changes={"n": number})
        record(org_b, owner_b, "bravo.step", changes={"n": number})
    record(org_b, owner_b, "bravo.extra")
    alpha, bravo = events_of(org_a), events_of(org_b)
    assert [e.seq for e in alpha] == [1, 2, 3]
    assert [e.seq for e in bravo] == [1, 2, 3, 4]
    assert alpha[0].prev_hash == bravo[0].prev_hash == GENESIS_HASH
    assert {e.action for e in alpha} == {"alpha.step"}
    assert_intact(verify(org_a), 3)
    assert_intact(verify(org_b), 4)
    # Same content in another organization hashes differently: a row cannot be moved across chains.
    assert alpha[0].hash != bravo[0].hash


def test_verify_reads_the_chain_head_of_the_scope(org_a: Any, owner_a: Any) -> None:
    record_many(org_a, owner_a, 3)
    with org_scope(org_a):
        head = AuditChainHead.objects.get()
    assert (head.seq, head.hash) == (3, events_of(org_a)[-1].hash)


def test_events_appended_while_verifying_are_not_mistaken_for_forgeries(
    org_a: Any, owner_a: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL an append can commit between reading the head and reading the events."""
    record_many(org_a, owner_a, 3)
    with org_scope(org_a):
        stale_head = verify_module._read_head()
    record_many(org_a, owner_a, 2)
    real_read_head = verify_module._read_head
    reads = iter([stale_head])
    monkeypatch.setattr(verify_module, "_read_head", lambda: next(reads, None) or real_read_head())
    report = verify(org_a)
    assert_intact(report, 5)
    assert report.head_hash == events_of(org_a)[-1].hash


# --- Tampering by someone with direct database access ------------------------------------------------


@pytest.fixture
def five_events(org_a: Any, owner_a: Any) -> list[AuditEvent]:
    for step in range(1, 6):
        record(org_a, owner_a, f"invitation.step{step}", target=org_a, changes={"step": step})
    events = events_of(org_a)
    assert_intact(verify(org_a), 5)
    return events


def assert_broken(
    report: Any, *, seq: int, event_id: int | None, reason: str, verified: int | None = None
) -> None:
    assert not report.ok
    assert (report.broken_seq, report.broken_event_id) == (seq, event_id), report.reason
    assert reason in report.reason
    assert report.events_checked == (seq - 1 if verified is None else verified)


@TAMPERING
@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("action", "invitation.revoked"),
        ("actor_label", "someone.else@alpha.test"),
        ("changes", '{"step": 99}'),
        ("target_label", "Another company"),
        ("ip", "198.51.100.7"),
        ("prev_hash", "0" * 64),
    ],
)
def test_changed_field_is_detected(
    org_a: Any, five_events: list[AuditEvent], column: str, value: str
) -> None:
    set_column(org_a, 3, column, value)
    reason = "does not link" if column == "prev_hash" else "event #3 was altered"
    assert_broken(verify(org_a), seq=3, event_id=five_events[2].pk, reason=reason)


@TAMPERING
def test_changed_time_is_detected(org_a: Any, five_events: list[AuditEvent]) -> None:
    earlier = five_events[2].occurred_at - timedelta(days=30)
    set_column(org_a, 3, "occurred_at", datetime_param(earlier))
    assert_broken(verify(org_a), seq=3, event_id=five_events[2].pk, reason="event #3 was altered")


@TAMPERING
def test_changes_rewritten_to_equal_json_still_verify(org_a: Any, five_events: list[AuditEvent]) -> None:
    """Control for the test above: rewriting a value to the same JSON is not a change."""
    set_column(org_a, 3, "changes", '{"step":  3}')
    assert_intact(verify(org_a), 5)


@TAMPERING
def test_deleted_middle_event_is_detected(org_a: Any, five_events: list[AuditEvent]) -> None:
    delete_seqs(org_a, 3)
    assert_broken(
        verify(org_a), seq=4, event_id=five_events[3].pk, reason="#3 are missing before event #4", verified=2
    )


@TAMPERING
def test_deleted_first_events_are_detected(org_a: Any, five_events: list[AuditEvent]) -> None:
    delete_seqs(org_a, 1, 2)
    assert_broken(verify(org_a), seq=3, event_id=five_events[2].pk, reason="#1-#2 are missing", verified=0)


@TAMPERING
def test_inserted_event_with_a_made_up_hash_is_detected(org_a: Any, five_events: list[AuditEvent]) -> None:
    renumber(org_a, from_seq=3, shift=1)
    insert_forged(org_a, forged_event(org_a, seq=3, prev_hash=five_events[1].hash, rehash=False))
    forged = events_of(org_a)[2]
    assert forged.actor_user_id is None and forged.seq == 3
    assert_broken(verify(org_a), seq=3, event_id=forged.pk, reason="event #3 was altered")


@TAMPERING
def test_inserted_event_hashed_by_the_attacker_breaks_the_next_link(
    org_a: Any, five_events: list[AuditEvent]
) -> None:
    renumber(org_a, from_seq=3, shift=1)
    insert_forged(org_a, forged_event(org_a, seq=3, prev_hash=five_events[1].hash, rehash=True))
    # The forged row itself checks out; the original third event (now #4) no longer links to it.
    assert_broken(
        verify(org_a), seq=4, event_id=five_events[2].pk, reason="does not link to event #3 before it"
    )


@TAMPERING
def test_event_appended_without_moving_the_head_is_detected(
    org_a: Any, five_events: list[AuditEvent]
) -> None:
    insert_forged(org_a, forged_event(org_a, seq=6, prev_hash=five_events[-1].hash, rehash=True))
    forged = events_of(org_a)[-1]
    report = verify(org_a)
    assert not report.ok
    assert (report.broken_seq, report.broken_event_id) == (6, forged.pk)
    assert "beyond the chain head (#5)" in report.reason
    assert report.events_checked == 5


@TAMPERING
def test_event_numbered_below_the_chain_is_detected(org_a: Any, five_events: list[AuditEvent]) -> None:
    insert_forged(org_a, forged_event(org_a, seq=0, prev_hash=GENESIS_HASH, rehash=True))
    report = verify(org_a)
    assert not report.ok
    assert report.broken_seq == 0
    assert "out of order" in report.reason


@TAMPERING
def test_reordered_events_are_detected(org_a: Any, five_events: list[AuditEvent]) -> None:
    second, third = five_events[1], five_events[2]
    tamper(org_a, f"UPDATE {TABLE} SET seq = 1000 WHERE id = %s", [second.pk])
    tamper(org_a, f"UPDATE {TABLE} SET seq = 2 WHERE id = %s", [third.pk])
    tamper(org_a, f"UPDATE {TABLE} SET seq = 3 WHERE id = %s", [second.pk])
    assert_broken(verify(org_a), seq=2, event_id=third.pk, reason="does not link to event #1 before it")


@TAMPERING
def test_cut_off_tail_is_detected(org_a: Any, five_events: list[AuditEvent]) -> None:
    delete_seqs(org_a, 4, 5)
    report = verify(org_a)
    assert_broken(report, seq=4, event_id=None, reason="events were cut off the end")
    assert "ends at event #3 but the chain head records #5" in report.reason


@TAMPERING
def test_last_event_rewritten_and_rehashed_is_detected(org_a: Any, five_events: list[AuditEvent]) -> None:
    last = five_events[-1]
    last.action = "invitation.revoked"
    set_column(org_a, 5, "action", last.action)
    set_column(org_a, 5, "hash", compute_hash(last))
    assert_broken(verify(org_a), seq=5, event_id=last.pk, reason="does not match the chain head")


@TAMPERING
def test_tampering_in_one_organization_leaves_the_other_intact(
    org_a: Any, five_events: list[AuditEvent], org_b: Any, owner_b: Any
) -> None:
    record_many(org_b, owner_b, 2)
    set_column(org_a, 2, "action", "forged")
    assert not verify(org_a).ok
    assert_intact(verify(org_b), 2)


@TAMPERING
def test_a_tampered_chain_fails_until_the_row_is_restored(org_a: Any, five_events: list[AuditEvent]) -> None:
    """The check is about content, not about a row having been touched: restoring the value heals it."""
    set_column(org_a, 2, "action", "forged")
    assert not verify(org_a).ok
    set_column(org_a, 2, "action", five_events[1].action)
    assert_intact(verify(org_a), 5)
