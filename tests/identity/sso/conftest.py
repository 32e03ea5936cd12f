"""Fixtures for the SSO tests: real identity providers started on loopback."""

from tests.identity.sso.saml_idp import saml_idp  # noqa: F401
