"""Forms of the controls pages. They only parse input; the services validate and write."""

from __future__ import annotations

import json
from typing import Any

from django import forms

from trustroom.compliance.models import Requirement
from trustroom.controls import checks as registry
from trustroom.controls.models import (
    DEFAULT_CHECK_SCHEDULE,
    DEFAULT_CONTROL_FREQUENCY,
    DEFAULT_FRESHNESS_DAYS,
    Check,
    Control,
    EvidenceKind,
)
from trustroom.resilience.forms import member_field
from trustroom.tenancy.models import Organization
from trustroom.vault.models import Document


class RequirementChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.framework.short_name} {obj.identifier} {obj.title}"


class ControlForm(forms.Form):
    key = forms.CharField(label="Key", max_length=20, help_text="e.g. DR-1; unique in the organization.")
    name = forms.CharField(label="Name", max_length=200)
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    frequency = forms.CharField(
        label="Frequency", max_length=200, initial=DEFAULT_CONTROL_FREQUENCY, help_text="RFC 5545 rule."
    )
    freshness_days = forms.IntegerField(
        label="Evidence stays fresh for (days)", min_value=1, initial=DEFAULT_FRESHNESS_DAYS
    )
    requirements = RequirementChoiceField(
        label="Framework requirements it satisfies",
        required=False,
        queryset=Requirement.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 12}),
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"] = member_field(organization, "Owner")
        self.order_fields(["key", "name", "description", "owner"])
        builtin = Requirement.objects.filter(framework__organization__isnull=True)
        requirements = self.fields["requirements"]
        requirements.queryset = builtin.select_related("framework").order_by(  # type: ignore[attr-defined]
            "framework__position", "position"
        )


class CheckForm(forms.Form):
    name = forms.CharField(label="Name", max_length=120)
    kind = forms.ChoiceField(label="Kind", choices=[])
    parameters = forms.CharField(
        label="Parameters (JSON)",
        widget=forms.Textarea(attrs={"rows": 4}),
        initial='{"allowed_regions": ["ap-south-1"], "source": "config_snapshot"}',
        help_text="Per kind; e.g. data_residency takes allowed_regions, source and regions.",
    )
    schedule = forms.CharField(
        label="Schedule", max_length=200, initial=DEFAULT_CHECK_SCHEDULE, help_text="RFC 5545 rule."
    )
    enabled = forms.BooleanField(label="Enabled", required=False, initial=True)
    controls = forms.ModelMultipleChoiceField(
        label="Controls it feeds", required=False, queryset=Control._base_manager.none()
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = registry.kind_choices()  # type: ignore[attr-defined]
        self.fields["controls"].queryset = Control.objects.all()  # type: ignore[attr-defined]

    def clean_parameters(self) -> Any:
        try:
            return json.loads(self.cleaned_data["parameters"] or "{}")
        except ValueError as error:
            raise forms.ValidationError(f"Not JSON: {error}") from None


def control_initial(control: Control) -> dict[str, Any]:
    """The edit form's values: the control as stored."""
    return {
        "key": control.key,
        "name": control.name,
        "description": control.description,
        "owner": control.owner_id,
        "frequency": control.frequency,
        "freshness_days": control.freshness_days,
        "requirements": list(control.mappings.values_list("requirement_id", flat=True)),
    }


def check_initial(check: Check) -> dict[str, Any]:
    """The edit form's values: the check as stored (parameters as indented JSON)."""
    return {
        "name": check.name,
        "kind": check.kind,
        "parameters": json.dumps(check.parameters, indent=2, sort_keys=True),
        "schedule": check.schedule,
        "enabled": check.enabled,
        "controls": list(check.feeds.values_list("control_id", flat=True)),
    }


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind", choices=[(EvidenceKind.LINK, "Link"), (EvidenceKind.FILE, "File in the vault")]
    )
    url = forms.URLField(label="Link", required=False, max_length=500, assume_scheme="https")
    document: forms.ModelChoiceField[Document] = forms.ModelChoiceField(
        label="Document from the vault", required=False, queryset=Document._base_manager.none()
    )
    effective_at = forms.DateTimeField(
        label="Effective from (UTC)", required=False, help_text="Empty: now. Example: 2026-03-01 09:00."
    )
    expires_at = forms.DateTimeField(
        label="Expires (UTC)", required=False, help_text="Empty: the control's freshness window."
    )
    note = forms.CharField(
        label="Note", required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["document"].queryset = Document.objects.all()  # type: ignore[attr-defined]


class SnapshotForm(forms.Form):
    snapshot = forms.FileField(label="AWS Config snapshot (JSON)")
