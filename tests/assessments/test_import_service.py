"""Scanner imports through the service: exact counts per sample, idempotent re-import, updates, reopen,
close-missing (opt-in, same scanner only), malformed files, tenancy, deadlines and the audit event."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.assessments.helpers import T0, application
from tests.assessments.importers.samples import SAMPLES, Sample
from tests.factories import member, principal_for
from trustroom.assessments import services
from trustroom.assessments.imports import import_findings
from trustroom.assessments.models import Finding, FindingImport, FindingStatus, ImportStatus
from trustroom.audit.models import AuditEvent
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db
H = dt.timedelta(hours=1)


def sample(path: str) -> Sample:
    return next(s for s in SAMPLES if s.path == path)


def distinct_results(s: Sample) -> int:
    """Issues in a sample: bash-report.sarif repeats byte-identical results, which are one issue."""
    if s.path != "sarif/bash-report.sarif":
        return s.count
    raw = json.loads(s.file.read_bytes())["runs"][0]["results"]
    return len({json.dumps(r, sort_keys=True) for r in raw})


def sarif(results: list[dict[str, Any]], tool: str = "Scanny") -> bytes:
    return json.dumps(
        {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": tool}}, "results": results}]}
    ).encode()


def result(rule: str, path: str, level: str = "error", message: str = "bad") -> dict[str, Any]:
    return {
        "ruleId": rule,
        "level": level,
        "message": {"text": message},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": path}, "region": {"startLine": 3}}}],
    }


def run(actor: Any, app: Any, data: bytes, **kw: Any) -> Any:
    kw.setdefault("now", T0)
    return import_findings(actor=actor, application=app, file=io.BytesIO(data), **kw)


@pytest.mark.parametrize("s", SAMPLES, ids=lambda s: s.path)
def test_every_sample_imports_with_exact_counts(actor: Any, s: Sample) -> None:
    app = application(actor)
    outcome = import_findings(actor=actor, application=app, path=s.file, now=T0)
    expected = distinct_results(s)
    assert (outcome.created, outcome.updated, outcome.unchanged, outcome.closed, outcome.reopened) == (
        expected,
        0,
        0,
        0,
        0,
    )
    assert outcome.total == s.count
    assert outcome.format == s.format  # auto-detected
    assert Finding.objects.filter(application=app).count() == expected
    job = FindingImport.objects.get(pk=outcome.import_id)
    assert job.status == ImportStatus.SUCCEEDED
    assert (job.created_count, job.results_total, job.original_filename) == (expected, s.count, s.file.name)

    again = import_findings(actor=actor, application=app, path=s.file, now=T0 + H)
    assert (again.created, again.updated, again.unchanged, again.closed, again.reopened) == (
        0,
        0,
        expected,
        0,
        0,
    )
    assert Finding.objects.filter(application=app).count() == expected


def test_new_findings_get_deadlines_at_detection_and_source(actor: Any) -> None:
    app = application(actor)
    run(actor, app, sarif([result("sqli", "app/db.py", "error"), result("note", "a.py", "note")]))
    high = Finding.objects.get(severity="high")
    assert high.detected_at == T0
    assert high.due_at == T0 + 48 * H and high.target_at == T0 + 24 * H
    assert high.sla_policy.version == 1
    assert (high.source_tool, high.status, high.last_seen_at) == ("Scanny", FindingStatus.OPEN, T0)
    assert high.asset == "app/db.py:3"
    assert Finding.objects.get(severity="low").due_at is not None  # before the next VAPT


def test_changed_content_is_updated_but_deadline_kept(actor: Any) -> None:
    app = application(actor)
    run(actor, app, sarif([result("r1", "a.py", "error"), result("r2", "b.py", "note")]))
    before = Finding.objects.get(asset="a.py:3")
    with_snippet = result("r1", "a.py", "error")
    with_snippet["locations"][0]["physicalLocation"]["region"]["snippet"] = {"text": "query(sql)"}
    outcome = run(actor, app, sarif([with_snippet, result("r2", "b.py", "note")]), now=T0 + 5 * H)
    assert (outcome.created, outcome.updated, outcome.unchanged) == (0, 1, 1)
    after = Finding.objects.get(pk=before.pk)
    assert (after.evidence, after.severity) == ("query(sql)", "high")
    assert (after.due_at, after.target_at, after.detected_at) == (before.due_at, before.target_at, T0)
    assert after.last_seen_at == T0 + 5 * H


def test_a_severity_change_recomputes_deadlines_from_detection_under_the_original_policy(
    actor: Any,
) -> None:
    app = application(actor)
    run(actor, app, sarif([result("r1", "a.py", "note"), result("r2", "b.py", "note")]))
    before = Finding.objects.get(asset="a.py:3")
    assert before.severity == "low"
    # A newer version (high: 12 h) applies to later detections only, never to this one.
    services.create_sla_policy_version(actor=actor, high_due_hours=12, high_target_hours=6)
    later = T0 + 5 * H
    outcome = run(actor, app, sarif([result("r1", "a.py", "error"), result("r2", "b.py", "note")]), now=later)
    assert (outcome.created, outcome.updated, outcome.unchanged) == (0, 1, 1)
    after = Finding.objects.get(pk=before.pk)
    assert after.severity == "high" and after.sla_policy_id == before.sla_policy_id
    assert (after.due_at, after.target_at) == (T0 + 48 * H, T0 + 24 * H)  # v1's high hours, from T0
    untouched = Finding.objects.get(asset="b.py:3")
    assert untouched.severity == "low" and untouched.due_at == before.due_at


def test_duplicates_inside_one_file_merge(actor: Any) -> None:
    app = application(actor)
    same = result("r1", "a.py")
    outcome = run(actor, app, sarif([same, same, result("r2", "a.py")]))
    assert (outcome.created, outcome.total) == (2, 3)


def test_duplicates_across_batches_merge(actor: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from trustroom.assessments.imports import upsert

    monkeypatch.setattr(upsert, "BATCH", 2)
    app = application(actor)
    data = sarif([result("r1", "a.py"), result("r2", "a.py"), result("r1", "a.py"), result("r3", "a.py")])
    outcome = run(actor, app, data)
    assert (outcome.created, outcome.updated, outcome.unchanged, outcome.total) == (3, 0, 0, 4)
    again = run(actor, app, data, now=T0 + H)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_close_missing_is_opt_in_and_limited_to_the_same_scanner(actor: Any) -> None:
    app = application(actor)
    run(actor, app, sarif([result("r1", "a.py"), result("r2", "b.py")]))
    run(actor, app, sarif([result("x", "c.py")], tool="Other"))
    manual = services.create_finding(actor=actor, application=app, title="Manual", severity="high")

    kept = run(actor, app, sarif([result("r1", "a.py")]), now=T0 + H)
    assert kept.closed == 0
    assert Finding.objects.filter(status=FindingStatus.OPEN).count() == 4

    closing = run(actor, app, sarif([result("r1", "a.py")]), now=T0 + 2 * H, close_missing=True)
    assert (closing.closed, closing.unchanged) == (1, 1)
    gone = Finding.objects.get(asset="b.py:3")
    assert (gone.status, gone.closed_at) == (FindingStatus.CLOSED, T0 + 2 * H)
    assert Finding.objects.get(asset="c.py:3").status == FindingStatus.OPEN  # another scanner
    manual.refresh_from_db()
    assert manual.status == FindingStatus.OPEN


def test_close_missing_spares_another_application(actor: Any) -> None:
    app, other = application(actor), application(actor, name="Other app")
    run(actor, other, sarif([result("r2", "b.py")]))
    outcome = run(actor, app, sarif([result("r1", "a.py")]), close_missing=True)
    assert outcome.closed == 0
    assert Finding.objects.get(application=other).status == FindingStatus.OPEN


def test_empty_report_of_a_fixed_scanner_closes_its_findings(actor: Any) -> None:
    app = application(actor)
    line = b'{"template-id": "t1", "host": "https://a.test", "matched-at": "https://a.test/x", "info": {"severity": "high", "name": "T1"}}\n'
    run(actor, app, line, format="nuclei-jsonl")
    outcome = run(actor, app, b"\n", format="nuclei-jsonl", close_missing=True, now=T0 + H)
    assert (outcome.total, outcome.closed) == (0, 1)


def test_reappearing_findings_reopen_but_accepted_risks_stay(actor: Any) -> None:
    app = application(actor)
    data = sarif([result(f"r{i}", "a.py") for i in range(4)])
    run(actor, app, data)
    closed, fixed, accepted, false_positive = Finding.objects.order_by("title")
    services.mark_fixed(actor=actor, finding=closed, now=T0 + H)
    services.record_retest(actor=actor, finding=closed, passed=True, now=T0 + 2 * H)
    services.mark_fixed(actor=actor, finding=fixed, now=T0 + H)
    services.accept_risk(
        actor=actor, finding=accepted, reason="Compensating control", expires_at=T0 + 30 * 24 * H, now=T0 + H
    )
    services.mark_false_positive(actor=actor, finding=false_positive, reason="Test code", now=T0 + H)

    outcome = run(actor, app, data, now=T0 + 3 * H)
    assert (outcome.reopened, outcome.unchanged, outcome.updated, outcome.created) == (2, 2, 0, 0)
    for f in (closed, fixed):
        f.refresh_from_db()
        assert f.status == FindingStatus.REOPENED
        assert f.closed_at is None and f.fixed_at is None and f.retest_due_at is None
        assert f.due_at == T0 + 48 * H  # the original deadline still applies
    accepted.refresh_from_db()
    false_positive.refresh_from_db()
    assert accepted.status == FindingStatus.RISK_ACCEPTED
    assert false_positive.status == FindingStatus.FALSE_POSITIVE


def test_malformed_file_names_where_and_imports_nothing(actor: Any) -> None:
    app = application(actor)
    good = result("r1", "a.py")
    broken = sarif([good, good, good])[:-40]
    with pytest.raises(ValidationError) as error:
        run(actor, app, broken)
    message = error.value.message_dict["file"][0]
    assert message.startswith("SARIF: invalid JSON near byte")
    assert Finding.objects.count() == 0
    assert FindingImport.objects.count() == 0
    assert not AuditEvent.objects.filter(action="finding.import").exists()


def test_unknown_and_wrong_formats(actor: Any) -> None:
    app = application(actor)
    with pytest.raises(ValidationError) as error:
        run(actor, app, b'{"hello": 1}')
    assert "Unknown report format" in error.value.message_dict["file"][0]
    with pytest.raises(ValidationError) as error:
        run(actor, app, sarif([]), format="csv")
    assert "Unknown format 'csv'" in error.value.message_dict["format"][0]
    with pytest.raises(ValidationError) as error:
        run(actor, app, sarif([]), format="nessus")
    assert "file" in error.value.message_dict
    assert Finding.objects.count() == 0


def test_size_limit(actor: Any, settings: Any) -> None:
    settings.TRUSTROOM_IMPORT_MAX_MB = 0.0001  # about 100 bytes
    with pytest.raises(ValidationError, match="larger than the limit"):
        run(actor, application(actor), sarif([result("r1", "a.py")] * 5))


def test_another_organizations_application_is_refused(
    org_a: Any, owner_a: Any, org_b: Any, owner_b: Any
) -> None:
    with org_scope(org_b):
        foreign = application(principal_for(owner_b, org_b), name="Bravo app")
    with org_scope(org_a):
        actor = principal_for(owner_a, org_a)
        with pytest.raises(ValidationError) as error:
            run(actor, foreign, sarif([result("r1", "a.py")]))
        assert "application" in error.value.message_dict
    with org_scope(org_b):
        assert Finding.objects.count() == 0


def test_engagement_of_another_application_is_refused(actor: Any) -> None:
    from tests.assessments.helpers import completed_engagement

    app, other = application(actor), application(actor, name="Other")
    engagement = completed_engagement(actor, other, end=T0)
    with pytest.raises(ValidationError) as error:
        run(actor, app, sarif([result("r1", "a.py")]), engagement=engagement)
    assert "engagement" in error.value.message_dict
    ok = run(actor, other, sarif([result("r1", "a.py")]), engagement=engagement)
    assert Finding.objects.get(pk__isnull=False).engagement == engagement and ok.created == 1


def test_viewers_cannot_import(actor: Any, scoped: Any) -> None:
    viewer = principal_for(member(scoped, "viewer"), scoped)
    with pytest.raises(PermissionDenied):
        run(viewer, application(actor), sarif([result("r1", "a.py")]))


def test_one_audit_event_with_counts_and_progress(actor: Any) -> None:
    app = application(actor)
    s = sample("sarif/bash-report.sarif")
    calls: list[tuple[int, int]] = []
    before = AuditEvent.objects.count()
    outcome = import_findings(
        actor=actor, application=app, path=s.file, progress=lambda d, t: calls.append((d, t))
    )
    events = AuditEvent.objects.filter(action="finding.import")
    assert AuditEvent.objects.count() == before + 1
    event = events.get()
    size = s.file.stat().st_size
    assert event.changes["created"] == outcome.created
    assert event.changes["format"] == "sarif" and event.changes["filename"] == "bash-report.sarif"
    assert event.changes["size_bytes"] == size and len(event.changes["sha256"]) == 64
    assert calls[-1] == (size, size)


def test_invalidates_the_trust_center(actor: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from trustroom.assessments.imports import services as import_services

    calls: list[int] = []
    monkeypatch.setattr(import_services, "_invalidate_trust_center", lambda: calls.append(1))
    run(actor, application(actor), sarif([result("r1", "a.py")]))
    assert calls == [1]


def test_path_and_file_give_the_same_findings(actor: Any, tmp_path: Path) -> None:
    data = sarif([result("r1", "a.py"), result("r2", "b.py")])
    (tmp_path / "scan.sarif").write_bytes(data)
    app = application(actor)
    by_path = import_findings(actor=actor, application=app, path=tmp_path / "scan.sarif", now=T0)
    by_file = run(actor, app, data, now=T0 + H)
    assert (by_path.created, by_file.unchanged) == (2, 2)
