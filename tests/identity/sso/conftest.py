"""Fixtures of the SSO tests: `oidc_idp`, a real OpenID Provider on loopback (see oidc_idp.py)."""

from tests.identity.sso.oidc_idp import oidc_idp

__all__ = ["oidc_idp"]
