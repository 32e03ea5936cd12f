"""allauth's security-key forms, with refused answers recorded.

allauth records a wrong TOTP code through its `authentication_failed` signal but sends nothing when a
security key's answer is refused; these subclasses (named in `MFA_FORMS`) record that as `mfa_failed`,
so failed second steps with a key show in the person's sign-in activity and the organization's audit log.
"""

from __future__ import annotations

from typing import Any

from allauth.core import context
from allauth.mfa.webauthn import forms as allauth_forms

from trustroom.identity.auth_events import record_webauthn_failure


class _RecordRefusalMixin:
    user: Any
    data: Any
    reauthenticated: bool

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean()  # type: ignore[misc]
        if self.user is not None and self.has_error("credential"):  # type: ignore[attr-defined]
            record_webauthn_failure(
                actor=self.user,
                request=context.request,
                posted_credential=str(self.data.get("credential", "")),
                reauthentication=self.reauthenticated,
            )
        return cleaned


class AuthenticateWebAuthnForm(_RecordRefusalMixin, allauth_forms.AuthenticateWebAuthnForm):
    pass


class ReauthenticateWebAuthnForm(_RecordRefusalMixin, allauth_forms.ReauthenticateWebAuthnForm):
    pass
