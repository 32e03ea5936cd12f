"""Records the public trust center shows, for its tests and the cross-tenant harness (run inside the
organization's scope)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from trustroom.compliance.models import Certification, ComplianceStatement, Framework, Visibility
from trustroom.tenancy.models import Organization
from trustroom.tenancy.principal import Principal
from trustroom.trustcenter.services import update_settings


def today_utc() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def custom_framework(*, code: str, name: str) -> Framework:
    """A custom framework of the current organization (run inside its scope)."""
    return Framework.objects.create(organization=_current(), code=code, name=name, short_name=name[:60])


def make_statement(
    *, framework: Framework, status: str = "compliant", visibility: str = Visibility.PUBLIC, **fields: Any
) -> ComplianceStatement:
    defaults: dict[str, Any] = {
        "summary": f"{framework.name} summary",
        "measures": [f"{framework.name} measure one", f"{framework.name} measure two"],
        "last_reviewed_at": dt.datetime.now(dt.UTC) - dt.timedelta(days=10),
    }
    defaults.update(fields)
    return ComplianceStatement.objects.create(
        framework=framework, status=status, visibility=visibility, **defaults
    )


def make_certification(
    *,
    title: str,
    valid_until: dt.date,
    visibility: str = Visibility.PUBLIC,
    valid_from: dt.date | None = None,
    **fields: Any,
) -> Certification:
    defaults: dict[str, Any] = {
        "kind": "certificate",
        "series": title.lower().replace(" ", "-")[:80],
        "issuer": f"{title} issuer",
        "number": f"{title} number",
    }
    defaults.update(fields)
    return Certification.objects.create(
        title=title,
        valid_from=valid_from or valid_until - dt.timedelta(days=3 * 365),
        valid_until=valid_until,
        visibility=visibility,
        **defaults,
    )


def publish(actor: Principal, *, intro: str = "") -> None:
    update_settings(actor=actor, published=True, intro=intro)


def _current() -> Organization:
    from trustroom.tenancy.scope import require_org

    return require_org()


def build_world(*, org: Organization, actor: Principal, label: str) -> dict[str, Any]:
    """A published trust center: public, gated and private statements and certifications, one expired."""
    publish(actor, intro=f"{label} intro text")
    today = today_utc()
    public_fw = custom_framework(code=f"{label}-public-fw", name=f"{label} public framework")
    gated_fw = custom_framework(code=f"{label}-gated-fw", name=f"{label} gated framework")
    private_fw = custom_framework(code=f"{label}-private-fw", name=f"{label} hidden framework")
    make_statement(framework=public_fw)
    make_statement(framework=gated_fw, visibility=Visibility.GATED)
    make_statement(framework=private_fw, visibility=Visibility.PRIVATE, summary=f"{label} hidden summary")
    public = make_certification(title=f"{label} public cert", valid_until=today + dt.timedelta(days=400))
    gated = make_certification(
        title=f"{label} gated cert", valid_until=today + dt.timedelta(days=400), visibility=Visibility.GATED
    )
    private = make_certification(
        title=f"{label} hidden cert",
        valid_until=today + dt.timedelta(days=400),
        visibility=Visibility.PRIVATE,
    )
    expired = make_certification(title=f"{label} expired cert", valid_until=today - dt.timedelta(days=1))
    return {
        "trust_public_certification": public.pk,
        "trust_gated_certification": gated.pk,
        "trust_private_certification": private.pk,
        "trust_expired_certification": expired.pk,
    }
