"""Forms of the VAPT programme's pages. They only validate input; the service functions do the writing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model

from trustroom.assessments.models import (
    Application,
    Cadence,
    Criticality,
    Engagement,
    EngagementStatus,
    Finding,
    FindingStatus,
    ScopeArea,
    Severity,
    SlaPolicy,
    Vendor,
)
from trustroom.assessments.services import SLA_HOUR_FIELDS
from trustroom.assessments.state import SlaState
from trustroom.tenancy.models import Organization
from trustroom.tenancy.selectors import members_of
from trustroom.vault.selectors import documents

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
SLA_STATE_CHOICES = [
    (SlaState.WITHIN, "Within SLA"),
    (SlaState.APPROACHING, "Approaching the deadline"),
    (SlaState.BREACHED, "Breached"),
    (SlaState.MET, "Met"),
    (SlaState.NONE, "No deadline"),
]


def _datetime_field(label: str, *, required: bool = True, help_text: str = "") -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
    )


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name} <{obj.email}>" if getattr(obj, "full_name", "") else obj.email


def member_field(
    organization: Organization, label: str = "Assignee", help_text: str = ""
) -> MemberChoiceField:
    users = (
        get_user_model()
        .objects.filter(pk__in=members_of(organization).values_list("user_id", flat=True))
        .order_by("email")
    )
    return MemberChoiceField(
        queryset=users, required=False, label=label, help_text=help_text, empty_label="Nobody"
    )


# --- Vendors, applications, engagements -------------------------------------------------------------


class VendorForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200)
    accreditation = forms.CharField(
        label="Accreditation",
        max_length=200,
        required=False,
        help_text="For example the CERT-In empanelment number.",
    )
    contacts = forms.CharField(
        label="Contacts",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Names, e-mail addresses and phone numbers.",
    )

    @staticmethod
    def initial_for(vendor: Vendor) -> dict[str, Any]:
        return {"name": vendor.name, "accreditation": vendor.accreditation, "contacts": vendor.contacts}


class ApplicationForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200)
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    criticality = forms.ChoiceField(label="Criticality", choices=Criticality.choices)
    test_cadence = forms.ChoiceField(
        label="Test cadence",
        required=False,
        choices=[("", "By criticality (critical: twice a year; others: yearly)"), *Cadence.choices],
        help_text="How often a vendor must test it; the next test is due one period after the last one ends.",
    )

    def clean_test_cadence(self) -> str | None:
        return self.cleaned_data.get("test_cadence") or None

    @staticmethod
    def initial_for(application: Application) -> dict[str, Any]:
        return {
            "name": application.name,
            "description": application.description,
            "criticality": application.criticality,
            "test_cadence": application.test_cadence,
        }


class EngagementForm(forms.Form):
    """New engagement: vendor and application are chosen once; editing keeps them and offers the status."""

    vendor = forms.ModelChoiceField(queryset=Vendor._base_manager.none(), label="Vendor")
    application = forms.ModelChoiceField(queryset=Application._base_manager.none(), label="Application")
    name = forms.CharField(label="Name", max_length=200)
    window_start = _datetime_field("Window starts (UTC)")
    window_end = _datetime_field("Window ends (UTC)")
    status = forms.ChoiceField(
        label="Status",
        choices=[(EngagementStatus.PLANNED, "Planned"), (EngagementStatus.IN_PROGRESS, "In progress")],
        help_text="Mark it completed from the engagement's page.",
    )
    scope_areas = forms.MultipleChoiceField(
        label="Scope areas", required=False, choices=ScopeArea.choices, widget=forms.CheckboxSelectMultiple
    )
    report_documents = forms.ModelMultipleChoiceField(
        queryset=Engagement._base_manager.none(),
        label="Report documents",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Reports stored in the document vault.",
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        if editing:
            del fields["vendor"], fields["application"]
        else:
            del fields["status"]
            fields["vendor"].queryset = Vendor.objects.order_by("name")
            fields["application"].queryset = Application.objects.order_by("name")
        fields["report_documents"].queryset = documents()

    @staticmethod
    def initial_for(engagement: Engagement) -> dict[str, Any]:
        return {
            "name": engagement.name,
            "window_start": engagement.window_start,
            "window_end": engagement.window_end,
            "status": engagement.status,
            "scope_areas": engagement.scope_areas,
            "report_documents": [d.pk for d in engagement.report_documents.all()],
        }


class EngagementCompleteForm(forms.Form):
    window_end = _datetime_field(
        "Actual end (UTC)",
        required=False,
        help_text="Empty: the planned end. The next test is due one cadence period after it.",
    )


# --- Findings ---------------------------------------------------------------------------------------


class FindingFilterForm(forms.Form):
    application = forms.ModelChoiceField(
        queryset=Application._base_manager.none(), label="Application", required=False, empty_label="Any"
    )
    severity = forms.ChoiceField(label="Severity", required=False, choices=[("", "Any"), *Severity.choices])
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "Any"), *FindingStatus.choices])
    sla = forms.ChoiceField(label="SLA state", required=False, choices=[("", "Any"), *SLA_STATE_CHOICES])
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "Title, asset or description", "type": "search"}),
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["application"].queryset = Application.objects.order_by("name")
        fields["assignee"] = member_field(organization)
        fields["assignee"].empty_label = "Anyone"
        self.order_fields(["application", "severity", "status", "sla", "assignee", "q"])


class FindingForm(forms.Form):
    application = forms.ModelChoiceField(queryset=Application._base_manager.none(), label="Application")
    engagement = forms.ModelChoiceField(
        queryset=Engagement._base_manager.none(),
        label="Engagement",
        required=False,
        empty_label="None (found outside an engagement)",
        help_text="The VAPT that found it, if any; it must have tested the same application.",
    )
    title = forms.CharField(label="Title", max_length=500)
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    severity = forms.ChoiceField(label="Severity", choices=Severity.choices)
    cvss_vector = forms.CharField(
        label="CVSS vector",
        required=False,
        max_length=300,
        help_text="CVSS 3.0, 3.1 or 4.0, e.g. CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H; scored on save.",
    )
    cwe_id = forms.CharField(label="CWE", required=False, max_length=20, help_text="e.g. 79 or CWE-79.")
    asset = forms.CharField(
        label="Asset", required=False, max_length=500, help_text="Host, URL, component or file."
    )
    evidence = forms.CharField(
        label="Evidence",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Steps, requests, output.",
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["application"].queryset = Application.objects.order_by("name")
        fields["engagement"].queryset = Engagement.objects.select_related("application").order_by(
            "-window_start"
        )
        fields["assignee"] = member_field(organization, help_text="The member who fixes it.")
        self.order_fields(
            [
                "application",
                "engagement",
                "title",
                "description",
                "severity",
                "cvss_vector",
                "cwe_id",
                "asset",
            ]
        )


class FindingEditForm(FindingForm):
    """Edit what describes a finding: its application, detection time and assignee stay (assignment is
    its own action), and only the same application's engagements are offered."""

    def __init__(self, *args: Any, organization: Organization, finding: Finding, **kwargs: Any) -> None:
        super().__init__(*args, organization=organization, **kwargs)
        fields: Any = self.fields
        del fields["application"], fields["assignee"]
        fields["engagement"].queryset = Engagement.objects.filter(
            application_id=finding.application_id
        ).order_by("-window_start")
        fields["engagement"].help_text = "The VAPT of this application that found it, if any."
        fields["severity"].help_text = (
            "Changing it re-triages the finding: its deadlines are recomputed from its detection time "
            f"under the SLA policy version it was detected under (version {finding.sla_policy.version})."
        )
        self.order_fields(
            ["title", "severity", "description", "cvss_vector", "cwe_id", "asset", "evidence", "engagement"]
        )

    @staticmethod
    def initial_for(finding: Finding) -> dict[str, Any]:
        return {
            "engagement": finding.engagement_id,
            "title": finding.title,
            "description": finding.description,
            "severity": finding.severity,
            "cvss_vector": finding.cvss_vector,
            "cwe_id": finding.cwe_id if finding.cwe_id is not None else "",
            "asset": finding.asset,
            "evidence": finding.evidence,
        }


