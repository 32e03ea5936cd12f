"""Forms of the identity pages. They only validate input; the service functions do the writing."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator
from django.utils import timezone

from trustroom.identity.models import ApiToken, TokenScope

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
