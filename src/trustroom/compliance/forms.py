"""Forms of the compliance pages. They only validate input; the service functions do the writing."""

from __future__ import annotations

from typing import Any

from django import forms

from trustroom.compliance.models import (
    Certification,
    CertificationKind,
    ComplianceStatus,
    Framework,
    FrameworkKind,
    Visibility,
)
from trustroom.compliance.services import clean_measures
from trustroom.tenancy.models import Organization
from trustroom.tenancy.selectors import members_of


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name} <{obj.email}>" if getattr(obj, "full_name", "") else obj.email


def _member_field(organization: Organization, label: str, help_text: str) -> MemberChoiceField:
    from django.contrib.auth import get_user_model

    users = (
        get_user_model()
        .objects.filter(pk__in=members_of(organization).values_list("user_id", flat=True))
        .order_by("email")
    )
    return MemberChoiceField(queryset=users, required=False, label=label, help_text=help_text)


class StatusFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *ComplianceStatus.choices]
    )
    visibility = forms.ChoiceField(
        label="Visibility", required=False, choices=[("", "Any visibility"), *Visibility.choices]
    )


class StatementForm(forms.Form):
    framework = forms.ModelChoiceField(queryset=Framework.builtins.none(), label="Framework")
    status = forms.ChoiceField(label="Status", choices=ComplianceStatus.choices)
    summary = forms.CharField(
        label="Summary", max_length=300, help_text="One line, shown next to the status."
    )
    measures = forms.CharField(
        label="Measures",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="How the organization complies: one measure per line.",
    )
    not_applicable_reason = forms.CharField(
        label="Reason it does not apply",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required when the status is “Not applicable”.",
    )
    last_reviewed_at = forms.DateTimeField(
        label="Last reviewed at (UTC)",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    visibility = forms.ChoiceField(label="Visibility", choices=Visibility.choices, initial=Visibility.PUBLIC)

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        framework_field: Any = self.fields["framework"]
        framework_field.queryset = Framework.objects.all()
        self.fields["owner"] = _member_field(
            organization, "Owner", "The member who keeps this statement current."
        )
        self.order_fields(["framework", "status", "summary", "measures", "not_applicable_reason", "owner"])

    def clean_measures(self) -> list[str]:
        return clean_measures(self.cleaned_data.get("measures") or "")

    @staticmethod
    def initial_for(statement: Any) -> dict[str, Any]:
        return {
            "framework": statement.framework_id,
            "status": statement.status,
            "summary": statement.summary,
            "measures": "\n".join(statement.measures),
            "not_applicable_reason": statement.not_applicable_reason,
            "owner": statement.owner_id,
            "last_reviewed_at": statement.last_reviewed_at,
            "visibility": statement.visibility,
        }


class CertificationForm(forms.Form):
    kind = forms.ChoiceField(label="Kind", choices=CertificationKind.choices)
    framework = forms.ModelChoiceField(queryset=Framework.builtins.none(), label="Framework", required=False)
    title = forms.CharField(label="Title", max_length=200)
    series = forms.SlugField(
        label="Series",
        max_length=80,
        required=False,
        help_text="Certifications of one renewal series share it (e.g. soc2-type2). Empty: from the "
        "framework and kind.",
    )
    issuer = forms.CharField(label="Issuer or auditor", max_length=200, required=False)
    number = forms.CharField(label="Certificate or report number", max_length=100, required=False)
    valid_from = forms.DateField(label="Valid from", widget=forms.DateInput(attrs={"type": "date"}))
    valid_until = forms.DateField(
        label="Valid until",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The last day of validity (UTC). Empty: from the renewal cycle below.",
    )
    audit_period_start = forms.DateField(
        label="Audit period from", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    audit_period_end = forms.DateField(
        label="Audit period to", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    validity_years = forms.IntegerField(
        label="Renewal cycle (years)", required=False, min_value=1, max_value=10,
        help_text="Years between recertifications, e.g. 3 for an ISO certificate, 1 for a SOC 2 report.",
    )  # fmt: skip
    surveillance_interval_months = forms.IntegerField(
        label="Surveillance audit every (months)", required=False, min_value=1, max_value=60,
        help_text="Usually 12 for a certificate; empty for none.",
    )  # fmt: skip
    visibility = forms.ChoiceField(label="Visibility", choices=Visibility.choices, initial=Visibility.PUBLIC)

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        framework_field: Any = self.fields["framework"]
        framework_field.queryset = Framework.objects.all()
        self.fields["owner"] = _member_field(
            organization, "Owner", "Also receives the expiry and surveillance reminders."
        )

    @staticmethod
    def initial_for(cert: Certification) -> dict[str, Any]:
        names = [
            "kind", "title", "series", "issuer", "number", "valid_from", "valid_until", "audit_period_start",
            "audit_period_end", "validity_years", "surveillance_interval_months", "visibility",
        ]  # fmt: skip
        initial = {name: getattr(cert, name) for name in names}
        initial["framework"] = cert.framework_id
        initial["owner"] = cert.owner_id
        return initial


class SupersedeForm(forms.Form):
    superseded_by = forms.ModelChoiceField(
        queryset=Certification._base_manager.none(),
        label="Replaced by",
        help_text="A newer one of the same series.",
    )

    def __init__(self, *args: Any, certification: Certification, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["superseded_by"]
        field.queryset = Certification.objects.filter(series=certification.series).exclude(
            pk=certification.pk
        )


class DocumentUploadForm(forms.Form):
    file = forms.FileField(label="PDF file", help_text="The certificate or report, as a PDF.")
    title = forms.CharField(label="Document title", max_length=200, required=False)


class CustomFrameworkForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200)
    short_name = forms.CharField(label="Short name", max_length=60, required=False)
    kind = forms.ChoiceField(label="Kind", choices=FrameworkKind.choices, initial=FrameworkKind.OTHER)
    description = forms.CharField(label="Description", max_length=300, required=False)
