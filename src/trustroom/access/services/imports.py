"""CSV imports of current access (an identity provider's or a cloud account's export), compared with the
recorded grants, and applied on request.

The file: a header row, then one row per person and environment, with columns email, system,
environment and privilege (and optionally name); header names are matched case-insensitively, with a
few aliases ("user", "role", "env", ...). Systems and environments must already be in the inventory;
every bad row is reported with its line number and nothing is stored if any row is bad.

The diff covers the systems named in the file: "new" (in the file, not recorded), "missing" (recorded
and active, not in the file), "changed" (the privilege differs) and a count of matching grants. It is
stored with the import; `apply_import` records the new grants, sets the changed privileges and opens
revocation tasks (reason "import") for the missing ones.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from trustroom.access.models import (
    AccessGrant,
    AccessImport,
    Environment,
    GrantSource,
    PrivilegeLevel,
    RevocationReason,
    System,
)
from trustroom.access.services.revocations import open_revocation_task
from trustroom.access.state import active_grants_q
from trustroom.audit.services import record_event
from trustroom.tenancy import policies
from trustroom.tenancy.principal import Principal

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 20_000
MAX_ERRORS = 50  # reported; the rest are counted

COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "email": ("email", "e-mail", "email address", "mail", "user", "username", "user email", "login"),
    "system": ("system", "application", "app", "service"),
    "environment": ("environment", "env", "environment name"),
    "privilege": ("privilege", "role", "access", "access level", "permission", "level"),
    "name": ("name", "full name", "display name", "person"),
}
REQUIRED = ("email", "system", "environment", "privilege")


def _columns(header: list[str]) -> dict[str, int]:
    """Column name -> index, from the header row; ValidationError on `file` when one is missing."""
    lookup = {alias: column for column, aliases in COLUMN_ALIASES.items() for alias in aliases}
    found: dict[str, int] = {}
    for index, raw in enumerate(header):
        column = lookup.get(" ".join(raw.strip().lower().replace("_", " ").split()))
        if column is not None and column not in found:
            found[column] = index
    missing = [column for column in REQUIRED if column not in found]
    if missing:
        raise ValidationError(
            {
                "file": "Line 1 must be a header naming the columns email, system, environment and "
                "privilege; "
                f"missing: {', '.join(missing)} (found: {', '.join(h.strip() for h in header) or 'nothing'})."
            }
        )
    return found


def _environment_index() -> dict[tuple[str, str], Environment]:
    """(system name, environment) -> environment, for every way an environment may be named: its name,
    its kind and its kind's label, all lower-cased."""
    index: dict[tuple[str, str], Environment] = {}
    for env in Environment.objects.select_related("system"):
        system = env.system.name.lower()
        names = {env.label.lower()}
        if not env.name:
            names |= {env.kind.lower(), env.get_kind_display().lower()}
        for name in names:
            index.setdefault((system, name), env)
    return index


def parse_rows(content: bytes) -> list[dict[str, Any]]:
    """The file's rows, resolved against the inventory; ValidationError on `file` listing every bad row."""
    if len(content) > MAX_BYTES:
        raise ValidationError({"file": f"The file is larger than {MAX_BYTES // (1024 * 1024)} MiB."})
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError({"file": "The file is not UTF-8 text (save it as CSV, UTF-8)."}) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        raise ValidationError(
            {"file": "The file is empty: it needs a header row and one row per grant."}
        ) from None
    columns = _columns(header)
    systems = {system.name.lower(): system for system in System.objects.all()}
    environments = _environment_index()
    rows: list[dict[str, Any]] = []
    errors: list[str] = []
    seen: dict[tuple[str, int], int] = {}
    try:
        for record in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            if len(rows) + len(errors) >= MAX_ROWS:
                raise ValidationError({"file": f"The file has more than {MAX_ROWS} rows; split it."})

            def cell(column: str, record: list[str] = record) -> str:
                index = columns.get(column)
                return record[index].strip() if index is not None and index < len(record) else ""

            email, system_name, env_name = cell("email").lower(), cell("system"), cell("environment")
            privilege, name = cell("privilege").lower(), cell("name")
            problems: list[str] = []
            try:
                validate_email(email)
            except ValidationError:
                problems.append(f"email {email!r} is not an e-mail address" if email else "email is empty")
            system = systems.get(system_name.lower())
            environment = None
            if not system_name:
                problems.append("system is empty")
            elif system is None:
                problems.append(f"system {system_name!r} is not in the inventory (add it first)")
            elif not env_name:
                problems.append("environment is empty")
            else:
                environment = environments.get((system.name.lower(), env_name.lower()))
                if environment is None:
                    problems.append(f"{system.name} has no environment {env_name!r} (add it first)")
            if privilege not in PrivilegeLevel.values:
                problems.append(
                    f"privilege {privilege!r} is not one of {', '.join(PrivilegeLevel.values)}"
                    if privilege
                    else "privilege is empty"
                )
            if environment is not None and not problems:
                key = (email, environment.pk)
                if key in seen:
                    problems.append(f"repeats line {seen[key]} (same person and environment)")
                else:
                    seen[key] = line
            if problems:
                errors.append(f"Line {line}: {'; '.join(problems)}.")
                continue
            rows.append(
                {
                    "line": line,
                    "email": email,
                    "name": name[:200],
                    "environment": environment,
                    "privilege": privilege,
                }
            )
    except csv.Error as error:
        errors.append(f"Line {reader.line_num}: not readable as CSV ({error}).")
    if errors:
        shown = errors[:MAX_ERRORS]
        if len(errors) > MAX_ERRORS:
            shown.append(f"... and {len(errors) - MAX_ERRORS} more bad rows.")
        raise ValidationError({"file": shown})
    if not rows:
        raise ValidationError({"file": "The file has a header but no rows."})
    return rows


