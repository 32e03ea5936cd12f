"""Forms of the trust center's access pages. They only validate input; the services do the writing."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from trustroom.trustcenter.models import DEFAULT_GRANT_DAYS
from trustroom.trustcenter.services import MAX_GRANT_DAYS


def _item_choices(items: list[Any]) -> list[tuple[str, str]]:
    return [(str(item.document.pk), item.title) for item in items]


class AccessRequestForm(forms.Form):
    name = forms.CharField(label="Your name", max_length=200)
    email = forms.EmailField(label="Work e-mail", max_length=254, help_text="We send a link to confirm it.")
    company = forms.CharField(label="Company", max_length=200)
    reason = forms.CharField(
        label="Why do you need the documents?",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    documents = forms.MultipleChoiceField(
        label="Documents",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave all unticked to ask for every document that needs access.",
    )

    def __init__(self, *args: Any, items: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["documents"]).choices = _item_choices(items)
        if not items:
            del self.fields["documents"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data.setdefault("documents", [])
        return data


def _lines(value: str) -> list[str]:
    return [part.strip() for part in value.replace(",", "\n").splitlines() if part.strip()]


class DomainsField(forms.CharField):
    """Domains one per line (or comma-separated)."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return "\n".join(value)
        return value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        return _lines(str(super().to_python(value) or ""))


class SettingsForm(forms.Form):
    published = forms.BooleanField(
        label="Published", required=False, help_text="Show the trust center at /trust/<slug>/."
    )
    intro = forms.CharField(
        label="Introduction", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    default_grant_days = forms.IntegerField(
        label="Access lasts (days)", min_value=1, max_value=MAX_GRANT_DAYS, initial=DEFAULT_GRANT_DAYS
    )
    auto_approve_domains = DomainsField(
        label="Auto-approve e-mail domains",
        required=False,
        help_text="Verified requests from these domains are granted without review. One per line.",
    )
    refused_email_domains = DomainsField(
        label="Refused e-mail domains",
        required=False,
        help_text="Not accepted as work e-mail (free-mail providers by default). One per line.",
    )
    claim_access_reviews = forms.BooleanField(
        label="Show the access review claim",
        required=False,
        help_text="“Access reviewed quarterly, last completed …”, from your access review campaigns.",
    )
    claim_production_access = forms.BooleanField(
        label="Show production access claims",
        required=False,
        help_text="“Production access limited to …”, from your access policy rules and their violations.",
    )
    claim_dr_testing = forms.BooleanField(
        label="Show disaster recovery claims",
        required=False,
        help_text="“Failover tested, last …” per DR plan, from your recorded failover drills.",
    )


class TermsForm(forms.Form):
    title = forms.CharField(label="Title", max_length=200, initial="Confidentiality terms")
    body = forms.CharField(label="Text", widget=forms.Textarea(attrs={"rows": 12}))


class ApproveForm(forms.Form):
    days = forms.IntegerField(label="Access lasts (days)", min_value=1, max_value=MAX_GRANT_DAYS)


class DenyForm(forms.Form):
    note = forms.CharField(label="Note (kept internal)", required=False, max_length=2000)


class CustomerAccountForm(forms.Form):
    name = forms.CharField(label="Customer name", max_length=200)
    email_domains = DomainsField(
        label="E-mail domains",
        required=False,
        help_text="Requests from these domains are approved with this account's access. One per line.",
    )
    all_gated_documents = forms.BooleanField(
        label="Every gated document", required=False, help_text="Including documents added later."
    )
    documents = forms.MultipleChoiceField(
        label="Documents", required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, items: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["documents"]).choices = _item_choices(items)


class ContactForm(forms.Form):
    name = forms.CharField(label="Name", required=False, max_length=200)
    email = forms.EmailField(label="E-mail", max_length=254)


class SafeToHostForm(forms.Form):
    """Show or withdraw one application's "safe to host" attestation in the public trust center."""

    application: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="Application",
        queryset=None,
        error_messages={"invalid_choice": "Choose one of your applications."},
    )
    published = forms.BooleanField(label="Show in the public trust center", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from trustroom.assessments.models import Application

        super().__init__(*args, **kwargs)
        # Built per request, inside the organization's scope (the default manager refuses otherwise).
        cast(forms.ModelChoiceField, self.fields["application"]).queryset = Application.objects.all()
