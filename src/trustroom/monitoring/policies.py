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
from trustroom.tenancy.narrowing import occurred_in
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
# support staff under a read grant (auditor role) may read the list, never change it; member auditors
# read none of it (no period rule).
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
# An auditor reads the alerts received inside their audit periods.
register(
    Alert,
    ModelPolicy(view=ALL_ROLES, add=NOBODY, change=EDITORS, delete=NOBODY),
    period_rule=occurred_in("received_at"),
)

# Incidents and everything of theirs: every member reads; editors and above open and change them.
# Nobody deletes them: they are evidence (MTTA/MTTR, the timeline, the review).
# An auditor reads the incidents opened inside their audit periods (not their inner records).
for _model in (Incident, IncidentAlert, IncidentEvent, IncidentAction):
    register(
        _model,
        ModelPolicy(view=ALL_ROLES, add=EDITORS, change=EDITORS, delete=NOBODY),
        period_rule=occurred_in("opened_at") if _model is Incident else None,
    )
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
