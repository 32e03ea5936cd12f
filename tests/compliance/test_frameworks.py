"""Built-in frameworks are loaded by the migration; custom ones belong to one organization."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from tests.factories import member, principal_for
from trustroom.compliance import selectors, services
from trustroom.compliance.builtin import BUILTIN_FRAMEWORKS
from trustroom.compliance.models import Framework, Requirement
from trustroom.tenancy.scope import ScopeError, org_scope

pytestmark = pytest.mark.django_db
POSTGRES = getattr(settings, "TEST_DB", "sqlite") == "postgres"


def test_the_migration_loaded_every_builtin_framework_with_requirements() -> None:
    codes = set(Framework.builtins.values_list("code", flat=True))
    assert codes == {spec.code for spec in BUILTIN_FRAMEWORKS}
    assert {
        "coppa",
        "soc2-type1",
        "soc2-type2",
        "pci-dss",
        "iso27001-2013",
        "iso27001-2022",
        "hipaa",
        "gdpr",
        "ccpa",
    } <= codes
    iso = Framework.builtins.get(code="iso27001-2022")
    assert Requirement.objects.filter(framework=iso).count() == 123
    assert (
        Requirement.objects.get(framework=iso, identifier="A.8.12").title
        == "Technological - Data leakage prevention"
    )
    hipaa = Framework.builtins.get(code="hipaa")
    assert Requirement.objects.filter(framework=hipaa).count() >= 60
    assert max(len(t) for t in Requirement.objects.values_list("title", flat=True)) <= 80


@pytest.mark.django_db(databases=["default", "owner"] if POSTGRES else ["default"])
def test_load_frameworks_command_is_idempotent_and_repairs() -> None:
    # On PostgreSQL only the table owner may write built-in rows (the migrations run as it).
    alias = "owner" if POSTGRES else "default"
    before = Requirement.objects.using(alias).count()
    Requirement.objects.using(alias).filter(identifier="A.8.12").update(title="changed")
    out = StringIO()
    call_command("compliance", "load-frameworks", "--database", alias, stdout=out)
    assert "0 created, 0 updated; requirements: 0 created, 2 updated" not in out.getvalue()
    assert "requirements: 0 created, 1 updated" in out.getvalue()
    call_command("compliance", "load-frameworks", "--database", alias, stdout=out)
    assert out.getvalue().endswith("requirements: 0 created, 0 updated.\n")
    assert Requirement.objects.using(alias).count() == before
    assert Framework.builtins.using(alias).count() == len(BUILTIN_FRAMEWORKS)


@pytest.mark.skipif(not POSTGRES, reason="row-level security is PostgreSQL's")
def test_the_application_role_cannot_load_builtin_frameworks() -> None:
    Requirement.objects.filter(identifier="A.8.12").update(title="changed")  # no RLS on requirements
    with pytest.raises(CommandError, match="owns the tables"):
        call_command("compliance", "load-frameworks")


def test_framework_queries_need_a_scope() -> None:
    with pytest.raises(ScopeError):
        list(Framework.objects.all())


def test_custom_frameworks_are_seen_only_by_their_organization(org_a: Any, org_b: Any, owner_a: Any) -> None:
    actor = principal_for(owner_a, org_a)
    with org_scope(org_a):
        custom = services.create_custom_framework(actor=actor, name="Alpha Customer Schedule")
        assert custom.code == "custom-alpha-customer-schedule"
        assert custom in selectors.frameworks()
        with pytest.raises(ValidationError) as error:
            services.create_custom_framework(actor=actor, name="Alpha customer schedule")
        assert "name" in error.value.message_dict
    with org_scope(org_b):
        visible = set(selectors.frameworks().values_list("code", flat=True))
        assert "custom-alpha-customer-schedule" not in visible
        assert "gdpr" in visible


def test_only_managers_create_custom_frameworks(org_a: Any) -> None:
    editor = member(org_a, "editor")
    with org_scope(org_a), pytest.raises(PermissionDenied):
        services.create_custom_framework(actor=principal_for(editor, org_a), name="X")


def test_custom_framework_bad_input(org_a: Any, owner_a: Any) -> None:
    with org_scope(org_a), pytest.raises(ValidationError) as error:
        services.create_custom_framework(actor=principal_for(owner_a, org_a), name=" ", kind="nope")
    assert set(error.value.message_dict) == {"name", "kind"}
