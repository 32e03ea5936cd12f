"""Reads of the compliance register. Run inside the organization's scope.

The trust center builds its public pages on `published_statements` and `published_certifications`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils import timezone

from trustroom.compliance.models import (
    PUBLISHED_VISIBILITIES,
    Certification,
    ComplianceStatement,
    Framework,
)
from trustroom.compliance.state import (
    AuditPeriodGap,
    CertificationState,
    audit_period_gaps,
    certification_state,
    next_surveillance_date,
    state_expression,
)
from trustroom.tenancy.models import Organization
from trustroom.tenancy.scope import ScopeError, require_org


def _check_scope(organization: Organization) -> None:
    if require_org().pk != organization.pk:
        raise ScopeError("Read the compliance register inside the organization's own scope")


def frameworks() -> QuerySet[Framework]:
    """Built-in frameworks and the current organization's custom ones."""
    return Framework.objects.all()


def statements() -> QuerySet[ComplianceStatement]:
    return ComplianceStatement.objects.select_related("framework", "owner")


def certifications(now: dt.datetime | None = None) -> QuerySet[Certification]:
    """Every certification, annotated with `computed_state` (the same rules as `certification_state`)."""
    return Certification.objects.select_related("framework", "owner", "superseded_by").annotate(
        computed_state=state_expression(now)
    )


def with_state(certs: list[Certification], now: dt.datetime | None = None) -> list[Certification]:
    """Set `.state` and `.next_surveillance` on each certification (computed from its dates)."""
    now = now or timezone.now()
    for cert in certs:
        cert.state = certification_state(cert, now)  # type: ignore[attr-defined]
        cert.next_surveillance = next_surveillance_date(cert, now)  # type: ignore[attr-defined]
    return certs


def published_statements(organization: Organization) -> list[ComplianceStatement]:
    """Statements the trust center may show (public or gated), framework loaded, in framework order."""
    _check_scope(organization)
    return list(
        statements()
        .filter(visibility__in=PUBLISHED_VISIBILITIES)
        .order_by("framework__position", "framework__name", "pk")
    )


def published_certifications(organization: Organization, now: dt.datetime | None = None) -> list[Any]:
    """Certifications the trust center may show (public or gated), each with `.state` computed.

    Superseded certifications are left out; the rest come current first (valid, expiring soon,
    renewal in progress), then not yet valid, then expired. Framework and document are loaded.
    """
    _check_scope(organization)
    now = now or timezone.now()
    rank = Case(
        When(computed_state=CertificationState.EXPIRED.value, then=Value(2)),
        When(computed_state=CertificationState.NOT_YET_VALID.value, then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    queryset = (
        certifications(now)
        .filter(visibility__in=PUBLISHED_VISIBILITIES, superseded_by__isnull=True)
        .annotate(state_rank=rank)
        .order_by("state_rank", "framework__position", "title", "-valid_from", "pk")
        .select_related("document")
    )
    return with_state(list(queryset), now)


def gaps(certs: list[Certification] | None = None) -> list[AuditPeriodGap]:
    """Gaps between consecutive audit periods, per series, across all of the organization's records."""
    if certs is None:
        certs = list(Certification.objects.all())
    return audit_period_gaps(certs)
