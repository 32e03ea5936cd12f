"""Forms of the resilience pages. They only parse input; the services validate and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model

from trustroom.resilience.models import DEFAULT_DRILL_RULE, ActionStatus, DrillOutcome
from trustroom.tenancy.models import Organization
from trustroom.tenancy.selectors import members_of

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name} <{obj.email}>" if getattr(obj, "full_name", "") else obj.email


def member_field(organization: Organization, label: str, help_text: str = "") -> MemberChoiceField:
    users = (
        get_user_model()
        .objects.filter(pk__in=members_of(organization).values_list("user_id", flat=True))
        .order_by("email")
    )
    return MemberChoiceField(queryset=users, required=False, label=label, help_text=help_text)


def moment_field(label: str, *, required: bool = True, help_text: str = "UTC.") -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        help_text=help_text,
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
    )


class OrgForm(forms.Form):
    member_fields: dict[str, tuple[str, str]] = {}

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, (label, help_text) in self.member_fields.items():
            self.fields[name] = member_field(organization, label, help_text)


class PlanForm(OrgForm):
    service = forms.CharField(label="Service", max_length=200)
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    rto_minutes = forms.IntegerField(
        label="RTO target (minutes)", min_value=0, help_text="Recovery time objective."
    )
    rpo_minutes = forms.IntegerField(
        label="RPO target (minutes)",
        min_value=0,
        help_text="Recovery point objective: data that may be lost.",
    )
    topology = forms.CharField(
        label="Topology",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="e.g. multi-zone; two-node PostgreSQL cluster with streaming replication.",
    )
    drill_rule = forms.CharField(
        label="Drill cadence",
        max_length=200,
        initial=DEFAULT_DRILL_RULE,
        help_text="RFC 5545 rule: FREQ=MONTHLY;INTERVAL=2 is every two months, "
        "FREQ=MONTHLY;INTERVAL=3 quarterly.",
    )
    member_fields = {"owner": ("Owner", "A member of the organization.")}


class DrillForm(forms.Form):
    scheduled_for = moment_field("Scheduled for", required=False, help_text="UTC; leave empty if unplanned.")
    started_at = moment_field("Started at")
    ended_at = moment_field("Service restored at")
    measured_rto_minutes = forms.IntegerField(
        label="Measured RTO (minutes)",
        min_value=0,
        required=False,
        help_text="Leave empty to use the time from start to restore.",
    )
    measured_rpo_minutes = forms.IntegerField(label="Measured RPO (minutes of data lost)", min_value=0)
    outcome = forms.ChoiceField(label="Outcome", choices=DrillOutcome.choices)
    issues = forms.CharField(label="Issues found", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ExerciseForm(OrgForm):
    title = forms.CharField(label="Title", max_length=200)
    scenario = forms.CharField(label="Scenario", widget=forms.Textarea(attrs={"rows": 3}))
    held_at = moment_field("Held at")
    participants = forms.CharField(
        label="Participants",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="One a line: function, a colon, the name (e.g. “Legal: Dev Rao”).",
    )
    summary = forms.CharField(label="Summary", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    open_points = forms.CharField(
        label="Open points", required=False, widget=forms.Textarea(attrs={"rows": 4}), help_text="One a line."
    )
    member_fields = {"facilitator": ("Facilitator", "A member of the organization.")}

    def clean_participants(self) -> list[dict[str, str]]:
        rows = []
        for number, line in enumerate(self.cleaned_data["participants"].splitlines(), start=1):
            if not line.strip():
                continue
            function, colon, name = line.partition(":")
            if not colon:
                raise forms.ValidationError(f"Line {number}: write the function, a colon, then the name.")
            rows.append({"function": function.strip(), "name": name.strip()})
        return rows

    def clean_open_points(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["open_points"].splitlines() if line.strip()]

    @staticmethod
    def initial_for(exercise: Any) -> dict[str, Any]:
        return {
            "title": exercise.title,
            "scenario": exercise.scenario,
            "held_at": exercise.held_at,
            "facilitator": exercise.facilitator_id,
            "participants": "\n".join(f"{p['function']}: {p['name']}" for p in exercise.participants),
            "summary": exercise.summary,
            "open_points": "\n".join(exercise.open_points),
        }


class ActionItemForm(OrgForm):
    title = forms.CharField(label="Title", max_length=300)
    detail = forms.CharField(label="Detail", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    due_on = forms.DateField(label="Due date", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    status = forms.ChoiceField(label="Status", choices=ActionStatus.choices, initial=ActionStatus.OPEN)
    member_fields = {"owner": ("Owner", "A member of the organization.")}


class OpenPointsForm(OrgForm):
    due_on = forms.DateField(label="Due date", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    member_fields = {"owner": ("Owner of the new action items", "")}


class ActionItemFilterForm(OrgForm):
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *ActionStatus.choices]
    )
    overdue = forms.ChoiceField(
        label="Overdue", required=False, choices=[("", "Either"), ("yes", "Overdue"), ("no", "Not overdue")]
    )
    member_fields = {"owner": ("Owner", "")}
