"""Demo Co's compliance register (a demo module). Idempotent: each record is made only when
missing. Dates are placed relative to the day the demo is first loaded, so the certifications are current
then — except one ISO/IEC 27001:2013 certificate, already expired, to show that it is never shown as valid.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from dateutil.relativedelta import relativedelta

from trustroom.compliance import services
from trustroom.compliance.models import Certification, ComplianceStatement, Framework, Visibility
from trustroom.tenancy.models import Role
from trustroom.tenancy.principal import Principal
from trustroom.tenancy.selectors import members_of

REVIEWED_DAYS_AGO = 21


@dataclass(frozen=True)
class DemoStatement:
    code: str
    status: str
    summary: str
    measures: list[str] = field(default_factory=list)
    reason: str = ""
    visibility: str = Visibility.PUBLIC


STATEMENTS: tuple[DemoStatement, ...] = (
    DemoStatement(
        "coppa",
        "compliant",
        "US rule on collecting personal information from children under 13.",
        [
            "Customers send data about users under 13 only with a parent's or guardian's consent.",
            "The SDK has an opt-out switch so that customers can stop sending a user's data when consent is "
            "missing or withdrawn.",
        ],
    ),
    DemoStatement(
        "soc2-type2",
        "compliant",
        "Independent yearly attestation on security, availability, processing integrity, confidentiality "
        "and privacy controls.",
        [
            "A licensed CPA firm tests the operating effectiveness of our controls over consecutive "
            "twelve-month audit periods.",
            "Findings from each report are tracked to closure before the next audit period ends.",
        ],
    ),
    DemoStatement(
        "pci-dss",
        "not_applicable",
        "Payment card security standard; applies to those who store, process or transmit card data.",
        ["Demo Co keeps no card numbers: customers pay through a hosted checkout."],
        reason="Card payments go through a PCI DSS compliant payment processor's hosted checkout; card data "
        "never reaches Demo Co's systems.",
    ),
    DemoStatement(
        "iso27001-2022",
        "compliant",
        "Information security management system certified against ISO/IEC 27001:2022.",
        [
            "Certified by an accredited certification body; surveillance audit every year.",
            "Risk assessment and Statement of Applicability reviewed every quarter.",
        ],
        visibility=Visibility.GATED,
    ),
    DemoStatement(
        "hipaa",
        "compliant",
        "US law on protecting patients' health information.",
        [
            "Demo Co acts as a business associate and signs a business associate agreement with covered "
            "entities.",
            "Health data is encrypted at rest and in transit, and access to it is logged and reviewed.",
        ],
    ),
    DemoStatement(
        "gdpr",
        "compliant",
        "EU regulation on personal data.",
        [
            "Data processing agreement with standard contractual clauses for every customer.",
            "Data subject requests answered within one month; records of processing kept current.",
        ],
    ),
    DemoStatement(
        "ccpa",
        "compliant",
        "California consumers' rights over their personal information.",
        [
            "Data of US customers can stay in a US data center region.",
            "Consumers' access and deletion requests are honoured through the customer's own controls.",
        ],
    ),
)


def _owner(principal: Principal) -> Any:
    owners = members_of(principal.organization).filter(role=Role.OWNER)
    first = owners.first()
    return first.user if first is not None else None


def _certification(
    principal: Principal, *, number: str, document: dict[str, Any] | None, **values: Any
) -> Any:
    """The certification of this series and number, created (with its sample PDF) when missing."""
    existing = Certification.objects.filter(series=values["series"], number=number).first()
    if existing is not None:
        return existing
    cert = services.create_certification(actor=principal, number=number, **values)
    if document is not None:
        from trustroom.vault.samples import sample_pdf

        content = sample_pdf(title=document["title"], lines=document["lines"], pages=document.get("pages", 1))
        cert = services.attach_document(
            actor=principal,
            certification=cert,
            content=content,
            filename=document["filename"],
            title=document["title"],
        )
    return cert


def load_demo(principal: Principal, *, today: dt.date | None = None) -> None:
    today = today or dt.datetime.now(dt.UTC).date()
    owner = _owner(principal)
    reviewed = dt.datetime.now(dt.UTC) - dt.timedelta(days=REVIEWED_DAYS_AGO)
    frameworks = {f.code: f for f in Framework.builtins.all()}

    for spec in STATEMENTS:
        framework = frameworks[spec.code]
        if ComplianceStatement.objects.filter(framework=framework).exists():
            continue
        services.create_statement(
            actor=principal,
            framework=framework,
            status=spec.status,
            summary=spec.summary,
            measures=spec.measures,
            not_applicable_reason=spec.reason,
            owner=owner,
            last_reviewed_at=reviewed,
            visibility=spec.visibility,
        )

    # ISO/IEC 27001:2022: valid three years from its certification audit, surveillance audit yearly.
    iso_from = today - relativedelta(months=14)
    _certification(
        principal,
        kind="certificate",
        framework=frameworks["iso27001-2022"],
        title="ISO/IEC 27001:2022 certificate",
        series="iso27001",
        issuer="Example Certification Services Ltd (accredited)",
        number="ISMS-DEMO-2022-0142",
        valid_from=iso_from,
        valid_until=iso_from + relativedelta(years=3) - dt.timedelta(days=1),
        validity_years=3,
        surveillance_interval_months=12,
        owner=owner,
        visibility=Visibility.GATED,
        document={
            "title": "ISO/IEC 27001:2022 certificate",
            "lines": [
                "Certificate of registration: Demo Co Private Limited",
                "Information security management system, ISO/IEC 27001:2022",
                f"Valid from {iso_from.isoformat()} for three years, subject to yearly surveillance audits",
                "Sample document generated for the Trustroom demo",
            ],
            "filename": "iso27001-2022-certificate.pdf",
        },
    )

    # The previous cycle's ISO/IEC 27001:2013 certificate: expired, kept to show the handling.
    old_until = today - dt.timedelta(days=130)
    _certification(
        principal,
        kind="certificate",
        framework=frameworks["iso27001-2013"],
        title="ISO/IEC 27001:2013 certificate",
        series="iso27001-2013",
        issuer="Example Certification Services Ltd (accredited)",
        number="ISMS-DEMO-2013-0077",
        valid_from=old_until - relativedelta(years=3) + dt.timedelta(days=1),
        valid_until=old_until,
        validity_years=3,
        surveillance_interval_months=12,
        owner=owner,
        visibility=Visibility.PUBLIC,
        document={
            "title": "ISO/IEC 27001:2013 certificate (expired)",
            "lines": [
                "Certificate of registration: Demo Co Private Limited",
                "Information security management system, ISO/IEC 27001:2013",
                f"Expired on {old_until.isoformat()}",
                "Sample document generated for the Trustroom demo",
            ],
            "filename": "iso27001-2013-certificate.pdf",
        },
    )

    # SOC 2 Type 2: yearly reports over consecutive twelve-month audit periods; the newer supersedes.
    period_end = today - dt.timedelta(days=45)
    reports = []
    for years_back in (1, 0):
        end = period_end - relativedelta(years=years_back)
        start = end - relativedelta(years=1) + dt.timedelta(days=1)
        issued = end + dt.timedelta(days=24)
        reports.append(
            _certification(
                principal,
                kind="attestation_report",
                framework=frameworks["soc2-type2"],
                title=f"SOC 2 Type 2 report {start.year}-{end.year}",
                series="soc2-type2",
                issuer="Example & Partners LLP, CPAs",
                number=f"SOC2-T2-{end.year}",
                valid_from=issued,
                valid_until=issued + relativedelta(years=1) - dt.timedelta(days=1),
                audit_period_start=start,
                audit_period_end=end,
                validity_years=1,
                surveillance_interval_months=None,
                owner=owner,
                visibility=Visibility.GATED,
                document={
                    "title": f"SOC 2 Type 2 report {start.year}-{end.year}",
                    "lines": [
                        "Report on controls relevant to security, availability, processing integrity, "
                        "confidentiality and privacy",
                        f"Audit period {start.isoformat()} to {end.isoformat()}",
                        "Sample document generated for the Trustroom demo",
                    ],
                    "filename": f"soc2-type2-{end.year}.pdf",
                    "pages": 3,
                },
            )
        )
    older, newer = reports
    if older.superseded_by_id is None:
        services.supersede_certification(actor=principal, certification=older, superseded_by=newer)

    # Safe to host: issued after each quarterly VAPT; the current one is due for renewal soon.
    vapt_from = today - dt.timedelta(days=62)
    _certification(
        principal,
        kind="safe_to_host",
        framework=None,
        title="Safe to host certificate (quarterly VAPT)",
        series="safe-to-host",
        issuer="Example Security Testing Pvt Ltd (CERT-In empanelled)",
        number=f"STH-{vapt_from.isoformat()}",
        valid_from=vapt_from,
        valid_until=vapt_from + relativedelta(months=3) - dt.timedelta(days=1),
        surveillance_interval_months=None,
        owner=owner,
        visibility=Visibility.PUBLIC,
        document={
            "title": "Safe to host certificate",
            "lines": [
                "External vulnerability assessment and penetration test completed",
                "No open vulnerabilities at the time of issue",
                "Sample document generated for the Trustroom demo",
            ],
            "filename": "safe-to-host.pdf",
        },
    )

    # HIPAA: a yearly self-assessment against the Security Rule.
    hipaa_from = today - dt.timedelta(days=100)
    _certification(
        principal,
        kind="self_assessment",
        framework=frameworks["hipaa"],
        title="HIPAA Security Rule self-assessment",
        series="hipaa-self-assessment",
        issuer="Demo Co security team",
        number=f"HIPAA-SA-{hipaa_from.year}",
        valid_from=hipaa_from,
        valid_until=hipaa_from + relativedelta(years=1) - dt.timedelta(days=1),
        validity_years=1,
        surveillance_interval_months=None,
        owner=owner,
        visibility=Visibility.PUBLIC,
        document=None,
    )
