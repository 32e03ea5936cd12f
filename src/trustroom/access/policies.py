from trustroom.access.models import (
    AccessGrant,
    AccessGroup,
    AccessGroupMember,
    AccessImport,
    AccessPolicyRule,
    AccessRequest,
    AccessReviewCampaign,
    AccessReviewItem,
    AccessReviewSchedule,
    Environment,
    RevocationTask,
    System,
)
from trustroom.tenancy.models import Role
from trustroom.tenancy.narrowing import occurred_in
from trustroom.tenancy.policies import ALL_ROLES, EDITORS, MANAGERS, ModelPolicy, register

# Every member reads the inventory and the access records (an auditor: only what their periods admit,
# below). Editors keep the inventory and record grants and revocations; owners and admins set the
# rules, groups, schedule and campaigns. Requests are made by any member except auditors; who may
# approve a step is decided per request in the services (the named approver), not by role.
_INVENTORY = ModelPolicy(view=ALL_ROLES, add=EDITORS, change=EDITORS, delete=MANAGERS)
register(System, _INVENTORY)
register(Environment, _INVENTORY)
register(AccessGrant, ModelPolicy(view=ALL_ROLES, add=EDITORS, change=EDITORS))
register(RevocationTask, ModelPolicy(view=ALL_ROLES, add=EDITORS, change=EDITORS))
register(
    AccessRequest,
    ModelPolicy(view=ALL_ROLES, add=ALL_ROLES - {Role.AUDITOR}, change=ALL_ROLES - {Role.AUDITOR}),
)
_RULES = ModelPolicy(view=ALL_ROLES, add=MANAGERS, change=MANAGERS, delete=MANAGERS)
register(AccessGroup, _RULES)
register(AccessGroupMember, _RULES)
register(AccessPolicyRule, _RULES)
register(AccessReviewSchedule, ModelPolicy(view=ALL_ROLES, add=MANAGERS, change=MANAGERS))
# An auditor samples the access reviews opened inside their audit periods, with their items.
register(
    AccessReviewCampaign,
    ModelPolicy(view=ALL_ROLES, add=MANAGERS, change=MANAGERS),
    period_rule=occurred_in("opened_at"),
)
# Reviewers record decisions; whether this person may decide this item is checked in the services.
register(
    AccessReviewItem,
    ModelPolicy(view=ALL_ROLES, change=ALL_ROLES - {Role.AUDITOR}),
    period_rule=occurred_in("campaign__opened_at"),
)
register(AccessImport, ModelPolicy(view=ALL_ROLES, add=EDITORS, change=EDITORS))
