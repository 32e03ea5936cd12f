"""Shared by the inventory, grants and requests API modules: the base viewset (POST actions on an
existing record ask the policy for "change") and people named by e-mail address."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from rest_framework.request import Request

from trustroom.tenancy.api import OrgResourceViewSet
from trustroom.tenancy.scope import require_org
from trustroom.tenancy.selectors import membership_in


class AccessViewSet(OrgResourceViewSet):
    change_actions: frozenset[str] = frozenset()

    def policy_action(self, request: Request) -> str:
        if self.action in self.change_actions:
            return "change"
        return super().policy_action(request)


def member_by_email(email: str | None, field: str) -> Any:
    """The member of the current organization with this address; None for no address; a 400 on `field`
    when nobody of the organization has it (the same answer whether or not the account exists)."""
    if not email:
        return None
    user = get_user_model().objects.filter(email__iexact=email.strip()).first()
    if user is None or membership_in(user, require_org()) is None:
        raise ValidationError({field: f"{email} is not a member of this organization."})
    return user
