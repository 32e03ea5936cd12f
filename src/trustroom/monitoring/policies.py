from trustroom.monitoring.models import (
    Alert,
    AlertSource,
    Delivery,
    Incident,
    IncidentAction,
    IncidentAlert,
    IncidentEvent,
    Notifier,
    RoutingRule,
)
from trustroom.tenancy.models import Role
from trustroom.tenancy.policies import (
    ALL_ROLES,
    EDITORS,
    MANAGERS,
    NOBODY,
    SUPPORT_READ_ONLY,
    ModelPolicy,
    register,
)

# Sources hold the secret senders sign with: owners and admins create, rotate, disable and delete them;
# auditors read the list (an intake they review). Support staff may read, never change.
register(
    AlertSource,
    ModelPolicy(
        view=MANAGERS | {Role.AUDITOR},
        add=MANAGERS,
        change=MANAGERS,
        delete=MANAGERS,
        support=SUPPORT_READ_ONLY,
    ),
)
# Every member sees alerts; editors and above triage them (acknowledge, resolve, suppress). Alerts are
# created only by the intake endpoint, never by hand, and never deleted.
register(Alert, ModelPolicy(view=ALL_ROLES, add=NOBODY, change=EDITORS, delete=NOBODY))

# Incidents and everything of theirs: every member reads; editors and above open and change them.
# Nobody deletes them: they are evidence (MTTA/MTTR, the timeline, the review).
for _model in (Incident, IncidentAlert, IncidentEvent, IncidentAction):
    register(_model, ModelPolicy(view=ALL_ROLES, add=EDITORS, change=EDITORS, delete=NOBODY))
# Routing: every member reads where alerts go (never the secrets); owners and admins change notifiers and
# rules. Deliveries are made by the intake and triage, never by hand; editors (who triage) may retry one.
register(
    Notifier,
    ModelPolicy(view=ALL_ROLES, add=MANAGERS, change=MANAGERS, delete=MANAGERS, support=SUPPORT_READ_ONLY),
)
register(
    RoutingRule,
    ModelPolicy(view=ALL_ROLES, add=MANAGERS, change=MANAGERS, delete=MANAGERS, support=SUPPORT_READ_ONLY),
)
register(
    Delivery,
    ModelPolicy(view=ALL_ROLES, add=NOBODY, change=EDITORS, delete=NOBODY, support=SUPPORT_READ_ONLY),
)
