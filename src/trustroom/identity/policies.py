from trustroom.identity.models import ApiToken
from trustroom.tenancy.policies import MANAGERS, NOBODY, ModelPolicy, register

# Tokens are revoked, never edited; only owners and admins handle them.
register(ApiToken, ModelPolicy(view=MANAGERS, add=MANAGERS, change=NOBODY, delete=MANAGERS))
