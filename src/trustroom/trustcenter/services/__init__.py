"""Writes of the trust center's gated-document flow, and the one place a download is authorized.

Members act through `Principal`s checked by the models' policies. Visitors are not members: their steps
are authorized by what they hold (the verification link, the access link, the signed download link) and
recorded in the audit log under a `VisitorPrincipal`, which names the person and holds no role.

The package is split by concept; import from here (`from trustroom.trustcenter import services`):
- `common`: VisitorPrincipal, LinkRefused and the helpers every step shares (digests, links, mail);
- `settings_terms`: trust center settings, confidentiality terms and their acceptance;
- `access_requests`: requests (throttle, submit, verify, approve, deny) and grants (resend, revoke);
- `downloads`: signed download links, `authorize_download` (the one check) and the watermarked copy;
- `customers`: customer accounts and their contacts;
- `attestations`: publishing an application's "safe to host" attestation;
- `claim_policies`: one public claim's own posture policy (overriding the default).
"""

from trustroom.tenancy.principal import Principal
from trustroom.trustcenter.services.access_requests import (
    RATE_WINDOW_SECONDS,
    REQUESTS_PER_EMAIL,
    REQUESTS_PER_IP,
    VERIFICATION_TTL,
    VerificationOutcome,
    approve_access_request,
    deny_access_request,
    find_grant_by_secret,
    find_request_by_secret,
    resend_access_link,
    revoke_grant,
    submit_access_request,
    throttle_access_request,
    verify_access_request,
)
from trustroom.trustcenter.services.attestations import set_safe_to_host_published
from trustroom.trustcenter.services.claim_policies import CLAIM_POLICY_CHOICES, set_claim_policy
from trustroom.trustcenter.services.common import (
    MAX_GRANT_DAYS,
    VISITOR_ROLE,
    LinkRefused,
    VisitorPrincipal,
    _digest,
    grant_refusal,
)
from trustroom.trustcenter.services.customers import (
    CONTACT_INVITE_TTL,
    add_customer_contact,
    create_customer_account,
    find_contact_invitation,
    invite_customer_contact,
    join_as_customer_contact,
    remove_customer_contact,
    update_customer_account,
)
from trustroom.trustcenter.services.downloads import (
    DOWNLOAD_LINK_SECONDS,
    DOWNLOAD_SALT,
    AuthorizedDownload,
    authorize_download,
    download_document,
    download_token,
    watermark_lines,
)
from trustroom.trustcenter.services.settings_terms import (
    SETTINGS_FIELDS,
    accept_terms,
    publish_terms,
    update_settings,
)

__all__ = [
    "CLAIM_POLICY_CHOICES",
    "CONTACT_INVITE_TTL",
    "DOWNLOAD_LINK_SECONDS",
    "DOWNLOAD_SALT",
    "MAX_GRANT_DAYS",
    "RATE_WINDOW_SECONDS",
    "REQUESTS_PER_EMAIL",
    "REQUESTS_PER_IP",
    "SETTINGS_FIELDS",
    "VERIFICATION_TTL",
    "VISITOR_ROLE",
    "AuthorizedDownload",
    "LinkRefused",
    "Principal",
    "VerificationOutcome",
    "VisitorPrincipal",
    "_digest",
    "accept_terms",
    "add_customer_contact",
    "approve_access_request",
    "authorize_download",
    "create_customer_account",
    "deny_access_request",
    "download_document",
    "download_token",
    "find_contact_invitation",
    "find_grant_by_secret",
    "find_request_by_secret",
    "grant_refusal",
    "invite_customer_contact",
    "join_as_customer_contact",
    "publish_terms",
    "remove_customer_contact",
    "resend_access_link",
    "revoke_grant",
    "set_claim_policy",
    "set_safe_to_host_published",
    "submit_access_request",
    "throttle_access_request",
    "update_customer_account",
    "update_settings",
    "verify_access_request",
    "watermark_lines",
]
