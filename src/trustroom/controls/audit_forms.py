"""Forms of the auditor workspace pages. They only parse input; the services validate and write."""

from __future__ import annotations

from typing import Any

from django import forms

from trustroom.compliance.models import Framework
from trustroom.tenancy.models import Membership, Role
from trustroom.tenancy.selectors import members_of

LOCAL = "%Y-%m-%dT%H:%M"  # what a datetime-local input takes as its value


class AuditPeriodForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200, help_text='e.g. "SOC 2 Type II 2026".')
    framework_codes = forms.MultipleChoiceField(
        label="Frameworks audited", choices=[], widget=forms.CheckboxSelectMultiple
    )
    starts_at = forms.DateTimeField(
        label="Starts (UTC)", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL)
    )
    ends_at = forms.DateTimeField(
        label="Ends (UTC)", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL)
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["framework_codes"]
        field.choices = [
            (framework.code, framework.name) for framework in Framework.objects.order_by("position", "name")
        ]


def period_initial(period: Any) -> dict[str, Any]:
    """The edit form's values: the period as stored ."""
    return {
        "name": period.name,
        "framework_codes": list(period.framework_codes),
        "starts_at": period.starts_at,
        "ends_at": period.ends_at,
    }


class AuditorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.user.email)


class AssignAuditorForm(forms.Form):
    membership = AuditorChoiceField(label="Auditor", queryset=Membership.objects.none())

    def __init__(self, *args: Any, organization: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["membership"]
        field.queryset = members_of(organization).filter(role=Role.AUDITOR)
