"""Records the public trust center shows, made through the compliance services (run inside the
organization's scope). Used by tests/trustcenter/test_public_*.py and the cross-tenant harness."""

from __future__ import annotations

import datetime as dt
from typing import Any

from trustroom.compliance import services as compliance
from trustroom.compliance.models import Certification, ComplianceStatement, Framework, Visibility
from trustroom.tenancy.models import Organization
from trustroom.tenancy.principal import Principal
from trustroom.trustcenter.services import update_settings
from trustroom.vault.samples import sample_pdf


def today_utc() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def custom_framework(actor: Principal, *, name: str) -> Framework:
    return compliance.create_custom_framework(actor=actor, name=name)


def make_statement(
    actor: Principal,
    *,
    framework: Framework,
    status: str = "compliant",
    visibility: str = Visibility.PUBLIC,
    **fields: Any,
) -> ComplianceStatement:
    values: dict[str, Any] = {
        "summary": f"{framework.name} summary",
        "measures": [f"{framework.name} measure one", f"{framework.name} measure two"],
        "last_reviewed_at": dt.datetime.now(dt.UTC) - dt.timedelta(days=10),
    }
    values.update(fields)
    return compliance.create_statement(
        actor=actor, framework=framework, status=status, visibility=visibility, **values
    )


def make_certification(
    actor: Principal,
    *,
    title: str,
    valid_until: dt.date,
    visibility: str = Visibility.PUBLIC,
    valid_from: dt.date | None = None,
    document: bool = False,
    **fields: Any,
) -> Certification:
    values: dict[str, Any] = {"kind": "certificate", "issuer": f"{title} issuer", "number": f"{title} number"}
    values.update(fields)
    certification = compliance.create_certification(
        actor=actor,
        title=title,
        valid_from=valid_from or min(valid_until, today_utc()) - dt.timedelta(days=3 * 365),
        valid_until=valid_until,
        visibility=visibility,
        **values,
    )
    if document:
        certification = compliance.attach_document(
            actor=actor,
            certification=certification,
            content=sample_pdf(title=title, lines=[f"{title} body"]),
            filename="certificate.pdf",
        )
    return certification


def publish(actor: Principal, *, intro: str = "") -> None:
    update_settings(actor=actor, published=True, intro=intro)


def certified(actor: Principal, title: str = "ISO 27001") -> str:
    """The claim key of a new public certification valid until 2031."""
    cert = make_certification(actor, title=title, valid_until=dt.date(2031, 1, 1))
    return f"certification:{cert.pk}"


def unverified_certification(actor: Principal) -> str:
    """A published certification bound to control AC-1, which has no evidence (not currently verified)."""
    from tests.controls.factories import make_control
    from trustroom.controls.services.posture import bind_claim

    publish(actor)
    key = certified(actor)
    bind_claim(actor=actor, claim_key=key, control=make_control(actor, key="AC-1", name="Reviews"))
    return key


def build_world(*, org: Organization, actor: Principal, label: str) -> dict[str, Any]:
    """A published trust center: public, gated and private statements and certifications (each with a
    document), and an expired certificate. Private items carry "hidden" in their names."""
    publish(actor, intro=f"{label} intro text")
    today = today_utc()
    public_fw = custom_framework(actor, name=f"{label} public framework")
    gated_fw = custom_framework(actor, name=f"{label} gated framework")
    private_fw = custom_framework(actor, name=f"{label} hidden framework")
    make_statement(actor, framework=public_fw)
    make_statement(actor, framework=gated_fw, visibility=Visibility.GATED)
    make_statement(
        actor, framework=private_fw, visibility=Visibility.PRIVATE, summary=f"{label} hidden summary"
    )
    later = today + dt.timedelta(days=400)
    public = make_certification(actor, title=f"{label} public cert", valid_until=later, document=True)
    gated = make_certification(
        actor, title=f"{label} gated cert", valid_until=later, visibility=Visibility.GATED, document=True
    )
    private = make_certification(
        actor, title=f"{label} hidden cert", valid_until=later, visibility=Visibility.PRIVATE, document=True
    )
    expired = make_certification(
        actor, title=f"{label} expired cert", valid_until=today - dt.timedelta(days=1)
    )
    return {
        "trust_public_certification": public.pk,
        "trust_gated_certification": gated.pk,
        "trust_private_certification": private.pk,
        "trust_expired_certification": expired.pk,
    }
