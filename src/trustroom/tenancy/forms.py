"""Forms of the tenancy pages. They only validate input; the service functions do the writing."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.db import models

from trustroom.tenancy.models import Organization, Role
from trustroom.tenancy.principal import Principal


def assignable_roles(principal: Principal) -> list[tuple[str, str]]:
    """The roles this principal may hand out: only an owner may make someone an owner."""
    return [
        (value, label)
        for value, label in Role.choices
        if value != Role.OWNER or principal.has_role(Role.OWNER)
    ]


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: per field where the form has that field."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


class InvitationForm(forms.Form):
    email = forms.EmailField(label="E-mail address", max_length=254)
    role = forms.ChoiceField(label="Role")

    def __init__(self, *args: Any, principal: Principal, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        role_field = cast(forms.ChoiceField, self.fields["role"])
        role_field.choices = assignable_roles(principal)
        role_field.initial = Role.VIEWER


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label="Role")

    def __init__(self, *args: Any, principal: Principal, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["role"]).choices = assignable_roles(principal)


def _profile_field(name: str) -> models.Field[Any, Any]:
    return cast("models.Field[Any, Any]", Organization._meta.get_field(name))


class OrganizationProfileForm(forms.Form):
    """The editable part of the organization's profile (the slug is fixed: URLs depend on it)."""

    name = forms.CharField(label="Name", max_length=_profile_field("name").max_length)
    legal_name = forms.CharField(
        label="Legal name", required=False, max_length=_profile_field("legal_name").max_length
    )
    registration_number = forms.CharField(
        label="Registration number",
        required=False,
        max_length=_profile_field("registration_number").max_length,
        help_text=_profile_field("registration_number").help_text,
    )
    tax_id = forms.CharField(
        label="Tax ID",
        required=False,
        max_length=_profile_field("tax_id").max_length,
        help_text=_profile_field("tax_id").help_text,
    )
    website = forms.URLField(label="Website", required=False, assume_scheme="https")

    @classmethod
    def initial_for(cls, organization: Organization) -> dict[str, str]:
        return {name: getattr(organization, name) for name in cls.base_fields}


class AcceptInvitationSignupForm(forms.Form):
    """Account details for an invited person who has no account yet; the invitation fixes the e-mail."""

    full_name = forms.CharField(label="Full name", max_length=200)
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Confirm password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password1 = cleaned.get("password1")
        password2 = cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", "The two passwords do not match.")
        elif password1:
            # An unsaved user lets the similarity check compare the password with the name and e-mail.
            candidate = get_user_model()(email=self.email, full_name=cleaned.get("full_name", ""))
            try:
                password_validation.validate_password(password1, user=candidate)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned
