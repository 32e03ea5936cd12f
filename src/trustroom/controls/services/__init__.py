"""Writes of the controls app, keyword-only with the acting principal first, atomic, policy-checked and
audit-logged. Import from here (`from trustroom.controls import services`):
- `controls`: controls, their requirement mappings, manual evidence (vault files and links);
- `checks`: automated checks, inventory imports, runs (now and on schedule) and their evidence.
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

__all__ = [
    "CONTROL_FIELDS",
    "add_evidence",
    "claim_due_slot",
    "create_check",
    "create_control",
    "delete_check",
    "delete_control",
    "evidence_expiry",
    "import_snapshot",
    "remove_evidence",
    "run_check",
    "run_due_checks",
    "update_check",
    "update_control",
]
