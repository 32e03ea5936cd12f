"""Cross-tenant entries of the VAPT programme (no routes yet: the world builder fills every table)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.security.cross_tenant import Route
from trustroom.assessments import services
from trustroom.tenancy.models import Organization
from trustroom.tenancy.principal import Principal
from trustroom.vault.samples import sample_pdf
from trustroom.vault.services import store_document

ROUTES: dict[str, Route] = {}


def build_world(*, org: Organization, actor: Principal, label: str) -> dict[str, Any]:
    """One vendor, application, engagement (completed), SLA policy version and finding, named by label."""
    now = dt.datetime.now(dt.UTC)
    report = store_document(
        actor=actor,
        title=f"{label} VAPT report",
        content=sample_pdf(title=f"{label} VAPT report", lines=[f"{label} findings"], pages=1),
        filename=f"{label}-vapt.pdf",
    )
    vendor = services.create_vendor(
        actor=actor, name=f"{label} pentest vendor", accreditation=f"{label}-CERT-In-50"
    )
    application = services.create_application(actor=actor, name=f"{label} GSP portal", criticality="critical")
    engagement = services.create_engagement(
        actor=actor,
        vendor=vendor,
        application=application,
        name=f"{label} VAPT",
        window_start=now - dt.timedelta(days=10),
        window_end=now - dt.timedelta(days=3),
        scope_areas=["authentication_session", "owasp_top_10"],
        report_documents=[report],
    )
    services.complete_engagement(actor=actor, engagement=engagement)
    policy = services.create_sla_policy_version(actor=actor, effective_from=now)
    finding = services.create_finding(
        actor=actor,
        application=application,
        engagement=engagement,
        title=f"{label} SQL injection in login",
        severity="high",
        cvss_vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        cwe_id="CWE-89",
        asset=f"https://{label}.example/login",
        fingerprint=f"{label}-fp-1",
    )
    return {
        "vendor": vendor.pk,
        "application": application.pk,
        "engagement": engagement.pk,
        "report_document": report.pk,
        "sla_policy": policy.pk,
        "finding": finding.pk,
    }
