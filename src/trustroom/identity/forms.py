"""Forms of the identity pages. They only validate input; the service functions do the writing."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator
from django.utils import timezone

from trustroom.identity.models import AllowlistAudience, ApiToken, TokenScope

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
