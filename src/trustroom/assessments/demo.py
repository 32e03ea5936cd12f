"""Demo Co's VAPT programme (a demo module; runs after the trust center's, INSTALLED_APPS order).

Two external vendors (one CERT-In empanelled), three applications and a year of findings, all made
through the services with explicit detection and transition times placed relative to the day the demo
is first loaded:

- Customer Portal: critical, tested twice a year, last VAPT 40 days ago with its report in the vault,
  nothing critical or high open → safe to host; its attestation is published in the trust center.
- Partner API: tested quarterly, last VAPT 120 days ago → overdue, so not safe to host.
- Mobile Backend: tested 20 days ago, a high finding still open past its SLA → not safe to host.

The findings cover every status (open, fixed awaiting retest, closed, reopened after a failed retest,
risk accepted — one past its expiry — and false positive) and every SLA state, so the dashboards have
something to show. Idempotent: applications, engagements and findings (by fingerprint) are made only
when missing, and their history only when they are made.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from trustroom.assessments import services
from trustroom.assessments.demo_data import (
    APPLICATIONS,
    CVSS_BY_SEVERITY,
    ENGAGEMENTS,
    FINDINGS,
    PORTAL,
    VENDORS,
    DemoEngagement,
    DemoFinding,
)
from trustroom.assessments.models import Application, Engagement, Finding, Vendor
from trustroom.tenancy.models import Role
from trustroom.tenancy.principal import Principal
from trustroom.tenancy.selectors import members_of
from trustroom.vault.samples import sample_pdf
from trustroom.vault.services import store_document

H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)


def _demo_now() -> dt.datetime:
    """Load time, to the hour: the demo's dates are placed relative to it."""
    return timezone.now().replace(minute=0, second=0, microsecond=0)


def _owner(principal: Principal) -> Any:
    first = members_of(principal.organization).filter(role=Role.OWNER).first()
    return first.user if first is not None else None


def _report(principal: Principal, plan: DemoEngagement) -> Any:
    title = f"{plan.name} — report"
    content = sample_pdf(
        title=title,
        lines=[
            f"Application: {plan.application}",
            f"Tested by: {plan.vendor}",
            "Scope: authentication and session, authorization, injection (SQLi, XSS, others), "
            "platform configuration, OWASP Top 10",
            "Result: every critical and high finding fixed and retested",
        ],
        pages=3,
    )
    filename = plan.name.lower().replace(" ", "-") + ".pdf"
    return store_document(actor=principal, title=title, content=content, filename=filename)


def _engagement(principal: Principal, plan: DemoEngagement, now: dt.datetime) -> Engagement:
    application = Application.objects.get(name=plan.application)
    existing = Engagement.objects.filter(application=application, name=plan.name).first()
    if existing is not None:
        return existing
    end = now - plan.ended_days_ago * D
    engagement = services.create_engagement(
        actor=principal,
        vendor=Vendor.objects.get(name=plan.vendor),
        application=application,
        name=plan.name,
        window_start=end - 10 * D,
        window_end=end,
        scope_areas=plan.scope,
        report_documents=[_report(principal, plan)] if plan.report else [],
    )
    if plan.ended_days_ago > 0:
        engagement = services.complete_engagement(actor=principal, engagement=engagement, now=end)
    return engagement


def _finding(principal: Principal, spec: DemoFinding, now: dt.datetime) -> None:
    application = Application.objects.get(name=spec.application)
    fingerprint = f"demo:{spec.key}"
    if Finding.objects.filter(application=application, fingerprint=fingerprint).exists():
        return
    engagement = (
        Engagement.objects.get(application=application, name=spec.engagement) if spec.engagement else None
    )
    if engagement is not None:
        detected = engagement.window_end
    else:
        detected = now - dt.timedelta(days=spec.detected_days_ago or 0)
    finding = services.create_finding(
        actor=principal,
        application=application,
        engagement=engagement,
        title=spec.title,
        severity=spec.severity,
        detected_at=detected,
        cwe_id=spec.cwe,
        cvss_vector=CVSS_BY_SEVERITY.get(spec.severity, ""),
        asset=spec.asset,
        assignee=_owner(principal) if spec.assigned else None,
        fingerprint=fingerprint,
        description=f"Found by {engagement.vendor.name if engagement else 'the weekly scanner'}.",
    )
    for action, hours, *rest in spec.steps:
        at = detected + hours * H
        if action == "fix":
            services.mark_fixed(actor=principal, finding=finding, now=at)
        elif action in ("pass", "fail"):
            services.record_retest(actor=principal, finding=finding, passed=action == "pass", now=at)
        elif action == "accept":
            expires_hours, reason = rest
            services.accept_risk(
                actor=principal,
                finding=finding,
                reason=reason,
                expires_at=detected + expires_hours * H,
                now=at,
            )
        elif action == "false_positive":
            services.mark_false_positive(actor=principal, finding=finding, reason=rest[0], now=at)


def load_demo(principal: Principal) -> None:
    from trustroom.trustcenter.services import set_safe_to_host_published

    now = _demo_now()
    for name, (accreditation, contacts) in VENDORS.items():
        if not Vendor.objects.filter(name=name).exists():
            services.create_vendor(actor=principal, name=name, accreditation=accreditation, contacts=contacts)
    created: list[Application] = []
    for name, (criticality, cadence, description) in APPLICATIONS.items():
        if not Application.objects.filter(name=name).exists():
            created.append(
                services.create_application(
                    actor=principal,
                    name=name,
                    criticality=criticality,
                    test_cadence=cadence,
                    description=description,
                )
            )
    # In the order things happened, so a low finding is due before the test that came next.
    for plan in sorted(ENGAGEMENTS, key=lambda p: -p.ended_days_ago):
        _engagement(principal, plan, now)
        for spec in FINDINGS:
            if spec.engagement == plan.name:
                _finding(principal, spec, now)
    for spec in FINDINGS:
        if spec.engagement is None:
            _finding(principal, spec, now)
    # Published once, when the application is first made: a later withdrawal is the organization's choice.
    for application in created:
        if application.name == PORTAL:
            set_safe_to_host_published(actor=principal, application=application, published=True)
