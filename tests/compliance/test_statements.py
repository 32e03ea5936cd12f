"""Compliance statements: validation, one per framework, change history, policies, audit, cache."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from tests.compliance.helpers import builtin
from tests.factories import member, principal_for
from trustroom.audit.models import AuditEvent
from trustroom.compliance import services
from trustroom.compliance.models import ComplianceStatement, StatementRevision
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db


@pytest.fixture
def actor(org_a: Any, owner_a: Any) -> Any:
    return principal_for(owner_a, org_a)


def test_not_applicable_requires_a_reason(org_a: Any, actor: Any) -> None:
    with org_scope(org_a):
        with pytest.raises(ValidationError) as error:
            services.create_statement(
                actor=actor,
                framework=builtin("pci-dss"),
                status="not_applicable",
                summary="Card data",
                measures=[],
            )
        assert set(error.value.message_dict) == {"not_applicable_reason"}
        assert not ComplianceStatement.objects.exists()
        statement = services.create_statement(
            actor=actor,
            framework=builtin("pci-dss"),
            status="not_applicable",
            summary="Card data",
            not_applicable_reason="A PCI DSS compliant payment processor handles card data.",
        )
        assert statement.not_applicable_reason.startswith("A PCI")


def test_the_database_refuses_not_applicable_without_a_reason(org_a: Any) -> None:
    with org_scope(org_a), pytest.raises(IntegrityError), transaction.atomic():
        ComplianceStatement.objects.create(framework=builtin("gdpr"), status="not_applicable", summary="x")


def test_bad_input_names_each_field_and_writes_nothing(org_a: Any, actor: Any) -> None:
    with org_scope(org_a):
        stranger = member(org_a.__class__.objects.create(slug="other", name="Other"), "owner")
        with pytest.raises(ValidationError) as error:
            services.create_statement(
                actor=actor,
                framework=None,
                status="maybe",
                summary="",
                owner=stranger,
                last_reviewed_at=dt.datetime(2026, 1, 1),  # noqa: DTZ001 - naive on purpose
                visibility="everyone",
            )
        assert set(error.value.message_dict) == {
            "framework", "status", "summary", "owner", "last_reviewed_at", "visibility",
        }  # fmt: skip
        assert not ComplianceStatement.objects.exists()
        assert not AuditEvent.objects.filter(action__startswith="compliance_statement").exists()


def test_one_statement_per_framework(org_a: Any, actor: Any) -> None:
    with org_scope(org_a):
        services.create_statement(
            actor=actor, framework=builtin("gdpr"), status="compliant", summary="EU data"
        )
        with pytest.raises(ValidationError) as error:
            services.create_statement(
                actor=actor, framework=builtin("gdpr"), status="compliant", summary="again"
            )
        assert "framework" in error.value.message_dict


def test_measures_accept_lines_and_drop_blank_ones(org_a: Any, actor: Any) -> None:
    with org_scope(org_a):
        statement = services.create_statement(
            actor=actor,
            framework=builtin("coppa"),
            status="compliant",
            summary="Children's data",
            measures="Parental consent first\n\n   Opt-out in the SDK  \n",
        )
        assert statement.measures == ["Parental consent first", "Opt-out in the SDK"]


def test_history_records_who_when_and_what_changed(org_a: Any, actor: Any) -> None:
    editor_user = member(org_a, "editor", email="editor@alpha.test")
    editor = principal_for(editor_user, org_a)
    with org_scope(org_a):
        statement = services.create_statement(
            actor=actor, framework=builtin("hipaa"), status="in_progress", summary="Health data"
        )
        services.update_statement(
            actor=editor, statement=statement, status="compliant", measures=["BAA with every customer"]
        )
        services.update_statement(actor=editor, statement=statement, status="compliant")  # no change
        revisions = list(StatementRevision.objects.filter(statement=statement).order_by("number"))
    assert [r.number for r in revisions] == [1, 2]
    assert revisions[0].action == "created" and revisions[0].changed_by_label == "owner@alpha.test"
    assert revisions[1].changed_by == editor_user
    assert revisions[1].changes == {
        "status": ["in_progress", "compliant"],
        "measures": [[], ["BAA with every customer"]],
    }
    with org_scope(org_a):
        events = list(AuditEvent.objects.filter(target_id=str(statement.pk)).values_list("action", flat=True))
    assert events.count("compliance_statement.updated") == 1


def test_the_statement_page_shows_its_history(client: Any, org_a: Any, owner_a: Any, actor: Any) -> None:
    with org_scope(org_a):
        statement = services.create_statement(
            actor=actor, framework=builtin("ccpa"), status="in_progress", summary="California"
        )
        services.update_statement(actor=actor, statement=statement, status="compliant")
    client.force_login(owner_a)
    response = client.get(f"/o/{org_a.slug}/compliance/statements/{statement.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Change history" in body and "in_progress → compliant" in body


def test_viewers_cannot_write(org_a: Any, actor: Any) -> None:
    viewer = principal_for(member(org_a, "viewer"), org_a)
    with org_scope(org_a):
        with pytest.raises(PermissionDenied):
            services.create_statement(
                actor=viewer, framework=builtin("gdpr"), status="compliant", summary="x"
            )
        statement = services.create_statement(
            actor=actor, framework=builtin("gdpr"), status="compliant", summary="x"
        )
        with pytest.raises(PermissionDenied):
            services.update_statement(actor=viewer, statement=statement, summary="y")
        with pytest.raises(PermissionDenied):
            services.delete_statement(actor=viewer, statement=statement)


def test_a_framework_of_another_organization_is_refused(
    org_a: Any, org_b: Any, actor: Any, owner_b: Any
) -> None:
    with org_scope(org_b):
        foreign = services.create_custom_framework(actor=principal_for(owner_b, org_b), name="Bravo schedule")
    with org_scope(org_a), pytest.raises(ValidationError) as error:
        services.create_statement(actor=actor, framework=foreign, status="compliant", summary="x")
    assert "framework" in error.value.message_dict


def test_changes_invalidate_the_trust_center_after_commit(
    org_a: Any, actor: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from trustroom.trustcenter.cache import current_version

    before = current_version(org_a.pk)
    with django_capture_on_commit_callbacks(execute=False) as callbacks, org_scope(org_a):
        statement = services.create_statement(
            actor=actor, framework=builtin("gdpr"), status="compliant", summary="x"
        )
    assert current_version(org_a.pk) == before  # nothing before the commit
    for callback in callbacks:
        callback()
    after_create = current_version(org_a.pk)
    assert after_create != before
    with django_capture_on_commit_callbacks(execute=True), org_scope(org_a):
        services.update_statement(actor=actor, statement=statement, summary="y")
    assert current_version(org_a.pk) != after_create
