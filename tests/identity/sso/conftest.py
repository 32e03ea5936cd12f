"""Fixtures of the SSO tests: real identity providers started on loopback.

`oidc_idp`: oidc-provider (Node) serving two issuers (see oidc_idp.py); `saml_idp`: a pysaml2 IdP (see
saml_idp.py).
"""

from tests.identity.sso.oidc_idp import oidc_idp
from tests.identity.sso.saml_idp import saml_idp

__all__ = ["oidc_idp", "saml_idp"]
