"""The demo organization's register: what the seeds list, current dates, one expired, idempotent."""

from __future__ import annotations

from typing import Any

import pytest

from trustroom.compliance import selectors
from trustroom.compliance.models import Certification, ComplianceStatement
from trustroom.compliance.state import CertificationState
from trustroom.tenancy.demo import load_demo
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db


def test_demo_register_is_current_with_one_expired_certificate_and_idempotent() -> None:
    result = load_demo()
    org = result.organization
    with org_scope(org):
        counts = (ComplianceStatement.objects.count(), Certification.objects.count())
        statuses = {s.framework.code: s.status for s in selectors.statements()}
        pci = ComplianceStatement.objects.get(framework__code="pci-dss")
        published = selectors.published_certifications(org)
        states = {c.title: c.state for c in published}
        documents = Certification.objects.exclude(document=None).count()
        gaps = selectors.gaps()
    assert statuses == {
        "coppa": "compliant", "soc2-type2": "compliant", "pci-dss": "not_applicable",
        "iso27001-2022": "compliant", "hipaa": "compliant", "gdpr": "compliant", "ccpa": "compliant",
    }  # fmt: skip
    assert "payment processor" in pci.not_applicable_reason
    assert [t for t, s in states.items() if s == CertificationState.EXPIRED] == [
        "ISO/IEC 27001:2013 certificate"
    ]
    assert states["ISO/IEC 27001:2022 certificate"] == CertificationState.VALID
    assert states["Safe to host certificate (quarterly VAPT)"] == CertificationState.EXPIRING_SOON
    soc2 = [t for t in states if t.startswith("SOC 2 Type 2")]
    assert len(soc2) == 1 and states[soc2[0]] == CertificationState.VALID  # the older one is superseded
    assert published[-1].state == CertificationState.EXPIRED  # expired last
    assert documents == 5 and gaps == []
    load_demo()
    with org_scope(org):
        assert (ComplianceStatement.objects.count(), Certification.objects.count()) == counts == (7, 6)


def test_demo_pages_render(client: Any) -> None:
    result = load_demo()
    from trustroom.tenancy.models import Membership

    admin = Membership.objects.get(organization=result.organization, role="owner").user
    client.force_login(admin)
    base = f"/o/{result.organization.slug}/compliance/"
    assert client.get(base).status_code == 200
    body = client.get(base + "certifications/").content.decode()
    assert "ISO/IEC 27001:2013 certificate" in body and ">Expired<" in body and ">Superseded<" in body
