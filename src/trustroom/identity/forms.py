"""Forms of the identity pages. They only validate input; the service functions do the writing."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator
from django.utils import timezone

from trustroom.identity.models import (
    SESSION_LIFETIME_MAX_MINUTES,
    SESSION_LIFETIME_MIN_MINUTES,
    SUPPORT_ACCESS_MAX_DAYS,
    AllowlistAudience,
    ApiToken,
    SecurityPolicy,
    SupportScope,
    TokenScope,
)

DEFAULT_TOKEN_DAYS = 90


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=ApiToken._meta.get_field("name").max_length,
        help_text="What uses the token, e.g. “CI evidence upload”.",
    )
    scope = forms.ChoiceField(
        label="Scope",
        choices=TokenScope.choices,
        initial=TokenScope.READ,
        help_text="Read only tokens act as a viewer; read and write tokens as an editor.",
    )
    expires_in_days = forms.IntegerField(label="Expires in (days)", min_value=1, initial=DEFAULT_TOKEN_DAYS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Read when the form is built, so a changed setting applies without a restart of the module.
        max_days = settings.API_TOKEN_MAX_DAYS
        field = self.fields["expires_in_days"]
        field.validators.append(MaxValueValidator(max_days))
        field.widget.attrs["max"] = str(max_days)
        field.help_text = f"1 to {max_days} days."

    def expires_at(self) -> datetime:
        return timezone.now() + timedelta(days=self.cleaned_data["expires_in_days"])


class SecurityPolicyForm(forms.Form):
    """The security policy page's form; the service checks the values again and decides."""

    require_mfa = forms.BooleanField(
        label="Require two-factor authentication for every member",
        required=False,
        help_text="Members without an authenticator app or security key are sent to set one up.",
    )
    session_lifetime_minutes = forms.IntegerField(
        label="Session lifetime (minutes)",
        min_value=SESSION_LIFETIME_MIN_MINUTES,
        max_value=SESSION_LIFETIME_MAX_MINUTES,
        help_text=f"From {SESSION_LIFETIME_MIN_MINUTES} minutes to {SESSION_LIFETIME_MAX_MINUTES} "
        "(30 days), counted from sign-in. A member of several organizations gets the shortest.",
    )
    allowed_email_domains = forms.CharField(
        label="Allowed e-mail domains for invitations",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line or separated by commas, e.g. example.com. Empty: any domain.",
    )
    sso_only = forms.BooleanField(
        label="Sign in with SSO only",
        required=False,
        help_text="Needs an SSO connection.",
    )
    confirm_without_mfa = forms.BooleanField(
        label="I understand I will be asked to set up two-factor authentication myself",
        required=False,
    )

    @staticmethod
    def initial_for(policy: SecurityPolicy) -> dict[str, Any]:
        return {
            "require_mfa": policy.require_mfa,
            "session_lifetime_minutes": policy.session_lifetime_minutes,
            "allowed_email_domains": "\n".join(policy.allowed_email_domains),
            "sso_only": policy.sso_only,
        }

    def clean_allowed_email_domains(self) -> list[str]:
        raw = self.cleaned_data.get("allowed_email_domains") or ""
        return [part for part in re.split(r"[\s,;]+", raw) if part]

    def changes(self) -> dict[str, Any]:
        return {field: self.cleaned_data[field] for field in SECURITY_POLICY_FORM_FIELDS}


SECURITY_POLICY_FORM_FIELDS = ("require_mfa", "session_lifetime_minutes", "allowed_email_domains", "sso_only")


class IpAllowlistEntryForm(forms.Form):
    """Add one network to the IP allowlist. The service validates and normalizes the network."""

    network = forms.CharField(
        label="Network (CIDR) or address",
        max_length=100,
        help_text="IPv4 or IPv6, e.g. 203.0.113.0/24, 198.51.100.7 or 2001:db8::/32. "
        "A single address is saved as /32 (IPv4) or /128 (IPv6).",
    )
    label = forms.CharField(
        label="Label", max_length=100, required=False, help_text="What the network is, e.g. “Office VPN”."
    )
    applies_to = forms.ChoiceField(label="Applies to", choices=AllowlistAudience.choices)


# Durations offered for support access, in hours (the service refuses anything over the maximum).
SUPPORT_DURATION_CHOICES = [
    (4, "4 hours"),
    (24, "24 hours"),
    (72, "3 days"),
    (SUPPORT_ACCESS_MAX_DAYS * 24, "7 days"),
]


class SupportAccessGrantForm(forms.Form):
    staff_email = forms.EmailField(
        label="Staff member's e-mail address",
        max_length=254,
        help_text="The platform staff account that may enter this organization.",
    )
    scope = forms.ChoiceField(
        label="Scope",
        choices=SupportScope.choices,
        initial=SupportScope.READ,
        help_text="Read only: sees what an auditor sees and changes nothing. Admin: may act as an admin, "
        "but never manages members, API tokens, the security policy, the IP allowlist or support access.",
    )
    reason = forms.CharField(
        label="Reason",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why support needs access, e.g. the ticket number. Recorded in the audit log.",
    )
    duration_hours = forms.TypedChoiceField(
        label="Duration",
        choices=SUPPORT_DURATION_CHOICES,
        coerce=int,
        initial=24,
        help_text="Access ends by itself after this time; you can revoke it earlier.",
    )

    def expires_at(self) -> datetime:
        return timezone.now() + timedelta(hours=self.cleaned_data["duration_hours"])


class IpAllowlistBulkForm(forms.Form):
    """Paste several networks, one per line; the service parses, validates and adds them all or none."""

    networks = forms.CharField(
        label="Networks, one per line",
        widget=forms.Textarea(attrs={"rows": 8, "cols": 60, "spellcheck": "false"}),
        max_length=50_000,
        help_text="Each line: a network or address, optionally followed by a label, e.g. "
        "“203.0.113.0/24 Office VPN”. Blank lines and text after # are ignored. If any line is "
        "wrong or already listed, nothing is added.",
    )
    applies_to = forms.ChoiceField(label="Apply all of them to", choices=AllowlistAudience.choices)

    prefix = "bulk"  # its fields' names and ids stay apart from the single-network form's
