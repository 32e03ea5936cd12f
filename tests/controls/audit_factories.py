"""Records of the auditor workspace for tests, made through the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from tests.controls.factories import make_residency_check, requirement_ids
from tests.factories import member
from trustroom.controls import audit_services, evidence_package, services
from trustroom.controls.audit_models import AuditPeriod, EvidencePackage
from trustroom.controls.models import Control
from trustroom.tenancy.models import Membership, Role
from trustroom.tenancy.principal import Principal
from trustroom.vault.samples import sample_pdf
from trustroom.vault.services import store_document

SOC2 = "soc2-type2"
ISO = "iso27001-2022"


def soc2_control(actor: Principal, key: str = "AC-1", name: str = "Access is reviewed") -> Control:
    return services.create_control(
        actor=actor, key=key, name=name, requirements=requirement_ids((SOC2, "CC6.7"))
    )


def make_period(
    actor: Principal, name: str, *, start_days: int, end_days: int, codes: Any = (SOC2,)
) -> AuditPeriod:
    now = timezone.now()
    return audit_services.create_period(
        actor=actor,
        name=name,
        framework_codes=list(codes),
        starts_at=now + dt.timedelta(days=start_days),
        ends_at=now + dt.timedelta(days=end_days),
    )


def link(actor: Principal, control: Control, url: str, *, days_ago: int) -> Any:
    return services.add_evidence(
        actor=actor,
        control=control,
        kind="link",
        url=url,
        effective_at=timezone.now() - dt.timedelta(days=days_ago),
        expires_at=timezone.now() + dt.timedelta(days=30),
    )


def pdf_evidence(actor: Principal, control: Control, title: str, *, days_ago: int = 1) -> Any:
    document = store_document(
        actor=actor, title=title, content=sample_pdf(title=title, lines=[title]), filename=f"{title}.pdf"
    )
    return services.add_evidence(
        actor=actor,
        control=control,
        kind="file",
        document=document,
        effective_at=timezone.now() - dt.timedelta(days=days_ago),
        expires_at=timezone.now() + dt.timedelta(days=30),
    )


def auditor(actor: Principal, email: str, *periods: AuditPeriod) -> Any:
    user = member(actor.organization, Role.AUDITOR, email=email)
    membership = Membership.objects.get(user=user, organization=actor.organization)
    for period in periods:
        audit_services.assign_auditor(actor=actor, period=period, membership=membership)
    return user


def built_package(actor: Principal, period: AuditPeriod) -> EvidencePackage:
    package = evidence_package.request_package(actor=actor, period=period, enqueue=False)
    evidence_package.run_package_job(organization=actor.organization, package_id=package.pk)
    return EvidencePackage.objects.get(pk=package.pk)


def make_audit_world(actor: Principal, label: str) -> dict[str, Any]:
    """A period over a SOC 2 control with a vault file, a link and a check run in the window, an auditor
    assigned to it, and a built package (a row in every workspace table)."""
    control = soc2_control(actor, key=f"{label.upper()}-AC", name=f"{label} access reviewed")
    period = make_period(actor, f"{label} SOC 2 Type II", start_days=-30, end_days=30)
    pdf_evidence(actor, control, f"{label} review")
    link(actor, control, f"https://{label}.example/review", days_ago=2)
    check = make_residency_check(actor, name=f"{label} audit residency", controls=[control])
    services.run_check(actor=actor, check=check)
    user = auditor(actor, f"auditor@{label}.test", period)
    assignment = period.assignments.get()
    package = built_package(actor, period)
    return {
        "audit_period": period.pk,
        "auditor_assignment": assignment.pk,
        "evidence_package": package.pk,
        "auditor_user": user.pk,
    }
