"""Demo data for the disclosure program: a published policy with a reward table and two reports (one
triaged valid/high, linked to a finding with a reward proposed; one marked a duplicate of it).
Idempotent: a second run changes nothing."""

from __future__ import annotations

from trustroom.assessments.models import Application, Finding, FindingStatus
from trustroom.disclosure import services
from trustroom.disclosure.models import DisclosurePolicy, DisclosureReport
from trustroom.tenancy.principal import Principal

SCOPE = (
    "In scope: app.demo-co.example (the dashboard), api.demo-co.example (the public API) "
    "and the mobile apps.\n"
    "Out of scope: third-party services we link to, denial of service, social engineering and physical tests."
)
RULES = (
    "Test only with accounts you created; stop and tell us as soon as you see another customer's data.\n"
    "Give us 90 days to fix before you publish; we answer within 3 working days and keep you posted.\n"
    "We will not pursue researchers who follow these rules in good faith."
)
REWARDS = {
    "critical": {"eligible": True, "amount": "3000", "currency": "USD"},
    "high": {"eligible": True, "amount": "1000", "currency": "USD"},
    "medium": {"eligible": True, "amount": "300", "currency": "USD"},
    "low": {"eligible": False},
    "info": {"eligible": False},
}


def load_demo(principal: Principal) -> None:
    if not DisclosurePolicy.objects.exists():
        services.update_policy(
            actor=principal,
            published=True,
            contacts=["mailto:security@demo-co.example", "https://demo-co.example/security"],
            scope=SCOPE,
            policy_text=RULES,
            preferred_languages=["en", "de"],
            acknowledgments_url="https://demo-co.example/security/thanks",
            rewards=REWARDS,
        )
    if DisclosureReport.objects.exists():
        return
    original = _confirmed_report(
        name="Asha Rao",
        email="asha.rao@researcher.example",
        title="IDOR on invoice download lets one tenant read another's invoices",
        description="Changing the invoice id in /api/v1/invoices/<id>/pdf returns other customers' invoices.",
        asset="https://api.demo-co.example/api/v1/invoices/",
        steps="1. Sign in as tenant A.\n2. Request /api/v1/invoices/1001/pdf (an id of tenant B).\n"
        "3. The PDF downloads.",
        guess="critical",
    )
    services.triage_report(actor=principal, report=original, validity="valid", severity="high")
    # The VAPT demo already tracks this issue on the Mobile Backend (not safe to host for its open highs):
    # link the report to that finding rather than create a new one, so the demo's safe-to-host attestation
    # and finding counts stay as the assessments demo sets them. Without it, create the finding.
    existing = (
        Finding.objects.filter(severity="high", status=FindingStatus.OPEN)
        .order_by("-application__name", "pk")
        .first()
    )
    application = Application.objects.order_by("pk").first()
    if existing is not None:
        services.link_finding(actor=principal, report=original, finding=existing)
    elif application is not None:
        services.link_finding(actor=principal, report=original, application=application)
    services.add_update(
        actor=principal,
        report=original,
        body="Thank you: we reproduced the issue, rated it high and are fixing it. "
        "We will tell you when it is out.",
        public=True,
    )
    services.add_update(
        actor=principal,
        report=original,
        body="Root cause: missing tenant check in the PDF view.",
        public=False,
    )
    services.propose_reward(actor=principal, report=original)
    duplicate = _confirmed_report(
        name="Lee Park",
        email="lee.park@researcher.example",
        title="Invoices of other companies readable by id",
        description="The invoice PDF endpoint does not check that the invoice belongs to my company.",
        asset="api.demo-co.example",
        steps="Increment the invoice id in the PDF download URL.",
        guess="high",
    )
    services.triage_report(actor=principal, report=duplicate, validity="duplicate", duplicate_of=original)


def _confirmed_report(
    *, name: str, email: str, title: str, description: str, asset: str, steps: str, guess: str
) -> DisclosureReport:
    _report, secret = services.submit_report(
        name=name,
        email=email,
        title=title,
        description=description,
        affected_asset=asset,
        steps=steps,
        severity_guess=guess,
    )
    return services.verify_report(secret=secret)
