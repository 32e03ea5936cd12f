"""Forms of the inventory, grants, requests and groups pages. They only validate input; the services
(`trustroom.access.services`) decide and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model

from trustroom.access.models import Environment, EnvironmentKind, PrivilegeLevel, Sensitivity, System
from trustroom.access.services.requests import MAX_DURATION_DAYS, MIN_JUSTIFICATION
from trustroom.access.state import GrantState
from trustroom.tenancy.models import Organization
from trustroom.tenancy.selectors import members_of

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name} <{obj.email}>" if getattr(obj, "full_name", "") else obj.email


def member_field(organization: Organization, label: str, *, required: bool, help_text: str = "") -> Any:
    users = (
        get_user_model()
        .objects.filter(pk__in=members_of(organization).values_list("user_id", flat=True))
        .order_by("email")
    )
    return MemberChoiceField(queryset=users, label=label, required=required, help_text=help_text)


class EnvironmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.system.name} · {obj.label}"


def environment_field(label: str = "Environment") -> EnvironmentChoiceField:
    return EnvironmentChoiceField(
        queryset=Environment.objects.select_related("system").order_by("system__name", "kind", "name"),
        label=label,
    )


class SystemForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200)
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    sensitivity = forms.ChoiceField(
        label="Sensitivity", choices=Sensitivity.choices, initial=Sensitivity.MODERATE
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"] = member_field(
            organization,
            "Owner",
            required=False,
            help_text="Told when access must be provisioned or taken away.",
        )

    @staticmethod
    def initial_for(system: System) -> dict[str, Any]:
        return {
            "name": system.name,
            "description": system.description,
            "sensitivity": system.sensitivity,
            "owner": system.owner_id,
        }


class EnvironmentForm(forms.Form):
    kind = forms.ChoiceField(label="Kind", choices=EnvironmentKind.choices)
    name = forms.CharField(
        label="Name", max_length=100, required=False, help_text="Required for a custom environment."
    )
    sensitivity = forms.ChoiceField(
        label="Sensitivity",
        required=False,
        choices=[("", "As the system"), *Sensitivity.choices],
    )


class GrantForm(forms.Form):
    person_email = forms.EmailField(label="Person's e-mail address", max_length=254)
    person_name = forms.CharField(label="Person's name", max_length=200, required=False)
    privilege = forms.ChoiceField(label="Privilege", choices=PrivilegeLevel.choices)
    expires_at = forms.DateTimeField(
        label="Expires (UTC)",
        required=False,
        help_text="Leave empty for access without an end date.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["environment"] = environment_field()
        self.order_fields(["environment", "person_email", "person_name", "privilege", "expires_at"])


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Reason", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class PrivilegeForm(forms.Form):
    privilege = forms.ChoiceField(label="New privilege", choices=PrivilegeLevel.choices)


class GrantFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label="Environment kind", required=False, choices=[("", "Any kind"), *EnvironmentKind.choices]
    )
    person = forms.CharField(label="Person", required=False, max_length=254)
    state = forms.ChoiceField(
        label="State",
        required=False,
        choices=[
            ("", "Any state"),
            (GrantState.ACTIVE, "Active"),
            (GrantState.EXPIRED, "Expired"),
            (GrantState.REVOKED, "Revoked"),
        ],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["system"] = forms.ModelChoiceField(
            queryset=System.objects.order_by("name"), required=False, label="System", empty_label="Any system"
        )
        self.order_fields(["system", "kind", "person", "state"])


class AccessRequestForm(forms.Form):
    privilege = forms.ChoiceField(label="Privilege", choices=PrivilegeLevel.choices)
    justification = forms.CharField(
        label="Justification",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=f"Why you need this access: at least {MIN_JUSTIFICATION} characters.",
    )
    duration_days = forms.IntegerField(
        label="For how many days",
        min_value=1,
        max_value=MAX_DURATION_DAYS,
        initial=30,
        help_text=f"1 to {MAX_DURATION_DAYS} days, counted from provisioning.",
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["environment"] = environment_field()
        self.fields["line_manager"] = member_field(
            organization, "Line manager", required=True, help_text="Approves first."
        )
        self.fields["business_unit_head"] = member_field(
            organization,
            "Business-unit head",
            required=False,
            help_text="Approves second; required for production and high or critical sensitivity.",
        )
        self.order_fields(
            [
                "environment",
                "privilege",
                "justification",
                "duration_days",
                "line_manager",
                "business_unit_head",
            ]
        )


class DecisionForm(forms.Form):
    comment = forms.CharField(
        label="Comment",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required to deny.",
    )


class GroupForm(forms.Form):
    name = forms.CharField(label="Name", max_length=100)
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class GroupMembersForm(forms.Form):
    emails = forms.CharField(
        label="E-mail addresses",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One per line (or separated by commas). All are added, or none if one is wrong.",
    )
