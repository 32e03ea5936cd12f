from trustroom.identity.models import ApiToken, IpAllowlistEntry
from trustroom.tenancy.models import Role
from trustroom.tenancy.policies import MANAGERS, NOBODY, ModelPolicy, register

# Tokens are revoked, never edited; only owners and admins handle them.
register(ApiToken, ModelPolicy(view=MANAGERS, add=MANAGERS, change=NOBODY, delete=MANAGERS))

# Owners and admins manage the IP allowlist; auditors read it (it is an access control they review).
register(
    IpAllowlistEntry,
    ModelPolicy(view=MANAGERS | {Role.AUDITOR}, add=MANAGERS, change=MANAGERS, delete=MANAGERS),
)
