"""Writes of the controls app, keyword-only with the acting principal first, atomic, policy-checked and
audit-logged. Import from here (`from trustroom.controls import services`):
- `controls`: controls, their requirement mappings, manual evidence (vault files and links);
- `checks`: automated checks, inventory imports, runs (now and on schedule) and their evidence;
- `runs`: runs queued from the page or the API and the background job that runs them.
"""

from trustroom.controls.services.checks import (
    claim_due_slot,
    create_check,
    delete_check,
    evidence_expiry,
    import_snapshot,
    run_check,
    run_due_checks,
    update_check,
)
from trustroom.controls.services.controls import (
    CONTROL_FIELDS,
    add_evidence,
    create_control,
    delete_control,
    remove_evidence,
    update_control,
)
from trustroom.controls.services.runs import (
    RunInProgress,
    active_run,
    live_progress,
    request_run,
    run_queued_run,
)

__all__ = [
    "CONTROL_FIELDS",
    "RunInProgress",
    "active_run",
    "add_evidence",
    "claim_due_slot",
    "create_check",
    "create_control",
    "delete_check",
    "delete_control",
    "evidence_expiry",
    "import_snapshot",
    "live_progress",
    "remove_evidence",
    "request_run",
    "run_check",
    "run_due_checks",
    "run_queued_run",
    "update_check",
    "update_control",
]
