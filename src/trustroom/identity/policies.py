from trustroom.identity.models import ApiToken, IpAllowlistEntry, SecurityPolicy, SsoConnection
from trustroom.tenancy.models import Role
from trustroom.tenancy.policies import ALL_ROLES, MANAGERS, NOBODY, ModelPolicy, register

# Tokens are revoked, never edited; only owners and admins handle them.
register(ApiToken, ModelPolicy(view=MANAGERS, add=MANAGERS, change=NOBODY, delete=MANAGERS))
# Every member may read how the organization signs in; owners and admins change it (no add/delete:
# there is one policy, created on first change).
register(SecurityPolicy, ModelPolicy(view=ALL_ROLES, add=NOBODY, change=MANAGERS, delete=NOBODY))

# Owners and admins manage the IP allowlist; auditors read it (it is an access control they review).
register(
    IpAllowlistEntry,
    ModelPolicy(view=MANAGERS | {Role.AUDITOR}, add=MANAGERS, change=MANAGERS, delete=MANAGERS),
)

# SSO connections decide who signs in as the organization's members: owners change them; admins and
# auditors read them.
register(
    SsoConnection,
    ModelPolicy(view=MANAGERS | {Role.AUDITOR}, add={Role.OWNER}, change={Role.OWNER}, delete={Role.OWNER}),
)
