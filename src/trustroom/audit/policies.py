from trustroom.audit.models import AuditEvent
from trustroom.tenancy.models import Role
from trustroom.tenancy.narrowing import occurred_in
from trustroom.tenancy.policies import ModelPolicy, register

# Read by those who answer for the program; written only by services, never through a view.
# An auditor reads the events that occurred inside their audit periods.
register(
    AuditEvent,
    ModelPolicy(view={Role.OWNER, Role.ADMIN, Role.AUDITOR}),
    period_rule=occurred_in("occurred_at"),
)
