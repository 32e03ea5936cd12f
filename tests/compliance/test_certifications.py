"""Certifications: validation, computed state in queries, supersede, renewal, gaps, documents."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.compliance.helpers import NOW, TODAY, builtin, make_cert
from tests.factories import member, principal_for
from trustroom.compliance import selectors, services
from trustroom.compliance.models import Certification
from trustroom.compliance.state import CertificationState, certification_state
from trustroom.tenancy.scope import org_scope
from trustroom.vault.samples import sample_pdf

pytestmark = pytest.mark.django_db
S = CertificationState


@pytest.fixture
def actor(org_a: Any, owner_a: Any) -> Any:
    return principal_for(owner_a, org_a)


def test_certificates_get_a_yearly_surveillance_by_default(org_a: Any, actor: Any) -> None:
    with org_scope(org_a):
        cert = make_cert(actor, framework=builtin("iso27001-2022"), series="")
        report = make_cert(
            actor,
            kind="attestation_report",
            title="SOC 2 Type 2 report",
            framework=builtin("soc2-type2"),
            series="",
            audit_period_start=TODAY - dt.timedelta(days=365),
            audit_period_end=TODAY - dt.timedelta(days=1),
        )
    assert cert.surveillance_interval_months == 12
    assert cert.series == "iso27001-2022-certificate"
    assert report.surveillance_interval_months is None


def test_bad_input_is_refused_by_field(org_a: Any, actor: Any) -> None:
    with org_scope(org_a):
        with pytest.raises(ValidationError) as error:
            services.create_certification(
                actor=actor,
                kind="diploma",
                title="",
                valid_from=TODAY,
                valid_until=TODAY - dt.timedelta(days=1),
                audit_period_start=TODAY,
                validity_years=0,
                series="Not A Slug",
            )
        assert set(error.value.message_dict) == {
            "kind", "title", "valid_until", "audit_period_end", "validity_years", "series",
        }  # fmt: skip
        with pytest.raises(ValidationError) as error:
            services.create_certification(
                actor=actor, kind="attestation_report", title="SOC 2", valid_from=TODAY, valid_until=None
            )
        assert set(error.value.message_dict) == {"valid_until", "audit_period_start"}
        assert not Certification.objects.exists()


def test_state_annotation_agrees_with_the_function_at_boundaries(org_a: Any, actor: Any) -> None:
    with org_scope(org_a):
        certs = [
            make_cert(actor, title="expires today", valid_until=TODAY),
            make_cert(actor, title="expired yesterday", valid_until=TODAY - dt.timedelta(days=1)),
            make_cert(actor, title="90 days", valid_until=TODAY + dt.timedelta(days=90)),
            make_cert(actor, title="91 days", valid_until=TODAY + dt.timedelta(days=91)),
            make_cert(actor, title="future", valid_from=TODAY + dt.timedelta(days=1)),
        ]
        renewing = make_cert(actor, title="renewing", valid_until=TODAY + dt.timedelta(days=10))
        services.start_renewal(actor=actor, certification=renewing, at=NOW - dt.timedelta(days=3))
        expired_renewing = make_cert(
            actor, title="expired renewing", valid_until=TODAY - dt.timedelta(days=5)
        )
        services.start_renewal(actor=actor, certification=expired_renewing, at=NOW - dt.timedelta(days=30))
        annotated = {c.title: c.computed_state for c in selectors.certifications(NOW)}
        python = {c.title: certification_state(c, NOW) for c in Certification.objects.all()}
    assert annotated == python
    assert python == {
        "expires today": S.EXPIRING_SOON,
        "expired yesterday": S.EXPIRED,
        "90 days": S.EXPIRING_SOON,
        "91 days": S.VALID,
        "future": S.NOT_YET_VALID,
        "renewing": S.RENEWAL_IN_PROGRESS,
        "expired renewing": S.EXPIRED,
    }
    assert len(certs) == 5


def test_supersede_needs_a_newer_certification_of_the_same_series(org_a: Any, actor: Any) -> None:
    with org_scope(org_a):
        old = make_cert(actor, title="2023", valid_from=TODAY - dt.timedelta(days=700))
        new = make_cert(actor, title="2026", valid_from=TODAY)
        other = make_cert(actor, title="other series", series="vapt")
        for bad in (other, old, None):
            with pytest.raises(ValidationError) as error:
                services.supersede_certification(actor=actor, certification=old, superseded_by=bad)
            assert "superseded_by" in error.value.message_dict
        with pytest.raises(ValidationError):
            services.supersede_certification(actor=actor, certification=new, superseded_by=old)
        services.supersede_certification(actor=actor, certification=old, superseded_by=new)
        old.refresh_from_db()
        assert certification_state(old, NOW) == S.SUPERSEDED
        published = selectors.published_certifications(org_a, now=NOW)
    assert old.pk not in [c.pk for c in published]
    assert {c.pk for c in published} == {new.pk, other.pk}


def test_published_certifications_exclude_private_and_put_expired_last(org_a: Any, actor: Any) -> None:
    with org_scope(org_a):
        expired = make_cert(actor, title="A expired", series="a", valid_until=TODAY - dt.timedelta(days=1))
        valid = make_cert(actor, title="B valid", series="b", visibility="gated")
        make_cert(actor, title="C private", series="c", visibility="private")
        published = selectors.published_certifications(org_a, now=NOW)
    assert [c.pk for c in published] == [valid.pk, expired.pk]
    assert [c.state for c in published] == [S.VALID, S.EXPIRED]


def test_published_statements_exclude_private(org_a: Any, actor: Any) -> None:
    with org_scope(org_a):
        services.create_statement(actor=actor, framework=builtin("gdpr"), status="compliant", summary="g")
        services.create_statement(
            actor=actor, framework=builtin("ccpa"), status="compliant", summary="c", visibility="gated"
        )
        services.create_statement(
            actor=actor, framework=builtin("hipaa"), status="compliant", summary="h", visibility="private"
        )
        codes = [s.framework.code for s in selectors.published_statements(org_a)]
    assert codes == ["gdpr", "ccpa"]  # framework order; the private one is left out


def test_gaps_between_consecutive_audit_periods(org_a: Any, actor: Any, owner_a: Any, client: Any) -> None:
    with org_scope(org_a):
        for start, end in (
            (dt.date(2023, 7, 16), dt.date(2024, 7, 15)),
            (dt.date(2024, 9, 1), dt.date(2025, 8, 31)),
        ):
            make_cert(
                actor,
                kind="attestation_report",
                title=f"SOC 2 Type 2 {start.year}",
                series="soc2-type2",
                valid_from=end + dt.timedelta(days=30),
                valid_until=end + dt.timedelta(days=395),
                audit_period_start=start,
                audit_period_end=end,
            )
        gaps = selectors.gaps()
    assert [(g.gap_start, g.gap_end) for g in gaps] == [(dt.date(2024, 7, 16), dt.date(2024, 8, 31))]
    client.force_login(owner_a)
    body = client.get(f"/o/{org_a.slug}/compliance/certifications/").content.decode()
    assert "2024-07-16 to 2024-08-31 (47 days) not covered" in body


def test_renewal_and_writes_need_an_editor(org_a: Any, actor: Any) -> None:
    viewer = principal_for(member(org_a, "viewer"), org_a)
    with org_scope(org_a):
        cert = make_cert(actor)
        with pytest.raises(PermissionDenied):
            services.start_renewal(actor=viewer, certification=cert)
        with pytest.raises(PermissionDenied):
            services.update_certification(actor=viewer, certification=cert, title="x")
        with pytest.raises(PermissionDenied):
            make_cert(viewer)


def test_attach_a_pdf_through_the_vault_and_refuse_a_non_pdf(org_a: Any, actor: Any) -> None:
    with org_scope(org_a):
        cert = make_cert(actor)
        with pytest.raises(ValidationError) as error:
            services.attach_document(actor=actor, certification=cert, content=b"not a pdf", filename="x.pdf")
        assert "file" in error.value.message_dict
        pdf = sample_pdf(title="ISO certificate", lines=["Certificate number 123"])
        services.attach_document(actor=actor, certification=cert, content=pdf, filename="iso.pdf")
        cert.refresh_from_db()
        assert cert.document is not None and cert.document.page_count == 1


def test_validity_follows_the_renewal_cycle_when_no_end_is_given(org_a: Any, actor: Any) -> None:
    with org_scope(org_a):
        cert = services.create_certification(
            actor=actor, kind="certificate", title="ISO", valid_from=dt.date(2024, 2, 29), valid_until=None,
            validity_years=3,
        )  # fmt: skip
    assert cert.valid_until == dt.date(2027, 2, 27)
