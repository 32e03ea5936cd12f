"""The audit log filter form, shared by the page (GET form) and the API (query parameters)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import RegexValidator

from trustroom.audit.selectors import EventFilters

# Model labels ("tenancy.invitation"), the form `target_type` is recorded in.
target_type_validator = RegexValidator(
    r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$", "Use a record type such as tenancy.invitation."
)
action_validator = RegexValidator(
    r"^[A-Za-z0-9_.:-]+\*?$",
    "Use an action such as invitation.created, a prefix such as invitation, or invit* for any start.",
)


class AuditEventFilterForm(forms.Form):
    action = forms.CharField(
        required=False,
        max_length=100,
        validators=[action_validator],
        help_text="An action (invitation.created), a group (invitation) or a prefix (invit*).",
    )
    actor = forms.CharField(required=False, max_length=300, help_text="Part of the e-mail or token name.")
    target_type = forms.CharField(
        required=False,
        max_length=100,
        label="Record type",
        validators=[target_type_validator],
    )
    occurred_from = forms.DateField(
        required=False, label="From (UTC)", widget=forms.DateInput(attrs={"type": "date"})
    )
    occurred_to = forms.DateField(
        required=False, label="To (UTC)", widget=forms.DateInput(attrs={"type": "date"})
    )
    q = forms.CharField(
        required=False, max_length=200, label="Search", help_text="Words in the record name or the change."
    )

    def __init__(
        self,
        *args: Any,
        target_types: list[str] | None = None,
        actions: list[str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        known_types = list(target_types or [])
        submitted = (self.data.get("target_type") or "").strip() if self.is_bound else ""
        if submitted and submitted not in known_types:
            known_types.append(submitted)  # keep an API-style value visible when it is not in the list
        self.fields["target_type"].widget = forms.Select(
            choices=[("", "Any"), *((label, label) for label in known_types)]
        )
        # Suggestions for the action field (a <datalist> the template renders with this id).
        self.fields["action"].widget.attrs["list"] = "audit-action-suggestions"
        self.action_suggestions = actions or []

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("occurred_from"), cleaned.get("occurred_to")
        if start and end and start > end:
            self.add_error("occurred_to", "The end date must be on or after the start date.")
        return cleaned

    def filters(self) -> EventFilters:
        """The validated filters; call after `is_valid()` returned True."""
        return EventFilters.from_cleaned_data(self.cleaned_data)
