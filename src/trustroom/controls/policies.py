from trustroom.controls.models import (
    Check,
    CheckControl,
    CheckRun,
    ClaimBinding,
    Control,
    ControlRequirement,
    Evidence,
    InventorySnapshot,
)
from trustroom.tenancy.policies import ALL_ROLES, EDITORS, MANAGERS, ModelPolicy, register

# Every member reads controls, evidence and check results (auditors included); editors keep them.
register(Control, ModelPolicy(view=ALL_ROLES, add=EDITORS, change=EDITORS, delete=MANAGERS))
register(ControlRequirement, ModelPolicy(view=ALL_ROLES, add=EDITORS, change=EDITORS, delete=EDITORS))
register(Evidence, ModelPolicy(view=ALL_ROLES, add=EDITORS, change=EDITORS, delete=EDITORS))
register(Check, ModelPolicy(view=ALL_ROLES, add=EDITORS, change=EDITORS, delete=MANAGERS))
register(CheckControl, ModelPolicy(view=ALL_ROLES, add=EDITORS, change=EDITORS, delete=EDITORS))
# Runs are written only by running a check (a "change" of the check); nobody edits or deletes them.
register(CheckRun, ModelPolicy(view=ALL_ROLES))
register(InventorySnapshot, ModelPolicy(view=ALL_ROLES, add=EDITORS))
# What a public claim rests on is a publishing decision: managers bind, every member reads.
register(ClaimBinding, ModelPolicy(view=ALL_ROLES, add=MANAGERS, delete=MANAGERS))

from trustroom.controls import audit_policies  # noqa: E402, F401  (the auditor workspace)