def _describe(env: Environment) -> dict[str, Any]:
    return {"system": env.system.name, "environment": env.label, "environment_id": env.pk}


def compute_diff(rows: list[dict[str, Any]], now: dt.datetime | None = None) -> dict[str, Any]:
    now = now or timezone.now()
    system_ids = {row["environment"].system_id for row in rows}
    recorded: dict[tuple[str, int], AccessGrant] = {}
    for grant in (
        AccessGrant.objects.filter(active_grants_q(now), environment__system_id__in=system_ids)
        .select_related("environment__system")
        .order_by("granted_at", "id")
    ):
        recorded.setdefault((grant.person_email.lower(), grant.environment_id), grant)
    new: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    matching = 0
    in_file = set()
    for row in rows:
        key = (row["email"], row["environment"].pk)
        in_file.add(key)
        found = recorded.get(key)
        if found is None:
            new.append(
                {
                    "email": row["email"],
                    "name": row["name"],
                    "privilege": row["privilege"],
                    "line": row["line"],
                }
                | _describe(row["environment"])
            )
        elif found.privilege != row["privilege"]:
            changed.append(
                {
                    "grant_id": found.pk,
                    "email": found.person_email,
                    "recorded_privilege": found.privilege,
                    "privilege": row["privilege"],
                    "line": row["line"],
                }
                | _describe(row["environment"])
            )
        else:
            matching += 1
    missing = [
        {"grant_id": grant.pk, "email": grant.person_email, "privilege": grant.privilege}
        | _describe(grant.environment)
        for key, grant in recorded.items()
        if key not in in_file
    ]
    return {"new": new, "missing": missing, "changed": changed, "matching": matching}


@transaction.atomic
def create_import(*, actor: Principal, source: str, content: bytes, filename: str = "") -> AccessImport:
    """Read the file and store the import with its diff; nothing is stored if any row is bad."""
    policies.check(actor, "add", AccessImport)
    source = (source or "").strip()
    if not source:
        raise ValidationError({"source": "Say where the file comes from (e.g. Okta, AWS IAM)."})
    if len(source) > 100:
        raise ValidationError({"source": "The source is too long (at most 100 characters)."})
    rows = parse_rows(content)
    diff = compute_diff(rows)
    access_import = AccessImport.objects.create(
        source=source,
        filename=(filename or "")[:255],
        uploaded_by=actor.user if actor.is_member else None,
        row_count=len(rows),
        diff=diff,
    )
    record_event(
        actor=actor,
        action="access.import_uploaded",
        target=access_import,
        changes={
            "source": source,
            "filename": access_import.filename,
            "rows": len(rows),
            "new": len(diff["new"]),
            "missing": len(diff["missing"]),
            "changed": len(diff["changed"]),
            "matching": diff["matching"],
        },
    )
    return access_import


@transaction.atomic
def apply_import(
    *, actor: Principal, access_import: AccessImport, now: dt.datetime | None = None
) -> dict[str, int]:
    """Record the new grants, set the changed privileges and open revocation tasks for the missing ones.

    The diff was computed at upload: entries whose grant changed since (revoked, expired, already
    recorded) are skipped and counted. Applied once."""
    policies.check(actor, "change", access_import)
    access_import = AccessImport.objects.select_for_update().get(pk=access_import.pk)
    if access_import.applied_at is not None:
        raise ValidationError(
            f"This import was already applied on {access_import.applied_at:%Y-%m-%d %H:%M} UTC."
        )
    now = now or timezone.now()
    diff = access_import.diff or {}
    counts = {"created": 0, "changed": 0, "revocations": 0, "skipped": 0}
    active = AccessGrant.objects.filter(active_grants_q(now))
    for entry in diff.get("new", []):
        environment = Environment.objects.filter(pk=entry["environment_id"]).first()
        if (
            environment is None
            or active.filter(environment=environment, person_email__iexact=entry["email"]).exists()
        ):
            counts["skipped"] += 1
            continue
        grant = AccessGrant.objects.create(
            environment=environment,
            person_email=entry["email"],
            person_name=entry.get("name", ""),
            privilege=entry["privilege"],
            source=GrantSource.IMPORT,
            granted_by=actor.user if actor.is_member else None,
            granted_at=now,
        )
        record_event(
            actor=actor,
            action="access.grant_recorded",
            target=grant,
            changes={
                "person": grant.person_email,
                "environment": str(environment),
                "privilege": grant.privilege,
                "source": "import",
                "import": access_import.pk,
            },
        )
        counts["created"] += 1
    for entry in diff.get("changed", []):
        to_change = active.select_for_update().filter(pk=entry["grant_id"]).first()
        if to_change is None:
            counts["skipped"] += 1
            continue
        before = to_change.privilege
        to_change.privilege = entry["privilege"]
        to_change.save(update_fields=["privilege"])
        record_event(
            actor=actor,
            action="access.grant_privilege_changed",
            target=to_change,
            changes={
                "person": to_change.person_email,
                "privilege": {"before": before, "after": to_change.privilege},
                "import": access_import.pk,
            },
        )
        counts["changed"] += 1
    for entry in diff.get("missing", []):
        to_revoke = active.filter(pk=entry["grant_id"]).first()
        if to_revoke is None:
            counts["skipped"] += 1
            continue
        _task, created = open_revocation_task(
            actor=actor,
            grant=to_revoke,
            reason=RevocationReason.IMPORT,
            note=f"Not in the {access_import.source} import of {access_import.created_at:%Y-%m-%d}.",
        )
        counts["revocations"] += int(created)
    access_import.applied_at = now
    access_import.save(update_fields=["applied_at"])
    record_event(actor=actor, action="access.import_applied", target=access_import, changes=counts)
    return counts
