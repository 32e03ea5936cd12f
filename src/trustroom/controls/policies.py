from django.db.models import Q

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
from trustroom.tenancy.narrowing import AuditWindow, PeriodRule, per_window
from trustroom.tenancy.policies import ALL_ROLES, EDITORS, MANAGERS, ModelPolicy, register


def _mapped(window: AuditWindow, prefix: str = "") -> Q:
    """Controls (through `prefix`) mapped to a requirement of one of the window's frameworks."""
    return Q(**{f"{prefix}mappings__requirement__framework__code__in": list(window.framework_codes)})


def _mapped_within(prefix: str, field: str) -> PeriodRule:
    return per_window(
        lambda w: _mapped(w, prefix) & Q(**{f"{field}__gte": w.starts_at, f"{field}__lt": w.ends_at})
    )


# Every member reads controls, evidence and check results; editors keep them. An auditor reads, per
# assigned period: the controls mapped to the period's frameworks (and those mappings), the checks feeding
# them, their evidence effective inside the window and their checks' runs finished inside it.
register(
    Control,
    ModelPolicy(view=ALL_ROLES, add=EDITORS, change=EDITORS, delete=MANAGERS),
    period_rule=per_window(_mapped),
)
register(
    ControlRequirement,
    ModelPolicy(view=ALL_ROLES, add=EDITORS, change=EDITORS, delete=EDITORS),
    period_rule=per_window(lambda w: Q(requirement__framework__code__in=list(w.framework_codes))),
)
register(
    Evidence,
    ModelPolicy(view=ALL_ROLES, add=EDITORS, change=EDITORS, delete=EDITORS),
    period_rule=_mapped_within("control__", "effective_at"),
)
register(
    Check,
    ModelPolicy(view=ALL_ROLES, add=EDITORS, change=EDITORS, delete=MANAGERS),
    period_rule=per_window(lambda w: _mapped(w, "feeds__control__")),
)
register(
    CheckControl,
    ModelPolicy(view=ALL_ROLES, add=EDITORS, change=EDITORS, delete=EDITORS),
    period_rule=per_window(lambda w: _mapped(w, "control__")),
)
# Runs are written only by running a check (a "change" of the check); nobody edits or deletes them.
register(
    CheckRun,
    ModelPolicy(view=ALL_ROLES),
    period_rule=_mapped_within("check_ref__feeds__control__", "finished_at"),
)
register(InventorySnapshot, ModelPolicy(view=ALL_ROLES, add=EDITORS))
# What a public claim rests on is a publishing decision: managers bind, every member reads.
register(ClaimBinding, ModelPolicy(view=ALL_ROLES, add=MANAGERS, delete=MANAGERS))

from trustroom.controls import audit_policies  # noqa: E402, F401  (the auditor workspace)
