"""Reads of organizations and memberships. Memberships are always filtered by user or organization."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from trustroom.tenancy.models import Membership, Organization


def memberships_of_user(user: Any) -> QuerySet[Membership]:
    if not getattr(user, "is_authenticated", False) or user.pk is None:
        return Membership.objects.none()
    return (
        Membership.objects.filter(user_id=user.pk)
        .select_related("organization")
        .order_by("organization__name")
    )


def membership_in(user: Any, organization: Organization) -> Membership | None:
    if not getattr(user, "is_authenticated", False) or user.pk is None:
        return None
    return Membership.objects.filter(user_id=user.pk, organization=organization).first()


def members_of(organization: Organization) -> QuerySet[Membership]:
    return Membership.objects.filter(organization=organization).select_related("user").order_by("user__email")


def organization_by_slug(slug: str) -> Organization | None:
    return Organization.objects.filter(slug=slug).first()


def organizations_with_member_counts() -> QuerySet[Organization]:
    """Every organization of the installation, by slug, each with `member_count` (for operators)."""
    return Organization.objects.annotate(member_count=Count("memberships")).order_by("slug")