class AssignForm(forms.Form):
    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"] = member_field(organization)


class RetestForm(forms.Form):
    passed = forms.TypedChoiceField(
        label="Retest result",
        choices=[("yes", "Passed: the issue is gone"), ("no", "Failed: the issue is still there")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    notes = forms.CharField(label="Retest notes", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AcceptRiskForm(forms.Form):
    reason = forms.CharField(label="Why the risk is accepted", widget=forms.Textarea(attrs={"rows": 2}))
    expires_at = _datetime_field("Acceptance expires (UTC)", help_text="At most 365 days from now.")


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, required: bool = True, label: str = "Reason", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = required
        self.fields["reason"].label = label


# --- SLA policy -------------------------------------------------------------------------------------


class SlaPolicyForm(forms.Form):
    effective_from = _datetime_field(
        "Applies to findings detected from (UTC)",
        required=False,
        help_text="Empty: from now. Not in the past.",
    )

    def __init__(self, *args: Any, current: SlaPolicy | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in SLA_HOUR_FIELDS:
            model_field: Any = SlaPolicy._meta.get_field(name)
            severity, kind = name.split("_")[:2]
            label = f"{severity.capitalize()}: {'deadline' if kind == 'due' else 'target'} (hours)"
            self.fields[name] = forms.IntegerField(
                label=label,
                min_value=1,
                initial=getattr(current, name) if current is not None else model_field.default,
            )
