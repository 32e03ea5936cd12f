from __future__ import annotations

import datetime as dt
from typing import Any

from trustroom.assessments import services
from trustroom.assessments.models import Application, Engagement
from trustroom.tenancy.principal import Principal

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
CVSS31_CRITICAL = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"  # 9.8
CVSS40_CRITICAL = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"  # 9.3


def application(
    actor: Principal, name: str = "GSP portal", criticality: str = "critical", **kw: Any
) -> Application:
    return services.create_application(actor=actor, name=name, criticality=criticality, **kw)


def completed_engagement(
    actor: Principal, app: Application, *, end: dt.datetime, vendor_name: str = "Sumasoft"
) -> Engagement:
    from trustroom.assessments.models import Vendor

    vendor = Vendor.objects.filter(name=vendor_name).first() or services.create_vendor(
        actor=actor, name=vendor_name, accreditation="CERT-In empanelled vendor #50"
    )
    engagement = services.create_engagement(
        actor=actor,
        vendor=vendor,
        application=app,
        name=f"VAPT ending {end:%Y-%m-%d}",
        window_start=end - dt.timedelta(days=7),
        window_end=end,
        scope_areas=["authentication_session", "injection_sql", "owasp_top_10"],
    )
    return services.complete_engagement(actor=actor, engagement=engagement, now=end)
