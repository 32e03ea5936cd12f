from trustroom.identity.models import (
    ApiToken,
    IpAllowlistEntry,
    SecurityPolicy,
    SsoConnection,
    SupportAccessGrant,
)
from trustroom.tenancy.models import Role
from trustroom.tenancy.narrowing import current_configuration
from trustroom.tenancy.policies import (
    ALL_ROLES,
    MANAGERS,
    NOBODY,
    SUPPORT_NONE,
    SUPPORT_READ_ONLY,
    ModelPolicy,
    register,
)

# Tokens are revoked, never edited; only owners and admins handle them. Support staff never see them
# (a token would outlive the grant).
register(
    ApiToken, ModelPolicy(view=MANAGERS, add=MANAGERS, change=NOBODY, delete=MANAGERS, support=SUPPORT_NONE)
)
# Every member may read how the organization signs in; owners and admins change it (no add/delete:
# there is one policy, created on first change).
register(
    SecurityPolicy,
    ModelPolicy(view=ALL_ROLES, add=NOBODY, change=MANAGERS, delete=NOBODY, support=SUPPORT_READ_ONLY),
    period_rule=current_configuration(),
)

# Owners and admins manage the IP allowlist; auditors (and support staff under a read grant, who act with
# the auditor role) read it: current configuration, read whole by an auditor with a period.
register(
    IpAllowlistEntry,
    ModelPolicy(
        view=MANAGERS | {Role.AUDITOR},
        add=MANAGERS,
        change=MANAGERS,
        delete=MANAGERS,
        support=SUPPORT_READ_ONLY,
    ),
    period_rule=current_configuration(),
)

# Only owners let support staff in or end their access; every member sees who was let in and why.
# Staff under a grant may read the list (their own grant included) and nothing more.
OWNERS = frozenset({Role.OWNER})
register(
    SupportAccessGrant,
    ModelPolicy(view=ALL_ROLES, add=OWNERS, change=NOBODY, delete=OWNERS, support=SUPPORT_READ_ONLY),
    period_rule=current_configuration(),
)

# SSO connections decide who signs in as the organization's members: owners change them; admins (and
# support staff under a read grant, who act as auditors) read them; current configuration, read whole by
# an auditor with a period (`tenancy.narrowing`).
register(
    SsoConnection,
    ModelPolicy(view=MANAGERS | {Role.AUDITOR}, add={Role.OWNER}, change={Role.OWNER}, delete={Role.OWNER}),
    period_rule=current_configuration(),
)
