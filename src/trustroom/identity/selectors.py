from __future__ import annotations

from trustroom.identity import tokens
from trustroom.identity.models import ApiToken


def find_usable_token(raw: str) -> ApiToken | None:
    """The active token of the current organization that `raw` names, or None. Expiry is checked here."""
    presented = tokens.parse(raw)
    if presented is None:
        return None
    token = ApiToken.objects.filter(prefix=presented.prefix).first()
    if token is None or not tokens.secret_matches(presented.secret, token.secret_digest):
        return None
    if not token.is_usable():
        return None
    return token
