"""Write a staged report into an application's findings, in batches, inside the caller's transaction.

- Identity is the parser's fingerprint, per application. A fingerprint met twice in one report is one
  finding (the first occurrence wins); `last_import` marks what this import has already seen.
- New → a finding detected now, with its deadlines fixed now under the SLA version in force.
- Seen before → "updated" when title, severity, description, evidence, CVSS or CWE changed, else
  "unchanged". Its deadlines stay as they were fixed at detection, unless the scanner changed the
  severity: that is a re-triage, and they are recomputed the way an edit does
  (`services.retriaged_deadlines`: from the original detection time, under the finding's own SLA
  policy version). A closed or
  fixed-awaiting-retest finding seen again is reopened; risk-accepted and false-positive ones stay.
- `close_missing`: unresolved findings of the application from the same scanner(s) that this report
  did not contain are closed (a full new scan is the evidence).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connections

from trustroom.assessments.importers import ParsedFinding, Progress
from trustroom.assessments.imports.staging import StagedReport
from trustroom.assessments.models import (
    UNRESOLVED_STATUSES,
    Application,
    Engagement,
    Finding,
    FindingImport,
    FindingStatus,
    Severity,
    SlaPolicy,
)
from trustroom.assessments.services.findings import deadlines, retriaged_deadlines
from trustroom.assessments.services.sla import policy_in_force
from trustroom.assessments.state import parse_cvss
from trustroom.tenancy.scope import require_org

BATCH = 2000
# Compared on re-import; a change counts the finding as updated.
CONTENT_FIELDS = (
    "title",
    "severity",
    "description",
    "evidence",
    "cvss_vector",
    "cvss_version",
    "cvss_score",
    "cwe_id",
)
# What a re-triage recomputes the deadlines from, and what it writes.
DEADLINE_INPUTS = ("detected_at", "sla_policy", "due_at", "target_at")
REOPEN_FROM = (FindingStatus.CLOSED, FindingStatus.FIXED_AWAITING_RETEST)
SEVERITIES = frozenset(Severity.values)


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int
    closed: int
    reopened: int
    total: int  # results in the report (duplicates included)
    format: str
    import_id: int | None = None


@lru_cache(maxsize=256)
def _cvss(vector: str) -> tuple[str, str, Decimal | None]:
    # A scanner's vector that does not parse is dropped rather than failing the whole report.
    try:
        parsed = parse_cvss(vector)
    except ValidationError:
        parsed = None
    if parsed is None:
        return "", "", None
    return parsed.vector, parsed.version, parsed.base_score


def _content(record: ParsedFinding) -> dict[str, Any]:
    vector, version, score = _cvss(record.cvss_vector)
    cwe = record.cwe if isinstance(record.cwe, int) and 0 < record.cwe < 2**31 else None
    return {
        "title": record.title[:500],
        "severity": record.severity if record.severity in SEVERITIES else Severity.INFO,
        "description": record.description,
        "evidence": record.evidence,
        "cvss_vector": vector[:300],
        "cvss_version": version,
        "cvss_score": score,
        "cwe_id": cwe,
    }


class _Writer:
    def __init__(
        self, *, job: FindingImport, application: Application, engagement: Engagement | None, now: datetime
    ) -> None:
        self.job, self.application, self.engagement, self.now = job, application, engagement, now
        self.organization = require_org()
        self.policy = policy_in_force(now)
        # Every new finding is detected at `now`: its deadlines depend only on the severity.
        self.deadlines = {
            severity: deadlines(
                application=application, severity=severity, detected_at=now, policy=self.policy
            )
            for severity in Severity.values
        }
        self.created = self.updated = self.unchanged = self.reopened = 0
        # Re-triaged deadlines by (policy, detection, severity): a report's findings share few of each.
        self._policies: dict[int, SlaPolicy] = {self.policy.pk: self.policy}
        self._retriaged: dict[tuple[int, datetime, str], tuple[datetime | None, datetime | None]] = {}

    def write(self, batch: list[ParsedFinding]) -> None:
        records: dict[str, ParsedFinding] = {}
        for record in batch:
            records.setdefault(record.fingerprint[:128], record)
        records.pop("", None)  # parsers always fingerprint; never match on an empty one
        existing = {
            f.fingerprint: f
            for f in Finding.objects.filter(application=self.application, fingerprint__in=list(records))
            .exclude(fingerprint="")  # the unique index is partial on this condition
            .only("pk", "fingerprint", "status", "last_import_id", *DEADLINE_INPUTS, *CONTENT_FIELDS)
        }
        new: list[dict[str, Any]] = []
        changed: list[Finding] = []
        seen_ids: list[int] = []
        for fp, record in records.items():
            finding = existing.get(fp)
            if finding is None:
                new.append(self._new(fp, record))
            elif finding.last_import_id != self.job.pk:  # else: a duplicate of an earlier batch
                if self._refresh(finding, record):
                    changed.append(finding)
                else:
                    seen_ids.append(finding.pk)
        self._insert(new)
        if changed:
            Finding.objects.bulk_update(
                changed,
                [
                    *CONTENT_FIELDS,
                    "due_at",
                    "target_at",
                    "status",
                    "fixed_at",
                    "retest_due_at",
                    "closed_at",
                    "source_tool",
                    "last_seen_at",
                    "last_import",
                    "updated_at",
                ],
                batch_size=500,
            )
        if seen_ids:
            Finding.objects.filter(pk__in=seen_ids).update(last_seen_at=self.now, last_import=self.job)
        self.created += len(new)

    def _new(self, fp: str, record: ParsedFinding) -> dict[str, Any]:
        content = _content(record)
        due_at, target_at = self.deadlines[content["severity"]]
        return {
            **content,
            "due_at": due_at,
            "target_at": target_at,
            "asset": record.location[:500],
            "fingerprint": fp,
            "source_tool": record.tool[:100],
        }

    def _insert(self, rows: list[dict[str, Any]]) -> None:
        """INSERT the new findings with one executemany.

        `bulk_create` spends most of a large import compiling SQL value by value; here every column
        common to the import (organization, application, policy, detected/seen/created times…) is
        prepared once by its field, and only the per-result columns vary.
        """
        if not rows:
            return
        connection = connections[Finding.objects.db]
        fields = [f for f in Finding._meta.concrete_fields if not f.primary_key]
        common: dict[str, Any] = {
            "organization_id": self.organization.pk,
            "application_id": self.application.pk,
            "engagement_id": self.engagement.pk if self.engagement else None,
            "status": FindingStatus.OPEN,
            "detected_at": self.now,
            "sla_policy_id": self.policy.pk,
            "last_seen_at": self.now,
            "last_import_id": self.job.pk,
            "created_at": self.now,
            "updated_at": self.now,
        }
        prepared = {
            f.attname: f.get_db_prep_save(
                common[f.attname] if f.attname in common else f.get_default(), connection
            )
            for f in fields
        }
        # Text and integer columns go to the driver as they are; these few need the field's conversion
        # (a handful of distinct values per import, so each is converted once).
        converted = {"cvss_score", "due_at", "target_at"}
        cache: dict[tuple[str, Any], Any] = {}

        def value(field: Any, row: dict[str, Any]) -> Any:
            if field.attname not in row:
                return prepared[field.attname]
            raw = row[field.attname]
            if field.attname not in converted:
                return raw
            key = (field.attname, raw)
            if key not in cache:
                cache[key] = field.get_db_prep_save(raw, connection)
            return cache[key]

        table = connection.ops.quote_name(Finding._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        placeholders = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608 - names from the model
        params = [[value(f, row) for f in fields] for row in rows]
        with connection.cursor() as cursor:
            cursor.executemany(sql, params)

    def _refresh(self, finding: Finding, record: ParsedFinding) -> bool:
        """Apply the report's view of an existing finding; True when the row needs a full update."""
        content = _content(record)
        differs = any(getattr(finding, name) != value for name, value in content.items())
        reopen = finding.status in REOPEN_FROM
        if not (differs or reopen):
            self.unchanged += 1
            return False
        if content["severity"] != finding.severity:
            finding.due_at, finding.target_at = self._retriage(finding, content["severity"])
        for name, value in content.items():
            setattr(finding, name, value)
        if reopen:
            finding.status = FindingStatus.REOPENED
            finding.fixed_at = finding.retest_due_at = finding.closed_at = None
            self.reopened += 1
        else:
            self.updated += 1
        finding.source_tool = record.tool[:100]
        finding.last_seen_at = self.now
        finding.last_import = self.job
        finding.updated_at = self.now
        return True

    def _retriage(self, finding: Finding, severity: str) -> tuple[datetime | None, datetime | None]:
        key = (finding.sla_policy_id, finding.detected_at, severity)
        if key not in self._retriaged:
            policy = self._policies.get(finding.sla_policy_id)
            if policy is None:
                policy = self._policies[finding.sla_policy_id] = SlaPolicy.objects.get(
                    pk=finding.sla_policy_id
                )
            self._retriaged[key] = retriaged_deadlines(
                finding, severity=severity, application=self.application, policy=policy
            )
        return self._retriaged[key]

    def close_missing(self, staged: StagedReport) -> int:
        tools = {tool[:100] for tool in staged.tools}
        if not tools and staged.format != "sarif":
            # An empty report still speaks for its scanner: the tools earlier imports of this format saw.
            tools = set(
                Finding.objects.filter(application=self.application, last_import__format=staged.format)
                .values_list("source_tool", flat=True)
                .distinct()
            )
        tools.discard("")
        if not tools:
            return 0
        return (
            Finding.objects.filter(
                application=self.application, source_tool__in=sorted(tools), status__in=UNRESOLVED_STATUSES
            )
            .exclude(last_import=self.job)
            .update(status=FindingStatus.CLOSED, closed_at=self.now, updated_at=self.now)
        )


def write_findings(
    *,
    job: FindingImport,
    application: Application,
    engagement: Engagement | None,
    staged: StagedReport,
    close_missing: bool,
    now: datetime,
    progress: Progress | None = None,
) -> ImportResult:
    """Upsert the staged records (call inside a transaction and the organization's scope).

    `progress(rows_done, rows_total)` is called before the first batch and after each one.
    """
    writer = _Writer(job=job, application=application, engagement=engagement, now=now)
    done = 0
    if progress is not None:
        progress(done, staged.total)
    for batch in staged.batches(BATCH):
        writer.write(batch)
        done += len(batch)
        if progress is not None:
            progress(done, staged.total)
    closed = writer.close_missing(staged) if close_missing else 0
    return ImportResult(
        created=writer.created,
        updated=writer.updated,
        unchanged=writer.unchanged,
        closed=closed,
        reopened=writer.reopened,
        total=staged.total,
        format=staged.format,
        import_id=job.pk,
    )
