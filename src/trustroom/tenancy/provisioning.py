"""An organization and its first owner, made by an operator (`trustroom organization create`).

A fresh installation has no organization and no account, and nobody to invite the first owner: this is
how they come to be. An existing account becomes the owner as it is; a new one is created with the
password the operator gives, checked by the installation's password validators. All or nothing: a taken
slug or a weak password leaves no account and no organization behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from trustroom.tenancy.models import Organization
from trustroom.tenancy.services import create_organization


@dataclass(frozen=True)
class Provisioned:
    organization: Organization
    owner: Any
    created_owner: bool  # False when an existing account became the owner


def owner_exists(email: str) -> bool:
    return get_user_model().objects.filter(email__iexact=email.strip()).exists()


@transaction.atomic
def provision_organization(
    *, slug: str, name: str, owner_email: str, password: str | None, full_name: str = ""
) -> Provisioned:
    """Create the organization `slug` with `owner_email` as its owner (an account made when missing)."""
    email = owner_email.strip()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"owner": f"{owner_email!r} is not an e-mail address."}) from None
    user_model = get_user_model()
    owner = user_model.objects.filter(email__iexact=email).first()
    created = owner is None
    if owner is None:
        if not password:
            raise ValidationError({"password": f"No account has the e-mail {email}: give its password."})
        candidate = user_model(email=email, full_name=full_name.strip())
        try:
            password_validation.validate_password(password, candidate)
        except ValidationError as weak:
            raise ValidationError({"password": weak.messages}) from None
        owner = user_model.objects.create_user(email, password, full_name=full_name.strip())
        from allauth.account.models import EmailAddress

        # The address the operator typed; the owner verifies it from their account page.
        EmailAddress.objects.create(user=owner, email=owner.email, primary=True, verified=False)
    organization = create_organization(actor=owner, slug=slug, name=name)
    return Provisioned(organization=organization, owner=owner, created_owner=created)
