from __future__ import annotations

from typing import Any

from django import forms

from trustroom.identity.models import OidcPreset, SsoConnection, SsoProtocol
from trustroom.identity.sso.services import JIT_ROLES
from trustroom.tenancy.models import Role


class SsoConnectionForm(forms.Form):
    """One form for both protocols; the service checks which fields the chosen protocol needs."""

    protocol = forms.ChoiceField(label="Protocol", choices=SsoProtocol.choices)
    name = forms.CharField(label="Name", max_length=100, help_text="What members see on the sign-in button.")
    email_domains = forms.CharField(
        label="E-mail domains",
        help_text="Comma-separated. Only addresses in these domains can sign in through this connection.",
    )
    enabled = forms.BooleanField(label="Enabled", required=False, initial=True)
    jit_provisioning = forms.BooleanField(
        label="Create accounts and memberships on first sign-in (just-in-time provisioning)",
        required=False,
        initial=True,
    )
    default_role = forms.ChoiceField(
        label="Role of people provisioned on first sign-in",
        choices=[(role, Role(role).label) for role in JIT_ROLES],
        initial=Role.VIEWER,
    )
    oidc_preset = forms.ChoiceField(label="Identity provider", choices=OidcPreset.choices, required=False)
    oidc_issuer = forms.CharField(
        label="Issuer",
        required=False,
        max_length=300,
        help_text="Any provider: the issuer URL. Okta: your Okta domain. Entra ID: your tenant id. "
        "Google: leave empty.",
    )
    oidc_client_id = forms.CharField(label="Client id", required=False, max_length=300)
    oidc_client_secret = forms.CharField(
        label="Client secret",
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Stored encrypted; leave empty to keep the current one.",
    )
    saml_idp_entity_id = forms.CharField(label="IdP entity id (Issuer)", required=False, max_length=300)
    saml_idp_sso_url = forms.CharField(
        label="IdP single sign-on URL (HTTP-Redirect)", required=False, max_length=500
    )
    saml_idp_certificate = forms.CharField(
        label="IdP signing certificate (PEM)", required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    saml_allow_idp_initiated = forms.BooleanField(
        label="Allow sign-in started at the identity provider (IdP-initiated; off is safer)", required=False
    )

    def __init__(self, *args: Any, connection: SsoConnection | None = None, **kwargs: Any) -> None:
        if connection is not None and "initial" not in kwargs:
            initial = {
                field: getattr(connection, field) for field in self.base_fields if hasattr(connection, field)
            }
            initial["email_domains"] = ", ".join(connection.email_domains)
            kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        if connection is not None:
            self.fields["protocol"].disabled = True

    def service_values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["email_domains"] = [part.strip() for part in data["email_domains"].split(",") if part.strip()]
        data.pop("protocol", None)
        data.pop("oidc_client_secret", None)
        return data
