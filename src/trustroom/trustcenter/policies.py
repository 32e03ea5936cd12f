"""Who may do what to the trust center's records. Visitors are not members: their steps (request,
verify, accept terms, download) are authorized by the grant itself in `trustcenter.services`, never by a
role."""

from trustroom.tenancy.policies import ALL_ROLES, EDITORS, MANAGERS, NOBODY, ModelPolicy, register
from trustroom.trustcenter.models import (
    AccessGrant,
    AccessGrantDocument,
    AccessRequest,
    AccessRequestDocument,
    ClaimPolicy,
    ConfidentialityTerms,
    CustomerAccount,
    CustomerAccountDocument,
    CustomerContact,
    DownloadEvent,
    SafeToHostPublication,
    TermsAcceptance,
    TrustCenterSettings,
)

# Publishing the trust center and its terms is a manager's decision.
register(TrustCenterSettings, ModelPolicy(view=ALL_ROLES, add=MANAGERS, change=MANAGERS))
register(ConfidentialityTerms, ModelPolicy(view=ALL_ROLES, add=MANAGERS))
# The security team (editors and above) decides requests, revokes grants and keeps customer accounts.
register(AccessRequest, ModelPolicy(view=ALL_ROLES, change=EDITORS))
register(AccessRequestDocument, ModelPolicy(view=ALL_ROLES))
register(AccessGrant, ModelPolicy(view=ALL_ROLES, add=EDITORS, change=EDITORS, delete=EDITORS))
register(AccessGrantDocument, ModelPolicy(view=ALL_ROLES))
register(CustomerAccount, ModelPolicy(view=ALL_ROLES, add=EDITORS, change=EDITORS, delete=EDITORS))
register(CustomerAccountDocument, ModelPolicy(view=ALL_ROLES))
register(CustomerContact, ModelPolicy(view=ALL_ROLES, add=EDITORS, change=EDITORS, delete=EDITORS))
# Records of what visitors did: read-only for everyone.
register(TermsAcceptance, ModelPolicy(view=ALL_ROLES, add=NOBODY))
register(DownloadEvent, ModelPolicy(view=ALL_ROLES, add=NOBODY))
# Naming an application in public is a manager's decision, like publishing the trust center itself.
register(SafeToHostPublication, ModelPolicy(view=ALL_ROLES, add=MANAGERS, delete=MANAGERS))
# What the public page does with a claim that is not currently verified: like the default, a manager's call.
register(ClaimPolicy, ModelPolicy(view=ALL_ROLES, add=MANAGERS, change=MANAGERS, delete=MANAGERS))
