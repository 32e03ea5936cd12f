"""Deleting vendors, applications and engagements entered by mistake: refused while records depend on
them (with the reason), audited, and only by managers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.assessments.helpers import T0, application, completed_engagement
from tests.factories import member, principal_for
from trustroom.assessments import services
from trustroom.assessments.models import Application, Engagement, FindingImport, Vendor
from trustroom.audit.models import AuditEvent
from trustroom.tenancy.principal import Principal
from trustroom.trustcenter.services.attestations import set_safe_to_host_published


def planned(actor: Principal, app: Application, vendor: Vendor, name: str = "Planned VAPT") -> Engagement:
    return services.create_engagement(
        actor=actor,
        vendor=vendor,
        application=app,
        name=name,
        window_start=T0,
        window_end=T0 + dt.timedelta(days=5),
    )


def refusal(error: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(error.value.message_dict["__all__"])


def last_event(action: str) -> AuditEvent:
    event = AuditEvent.objects.filter(action=action).order_by("-seq").first()
    assert event is not None, action
    return event


def test_unused_vendor_is_deleted_with_an_audit_event(actor: Principal) -> None:
    vendor = services.create_vendor(actor=actor, name="Typo Security", accreditation="CERT-In #1")
    pk = vendor.pk
    services.delete_vendor(actor=actor, vendor=vendor)
    assert not Vendor.objects.filter(pk=pk).exists()
    event = last_event("vendor.delete")
    assert event.target_id == str(pk)
    assert event.changes == {"name": "Typo Security", "accreditation": "CERT-In #1"}


def test_vendor_with_engagements_is_refused(actor: Principal) -> None:
    vendor = services.create_vendor(actor=actor, name="Sumasoft")
    planned(actor, application(actor), vendor)
    with pytest.raises(ValidationError) as error:
        services.delete_vendor(actor=actor, vendor=vendor)
    assert "1 engagement was held" in refusal(error)
    assert Vendor.objects.filter(pk=vendor.pk).exists()
    assert not AuditEvent.objects.filter(action="vendor.delete").exists()


def test_unused_application_is_deleted_with_its_key_fields_audited(actor: Principal) -> None:
    app = application(actor, "Mistake", criticality="high")
    pk = app.pk
    services.delete_application(actor=actor, application=app)
    assert not Application.objects.filter(pk=pk).exists()
    assert last_event("application.delete").changes == {
        "name": "Mistake",
        "criticality": "high",
        "test_cadence": "yearly",
    }


def test_application_with_engagements_is_refused(actor: Principal) -> None:
    app = application(actor)
    planned(actor, app, services.create_vendor(actor=actor, name="Sumasoft"))
    with pytest.raises(ValidationError) as error:
        services.delete_application(actor=actor, application=app)
    assert "1 engagement" in refusal(error)
    assert Application.objects.filter(pk=app.pk).exists()


def test_application_with_findings_is_refused(actor: Principal) -> None:
    app = application(actor)
    services.create_finding(actor=actor, application=app, title="XSS", severity="high", detected_at=T0)
    with pytest.raises(ValidationError) as error:
        services.delete_application(actor=actor, application=app)
    assert "1 finding" in refusal(error)
    assert Application.objects.filter(pk=app.pk).exists()


def test_application_with_a_scanner_import_is_refused(actor: Principal, scoped: Any) -> None:
    app = application(actor)
    FindingImport.objects.create(organization=scoped, application=app, status="failed")
    with pytest.raises(ValidationError) as error:
        services.delete_application(actor=actor, application=app)
    assert "1 scanner import" in refusal(error)
    assert Application.objects.filter(pk=app.pk).exists()


def test_application_published_in_the_trust_center_is_refused(actor: Principal) -> None:
    app = application(actor)
    set_safe_to_host_published(actor=actor, application=app, published=True)
    with pytest.raises(ValidationError) as error:
        services.delete_application(actor=actor, application=app)
    assert "unpublish it first" in refusal(error)
    set_safe_to_host_published(actor=actor, application=app, published=False)
    services.delete_application(actor=actor, application=app)
    assert not Application.objects.filter(pk=app.pk).exists()


def test_planned_engagement_is_deleted_and_its_reports_stay(actor: Principal) -> None:
    app = application(actor)
    vendor = services.create_vendor(actor=actor, name="Sumasoft")
    engagement = planned(actor, app, vendor)
    pk = engagement.pk
    services.delete_engagement(actor=actor, engagement=engagement)
    assert not Engagement.objects.filter(pk=pk).exists()
    changes = last_event("engagement.delete").changes
    assert changes["name"] == "Planned VAPT"
    assert changes["vendor"] == "Sumasoft"
    assert changes["application"] == app.name
    assert changes["status"] == "planned"
    # The vendor and the application are now free to delete too.
    services.delete_vendor(actor=actor, vendor=vendor)
    services.delete_application(actor=actor, application=app)


def test_completed_engagement_is_refused(actor: Principal) -> None:
    engagement = completed_engagement(actor, application(actor), end=T0)
    with pytest.raises(ValidationError) as error:
        services.delete_engagement(actor=actor, engagement=engagement)
    assert "evidence of the application's testing cadence" in refusal(error)
    assert Engagement.objects.filter(pk=engagement.pk).exists()


def test_engagement_that_findings_point_at_is_refused(actor: Principal) -> None:
    app = application(actor)
    engagement = planned(actor, app, services.create_vendor(actor=actor, name="Sumasoft"))
    services.create_finding(
        actor=actor, application=app, engagement=engagement, title="SQLi", severity="critical", detected_at=T0
    )
    with pytest.raises(ValidationError) as error:
        services.delete_engagement(actor=actor, engagement=engagement)
    assert "1 finding points at it" in refusal(error)
    assert Engagement.objects.filter(pk=engagement.pk).exists()


def test_engagement_that_a_scanner_import_points_at_is_refused(actor: Principal, scoped: Any) -> None:
    app = application(actor)
    engagement = planned(actor, app, services.create_vendor(actor=actor, name="Sumasoft"))
    FindingImport.objects.create(organization=scoped, application=app, engagement=engagement)
    with pytest.raises(ValidationError) as error:
        services.delete_engagement(actor=actor, engagement=engagement)
    assert "1 scanner import points at it" in refusal(error)


@pytest.mark.parametrize("role", ["editor", "viewer", "auditor"])
def test_only_managers_delete(actor: Principal, scoped: Any, role: str) -> None:
    app = application(actor)
    vendor = services.create_vendor(actor=actor, name="Sumasoft")
    engagement = planned(actor, app, vendor, name="Other")
    other = principal_for(member(scoped, role), scoped)
    with pytest.raises(PermissionDenied):
        services.delete_engagement(actor=other, engagement=engagement)
    with pytest.raises(PermissionDenied):
        services.delete_vendor(actor=other, vendor=vendor)
    with pytest.raises(PermissionDenied):
        services.delete_application(actor=other, application=app)
    assert Engagement.objects.filter(pk=engagement.pk).exists()
    admin = principal_for(member(scoped, "admin"), scoped)
    services.delete_engagement(actor=admin, engagement=engagement)
    assert not Engagement.objects.filter(pk=engagement.pk).exists()
