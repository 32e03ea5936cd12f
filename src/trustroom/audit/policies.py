from trustroom.audit.models import AuditEvent
from trustroom.tenancy.models import Role
from trustroom.tenancy.policies import ModelPolicy, register

# Read by those who answer for the program; written only by services, never through a view.
register(AuditEvent, ModelPolicy(view={Role.OWNER, Role.ADMIN, Role.AUDITOR}))
