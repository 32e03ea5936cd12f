"""Cross-tenant entries of the disclosure program: triage pages and API (/o/<org_slug>/disclosure/...,
disclosure-* under the API), the public pages under /trust/<org_slug>/ and /.well-known/security.txt."""

from __future__ import annotations

from typing import Any

from tests.security.cross_tenant import ORG, PUBLIC, PUBLIC_ORG, Route, obj
from trustroom.disclosure import services
from trustroom.tenancy.models import Organization
from trustroom.tenancy.principal import Principal

_PUBLIC_NOTE = (
    "Public disclosure pages: A's published policy and security.txt are expected under A's own slug; under "
    "B's slug nothing of A shows, and no method changes anything of A (the report form refuses the "
    "harness's payload: no title or description)."
)
_CAPABILITY_NOTE = (
    "The secret in the URL (verification link, status token) is the capability: under A's own slug it opens "
    "A's report (verifying it writes A's records), as expected. Under B's slug it must open nothing, "
    "exactly like a made-up one."
)

ROUTES: dict[str, Route] = {
    # triage pages
    "disclosure:reports": Route(ORG),
    "disclosure:report": Route(ORG, target=obj("disclosure_report")),
    "disclosure:reward-status": Route(ORG, target=obj("disclosure_reward")),
    "disclosure:policy": Route(ORG),
    # API
    "disclosure-policy-list": Route(ORG, api=True),
    "disclosure-reports-list": Route(ORG, api=True),
    "disclosure-reports-detail": Route(ORG, api=True, target=obj("disclosure_report")),
    "disclosure-reports-triage": Route(ORG, api=True, target=obj("disclosure_report")),
    "disclosure-reports-set-status": Route(ORG, api=True, target=obj("disclosure_report")),
    "disclosure-reports-add-update": Route(ORG, api=True, target=obj("disclosure_report")),
    "disclosure-reports-link-finding": Route(ORG, api=True, target=obj("disclosure_report")),
    "disclosure-reports-propose-reward": Route(ORG, api=True, target=obj("disclosure_report")),
    "disclosure-rewards-list": Route(ORG, api=True),
    "disclosure-rewards-detail": Route(ORG, api=True, target=obj("disclosure_reward")),
    "disclosure-rewards-set-status": Route(ORG, api=True, target=obj("disclosure_reward")),
    # public
    "disclosure-public:security-txt": Route(PUBLIC_ORG, note=_PUBLIC_NOTE),
    "disclosure-public:policy": Route(PUBLIC_ORG, note=_PUBLIC_NOTE),
    "disclosure-public:report": Route(PUBLIC_ORG, note=_PUBLIC_NOTE),
    "disclosure-public:verify": Route(
        PUBLIC_ORG,
        target=obj("disclosure_verify_secret", "secret"),
        check_foreign_org=False,
        note=_CAPABILITY_NOTE,
    ),
    "disclosure-public:status": Route(
        PUBLIC_ORG,
        target=obj("disclosure_status_token", "token"),
        check_foreign_org=False,
        note=_CAPABILITY_NOTE,
    ),
    # The test client's host (testserver) is bound to no organization: 404, nothing of anyone.
    "security-txt": Route(PUBLIC),
}


def build_world(*, org: Organization, actor: Principal, label: str) -> dict[str, Any]:
    services.update_policy(
        actor=actor,
        published=True,
        contacts=[f"mailto:security@{label}.test"],
        scope=f"{label} app",
        rewards={"high": {"eligible": True, "amount": "500", "currency": "EUR"}},
    )
    report, _secret = services.submit_report(
        name=f"{label} researcher", email=f"researcher@{label}.test", title=f"{label} report", description="x"
    )
    report = services.verify_report(secret=_secret)
    services.add_update(actor=actor, report=report, body=f"{label} hidden internal note", public=False)
    services.triage_report(actor=actor, report=report, validity="valid", severity="high")
    reward = services.propose_reward(actor=actor, report=report)
    _pending, verify_secret = services.submit_report(
        name=f"{label} other", email=f"other@{label}.test", title=f"{label} pending", description="y"
    )
    return {
        "disclosure_report": report.pk,
        "disclosure_reward": reward.pk,
        "disclosure_verify_secret": verify_secret,
        "disclosure_status_token": services.status_token(report),
    }
