from typing import Any

from django.db.models import Q

from trustroom.compliance.models import Certification, ComplianceStatement, Framework, StatementRevision
from trustroom.tenancy.narrowing import AuditWindow, per_window
from trustroom.tenancy.policies import ALL_ROLES, EDITORS, MANAGERS, NOBODY, ModelPolicy, register
from trustroom.tenancy.principal import Principal


class FrameworkPolicy(ModelPolicy):
    """Built-in frameworks (no organization) are read by every member and changed by nobody here."""

    def allows(self, principal: Principal | None, action: str, obj: Any = None) -> bool:
        if obj is not None and getattr(obj, "organization_id", 0) is None:
            return action == "view" and super().allows(principal, action, None)
        return super().allows(principal, action, obj)


# An auditor reads the built-in frameworks and, of the organization's own, those their periods audit.
register(
    Framework,
    FrameworkPolicy(view=ALL_ROLES, add=MANAGERS, change=MANAGERS, delete=MANAGERS),
    period_rule=per_window(lambda w: Q(organization__isnull=True) | Q(code__in=list(w.framework_codes))),
)
register(ComplianceStatement, ModelPolicy(view=ALL_ROLES, add=EDITORS, change=EDITORS, delete=MANAGERS))
# History is written by the statement services only.
register(StatementRevision, ModelPolicy(view=ALL_ROLES, add=NOBODY, change=NOBODY, delete=NOBODY))


def _valid_during(window: AuditWindow) -> Q:
    """Certifications (and audit reports) valid on some day of the window (dates inclusive, UTC)."""
    return Q(valid_from__lt=window.ends_at.date(), valid_until__gte=window.starts_at.date())


# An auditor reads the certifications and audit reports valid at some point of their audit periods.
register(
    Certification,
    ModelPolicy(view=ALL_ROLES, add=EDITORS, change=EDITORS, delete=MANAGERS),
    period_rule=per_window(_valid_during),
)
