"""Writes of the VAPT programme. Keyword-only, `actor` first, one audit event per write.

Decisions:
- One application per engagement (a programme covering three applications is three engagements), so
  each application's cadence reads straight from its own engagements.
- Deadlines (`due_at`, `target_at`) are fixed at detection from the SLA policy version in force then: a
  later policy version, a failed retest, a reopen or an edit keep them. Only a change of severity (a
  re-triage, by hand or by a scanner) recomputes them, from the ORIGINAL detection time under the
  finding's OWN policy version (`retriaged_deadlines`): a deadline is always a function of detection
  time, policy version and severity.
- Low findings are due when the application is next tested (its earliest planned engagement after
  detection, else the date its cadence requires); info findings have no deadline.
"""

from trustroom.assessments.services.common import (
    DEFAULT_POLICY_EFFECTIVE_FROM,
    MAX_RISK_ACCEPTANCE,
    RETEST_WINDOW,
)
from trustroom.assessments.services.findings import (
    accept_risk,
    assign_finding,
    create_finding,
    deadlines,
    expire_risk_acceptances,
    mark_false_positive,
    mark_fixed,
    record_retest,
    reopen_finding,
    retriaged_deadlines,
    update_finding,
)
from trustroom.assessments.services.programme import (
    application_delete_blockers,
    complete_engagement,
    create_application,
    create_engagement,
    create_vendor,
    delete_application,
    delete_engagement,
    delete_vendor,
    engagement_delete_blockers,
    update_application,
    update_engagement,
    update_vendor,
    vendor_delete_blockers,
)
from trustroom.assessments.services.sla import SLA_HOUR_FIELDS, create_sla_policy_version, policy_in_force

__all__ = [
    "DEFAULT_POLICY_EFFECTIVE_FROM",
    "MAX_RISK_ACCEPTANCE",
    "RETEST_WINDOW",
    "SLA_HOUR_FIELDS",
    "accept_risk",
    "application_delete_blockers",
    "assign_finding",
    "complete_engagement",
    "create_application",
    "create_engagement",
    "create_finding",
    "create_sla_policy_version",
    "create_vendor",
    "deadlines",
    "delete_application",
    "delete_engagement",
    "delete_vendor",
    "engagement_delete_blockers",
    "expire_risk_acceptances",
    "mark_false_positive",
    "mark_fixed",
    "policy_in_force",
    "record_retest",
    "reopen_finding",
    "retriaged_deadlines",
    "update_application",
    "update_engagement",
    "update_finding",
    "update_vendor",
    "vendor_delete_blockers",
]
