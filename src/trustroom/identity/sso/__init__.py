"""Single sign-on per organization: OpenID Connect and SAML 2.0 through django-allauth.

- `connections`: an organization's `SsoConnection` rows, named to allauth as provider ids
  `<organization slug>.<key>` and turned into allauth `SocialApp`s on demand (nothing is copied into
  allauth's own table, so row-level security keeps covering the configuration).
- `oidc`: the OpenID Connect provider allauth uses, stricter than allauth's: a nonce and PKCE on every
  request, and the ID token's signature, issuer (the configured one), audience, nonce and lifetime checked.
- `saml`: the ACS step, where an assertion is refused when it was already used (replay).
- `acceptance`: the one place an identity asserted by a provider becomes a signed-in person: e-mail domain,
  account linking without takeover, just-in-time membership, audit.
- `services`: every change to a connection.
"""
