"""POST /intake/alerts/<token>/: signed deliveries stored once, everything else refused with nothing kept."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from django.test import Client

from tests.factories import principal_for
from tests.monitoring.factories import alert_source, deliver, fixture, fixture_bytes
from trustroom.audit.models import AuditEvent
from trustroom.monitoring.intake import MAX_BODY_BYTES
from trustroom.monitoring.models import Alert, AlertSource, AlertStatus, IntakeReceipt
from trustroom.monitoring.services import NewSource, set_source_enabled
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db

GENERIC = {
    "title": "Unusual outbound traffic",
    "severity": "high",
    "type": "net/egress-spike",
    "resource": {"type": "host", "id": "web-1"},
    "account": "acme-prod",
    "region": "eu-west-1",
    "occurred_at": "2024-05-01T12:00:00Z",
}


def counts(org: Any) -> tuple[int, int, int]:
    with org_scope(org):
        return Alert.objects.count(), IntakeReceipt.objects.count(), AuditEvent.objects.count()


@pytest.fixture
def source(org_a: Any, owner_a: Any) -> NewSource:
    return alert_source(org_a, owner_a, kind="guardduty", name="GuardDuty prod")


def test_a_signed_guardduty_event_is_stored_normalized(org_a: Any, source: NewSource) -> None:
    response = deliver(source, fixture_bytes("guardduty_ec2_event.json"))
    assert response.status_code == 200, response.content
    assert response.json() == {"accepted": 1, "new": 1, "repeated": 0}
    with org_scope(org_a):
        alert = Alert.objects.get()
        assert alert.source_id == source.source.pk
        assert (alert.type, alert.severity, alert.resource_id) == (
            "Canary:EC2/Stateless.IntegTest",
            "medium",
            "i-05746eb48123455e0",
        )
        assert (alert.account, alert.region, alert.occurrences, alert.status) == (
            "123456789012",
            "us-east-1",
            1,
            AlertStatus.NEW,
        )
        assert AuditEvent.objects.filter(action="alert.received", target_id=str(alert.pk)).exists()
        assert AlertSource.objects.get().last_received_at is not None


def test_a_repeat_counts_up_on_the_same_row(org_a: Any, source: NewSource) -> None:
    assert deliver(source, fixture("guardduty_iam_event.json")).json()["new"] == 1
    later = fixture("guardduty_iam_event.json")
    later["service"]["eventLastSeen"] = "2022-01-14T08:00:00.000Z"
    time.sleep(0.001)
    response = deliver(source, later)  # another body: another signature, not a replay
    assert response.json() == {"accepted": 1, "new": 0, "repeated": 1}
    with org_scope(org_a):
        alert = Alert.objects.get()
        assert alert.occurrences == 2
        assert alert.last_seen.isoformat() == "2022-01-14T08:00:00+00:00"
        assert alert.first_seen.isoformat() == "2022-01-13T00:00:47+00:00"


def test_a_resolved_alert_that_fires_again_is_open_again(org_a: Any, owner_a: Any, source: NewSource) -> None:
    from trustroom.monitoring.services import resolve_alert

    deliver(source, fixture("guardduty_iam_event.json"))
    with org_scope(org_a):
        resolve_alert(actor=principal_for(owner_a, org_a), alert=Alert.objects.get())
    again = fixture("guardduty_iam_event.json")
    again["updatedAt"] = "2022-02-01T00:00:00Z"
    deliver(source, again)
    with org_scope(org_a):
        assert Alert.objects.get().status == AlertStatus.NEW


def test_asff_and_generic_sources(org_a: Any, owner_a: Any) -> None:
    asff = alert_source(org_a, owner_a, kind="asff")
    generic = alert_source(org_a, owner_a, kind="generic")
    assert deliver(asff, fixture_bytes("asff_finding.json")).json()["new"] == 1
    assert deliver(generic, {"alerts": [GENERIC, {**GENERIC, "resource": "web-2"}]}).json()["new"] == 2
    with org_scope(org_a):
        assert sorted(Alert.objects.values_list("source_kind", flat=True)) == ["asff", "generic", "generic"]


def refused(org: Any, response: Any, status: int, text: str, before: tuple[int, int, int]) -> None:
    assert response.status_code == status, response.content
    assert text in response.json()["error"]
    assert counts(org) == before, "a refused request stored something"


def test_bad_signature_is_401_and_stores_nothing(org_a: Any, source: NewSource) -> None:
    before = counts(org_a)
    body = fixture_bytes("guardduty_ec2_event.json")
    refused(org_a, deliver(source, body, secret="not-the-secret"), 401, "does not match", before)
    refused(org_a, deliver(source, body, headers={}), 401, "missing X-Trustroom-Timestamp", before)
    stamp = str(int(time.time()))
    bad = {"X-Trustroom-Timestamp": stamp, "X-Trustroom-Signature": "sha256=zz"}
    refused(org_a, deliver(source, body, headers=bad), 401, "64 hex digits", before)


@pytest.mark.parametrize("offset", [-301, 301, -3600])
def test_timestamp_outside_the_window_is_401(org_a: Any, source: NewSource, offset: int) -> None:
    import datetime as dt

    import time_machine

    before = counts(org_a)
    # The clock stands still: on a slow machine a second passing would move a 301 s offset inside the window.
    with time_machine.travel(dt.datetime.now(dt.UTC), tick=False):
        body = fixture_bytes("guardduty_ec2_event.json")
        response = deliver(source, body, timestamp=int(time.time()) + offset)
    refused(org_a, response, 401, "more than 300 seconds", before)


def test_a_replayed_request_is_401(org_a: Any, source: NewSource) -> None:
    body = fixture_bytes("guardduty_ec2_event.json")
    stamp = int(time.time())
    assert deliver(source, body, timestamp=stamp).status_code == 200
    before = counts(org_a)
    refused(org_a, deliver(source, body, timestamp=stamp), 401, "replayed", before)
    with org_scope(org_a):
        assert Alert.objects.get().occurrences == 1


def test_malformed_json_is_400_with_the_position(org_a: Any, owner_a: Any) -> None:
    generic = alert_source(org_a, owner_a, kind="generic")
    before = counts(org_a)
    refused(org_a, deliver(generic, b'{\n  "title": "x",\n  oops\n}'), 400, "line 3, column 3", before)
    refused(org_a, deliver(generic, b"\xff\xfe"), 400, "not UTF-8", before)


def test_wrong_shape_is_400_naming_the_missing_fields(org_a: Any, source: NewSource, owner_a: Any) -> None:
    before = counts(org_a)
    response = deliver(source, {"detail-type": "GuardDuty Finding", "detail": {"type": "x"}})
    refused(org_a, response, 400, "missing fields: detail.id, detail.severity", before)
    generic = alert_source(org_a, owner_a, kind="generic")
    before = counts(org_a)
    response = deliver(generic, {"alerts": [GENERIC, {**GENERIC, "severity": "urgent"}]})
    refused(org_a, response, 400, "alerts[1].severity", before)  # all or nothing: GENERIC not kept


def test_oversized_body_is_413_before_reading(org_a: Any, source: NewSource) -> None:
    before = counts(org_a)
    body = b'{"pad": "' + b"x" * MAX_BODY_BYTES + b'"}'
    refused(org_a, deliver(source, body), 413, "larger than", before)
    # Announced as larger: refused from the header alone, whatever follows.
    response = Client().post(
        source.path, data=b"{}", content_type="application/json", CONTENT_LENGTH=str(10**9)
    )
    refused(org_a, response, 413, "larger than", before)


def test_unknown_token_and_disabled_source_answer_the_same_404(
    org_a: Any, owner_a: Any, source: NewSource
) -> None:
    body = fixture_bytes("guardduty_ec2_event.json")
    unknown = NewSource(source=source.source, token="n0thing" + "x" * 36, secret=source.secret)
    first = deliver(unknown, body)
    with org_scope(org_a):
        set_source_enabled(
            actor=principal_for(owner_a, org_a), source=AlertSource.objects.get(), enabled=False
        )
    before = counts(org_a)
    second = deliver(source, body)
    assert first.status_code == second.status_code == 404
    assert first.content == second.content
    assert counts(org_a) == before


def test_only_post_and_no_session_or_csrf_needed(source: NewSource) -> None:
    assert Client().get(source.path).status_code == 405
    csrf = Client(enforce_csrf_checks=True)
    assert deliver(source, fixture_bytes("guardduty_ec2_event.json"), client=csrf).status_code == 200


def test_the_tokens_of_one_organization_do_not_reach_another(
    org_a: Any, org_b: Any, owner_a: Any, owner_b: Any
) -> None:
    a = alert_source(org_a, owner_a, kind="generic")
    b = alert_source(org_b, owner_b, kind="generic")
    # B's secret on A's URL does not verify; A's row count is unchanged, B has nothing either.
    forged = NewSource(source=a.source, token=a.token, secret=b.secret)
    assert deliver(forged, GENERIC).status_code == 401
    assert deliver(b, GENERIC).status_code == 200
    with org_scope(org_a):
        assert Alert.objects.count() == 0
    with org_scope(org_b):
        assert Alert.objects.count() == 1


def test_the_secret_is_stored_sealed(org_a: Any, source: NewSource) -> None:
    with org_scope(org_a):
        stored = AlertSource.objects.get().secret_sealed
    assert stored.startswith("tralert1:") and source.secret not in stored
    assert json.dumps(source.token) not in stored


def test_a_rotated_secret_stops_verifying_at_once(org_a: Any, owner_a: Any, source: NewSource) -> None:
    from trustroom.monitoring.services import rotate_source_secret

    assert deliver(source, fixture("guardduty_iam_event.json")).status_code == 200  # opened and kept
    with org_scope(org_a):
        new_secret = rotate_source_secret(actor=principal_for(owner_a, org_a), source=source.source)
    later = fixture("guardduty_iam_event.json")
    later["service"]["eventLastSeen"] = "2022-01-14T08:00:00.000Z"
    refused = deliver(source, later)
    assert refused.status_code == 401, "the old secret must not verify after a rotation"
    assert deliver(source, later, secret=new_secret).status_code == 200
    with org_scope(org_a):
        assert Alert.objects.get().occurrences == 2


def test_the_opened_secret_is_kept_by_its_sealed_text_only(org_a: Any, source: NewSource) -> None:
    from trustroom.monitoring import secrets

    with org_scope(org_a):
        stored = AlertSource.objects.get()
        assert secrets.open_secret(stored) == source.secret.encode()
        stored.secret_sealed = stored.secret_sealed[:-4] + "AAAA"  # another sealed text: not a cache hit
        with pytest.raises(secrets.DecryptionError):
            secrets.open_secret(stored)
