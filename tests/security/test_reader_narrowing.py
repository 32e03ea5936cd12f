"""The reader narrowing (`tenancy.narrowing`): an auditor's every read, in every app, is limited to what
their audit periods admit; a model without a rule reads nothing; support staff and other roles are not
narrowed; an `audit` token (made by an owner or admin) reads the whole organization."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.controls.audit_factories import auditor, make_period, pdf_evidence, soc2_control
from tests.factories import principal_for
from tests.identity.factories import grant_support, staff_user
from trustroom.api.base import token_principal
from trustroom.assessments.models import Vendor
from trustroom.audit.models import AuditEvent
from trustroom.audit.verify import verify_chain
from trustroom.controls.models import Evidence
from trustroom.identity.models import ApiToken
from trustroom.identity.services import create_api_token
from trustroom.identity.support_access import support_principal
from trustroom.tenancy import narrowing
from trustroom.tenancy.models import Invitation, Role
from trustroom.tenancy.narrowing import narrowing_for, reader_narrowing, unnarrowed
from trustroom.tenancy.principal import Principal
from trustroom.tenancy.scope import org_scope
from trustroom.vault.models import Document

pytestmark = pytest.mark.django_db


@pytest.fixture
def actor(org_a: Any, owner_a: Any) -> Iterator[Principal]:
    with org_scope(org_a):
        yield principal_for(owner_a, org_a)


@pytest.fixture
def evidence(actor: Principal) -> dict[str, Any]:
    """A SOC 2 control with a file in the current period's window and one long before it."""
    control = soc2_control(actor)
    period = make_period(actor, "SOC 2 Type II now", start_days=-30, end_days=30)
    return {
        "period": period,
        "in_window": pdf_evidence(actor, control, "Access review in window", days_ago=2),
        "before": pdf_evidence(actor, control, "Access review long ago", days_ago=100),
    }


def test_the_manager_narrows_every_read_of_an_auditor(actor: Principal, evidence: dict[str, Any]) -> None:
    user = auditor(actor, "auditor@alpha.test", evidence["period"])
    reader = principal_for(user, actor.organization)
    with reader_narrowing(reader):
        assert set(Evidence.objects.values_list("pk", flat=True)) == {evidence["in_window"].pk}
        assert set(Document.objects.values_list("pk", flat=True)) == {evidence["in_window"].document_id}
        assert Evidence.objects.count() == 1
        now = timezone.now()
        assert all(
            evidence["period"].starts_at <= at < evidence["period"].ends_at
            for at in AuditEvent.objects.values_list("occurred_at", flat=True)
        )
        assert AuditEvent.objects.filter(occurred_at__lte=now).exists()
        with unnarrowed():
            assert Evidence.objects.count() == 2
    assert Evidence.objects.count() == 2  # the narrowing ends with its block


def test_a_model_without_a_period_rule_reads_nothing_for_an_auditor(
    actor: Principal, evidence: dict[str, Any]
) -> None:
    Vendor.objects.create(name="Pentest vendor")
    user = auditor(actor, "auditor@alpha.test", evidence["period"])
    with reader_narrowing(principal_for(user, actor.organization)):
        assert not Vendor.objects.exists()
        assert not Invitation.objects.exists()
        assert not ApiToken.objects.exists()
    assert Vendor.objects.exists()


def test_an_auditor_without_a_period_or_a_provider_reads_nothing(
    actor: Principal, evidence: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    idle = principal_for(auditor(actor, "idle@alpha.test"), actor.organization)
    with reader_narrowing(idle):
        assert not Evidence.objects.exists()
    assigned = principal_for(auditor(actor, "auditor@alpha.test", evidence["period"]), actor.organization)
    monkeypatch.setattr(narrowing, "_window_provider", None)
    with reader_narrowing(assigned):
        assert not Evidence.objects.exists()


def test_other_roles_and_support_staff_under_a_read_grant_are_not_narrowed(
    org_a: Any, owner_a: Any, actor: Principal, evidence: dict[str, Any]
) -> None:
    for role in (Role.OWNER, Role.ADMIN, Role.EDITOR, Role.VIEWER):
        assert narrowing_for(Principal(organization=org_a, role=role, user=owner_a)) is None
    staff = staff_user()
    grant_support(org_a, owner_a, staff, scope="read")
    support = support_principal(staff, org_a)
    assert support is not None and support.role == Role.AUDITOR and support.is_support
    assert narrowing_for(support) is None
    with reader_narrowing(support):
        assert Evidence.objects.count() == 2


def test_an_audit_token_reads_the_whole_organization_while_an_auditor_reads_their_periods(
    actor: Principal, evidence: dict[str, Any]
) -> None:
    # Only owners and admins make tokens: an `audit` token is the organization's own read with the audit
    # log, not an external auditor's seat, so no period narrows it.
    user = auditor(actor, "auditor@alpha.test", evidence["period"])
    token, _ = create_api_token(actor=actor, name="SIEM export", scope="audit")
    by_token = token_principal(token, actor.organization)
    assert by_token.role == Role.AUDITOR and narrowing_for(by_token) is None
    with reader_narrowing(by_token):
        assert Evidence.objects.count() == 2
    signed_in = principal_for(user, actor.organization)
    with reader_narrowing(signed_in):
        assert set(Evidence.objects.values_list("pk", flat=True)) == {evidence["in_window"].pk}


def test_an_auditor_downloads_in_window_evidence_only_and_the_chain_still_verifies(
    org_a: Any, actor: Principal, evidence: dict[str, Any]
) -> None:
    user = auditor(actor, "auditor@alpha.test", evidence["period"])
    client = Client()
    client.force_login(user)
    control_page = client.get(f"/o/alpha-co/controls/{evidence['in_window'].control_id}/").content.decode()
    assert "Access review in window" in control_page and "Access review long ago" not in control_page
    listing = client.get("/o/alpha-co/vault/").content.decode()
    assert "Access review in window" in listing and "Access review long ago" not in listing
    assert "Only documents that are evidence in your audit periods are listed" in listing

    inside = client.get(f"/o/alpha-co/vault/{evidence['in_window'].document_id}/download/")
    assert inside.status_code == 200 and inside["Content-Type"] == "application/pdf"
    outside = client.get(f"/o/alpha-co/vault/{evidence['before'].document_id}/download/")
    assert outside.status_code == 404
    api = client.get(f"/api/v1/orgs/alpha-co/documents/{evidence['before'].document_id}/download/")
    assert api.status_code == 404

    downloads = AuditEvent.objects.filter(action="document.downloaded")
    assert list(downloads.values_list("target_id", flat=True)) == [str(evidence["in_window"].document_id)]
    report = verify_chain()
    assert report.ok, report.reason
