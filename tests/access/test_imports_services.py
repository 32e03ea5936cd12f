"""CSV imports of current access: parsing with line-numbered errors, the diff, applying it."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.access import factories as f
from tests.factories import member, principal_for
from trustroom.access.models import AccessGrant, AccessImport, RevocationTask
from trustroom.access.services import imports
from trustroom.access.state import active_grants_q
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org_a: Any, owner_a: Any) -> dict[str, Any]:
    billing = f.system(org_a, "Billing")
    other = f.system(org_a, "Wiki")
    prod = f.environment(org_a, billing, "production")
    f.environment(org_a, billing, "custom", name="eu-west")
    wiki = f.environment(org_a, other, "production")
    grants = {
        "same": f.grant(org_a, prod, "same@alpha.test", "read"),
        "changed": f.grant(org_a, prod, "changed@alpha.test", "read"),
        "gone": f.grant(org_a, prod, "gone@alpha.test", "write"),
        "wiki": f.grant(org_a, wiki, "wiki@alpha.test", "read"),  # another system: not in the diff
    }
    return {"org": org_a, "owner": principal_for(owner_a, org_a), "grants": grants}


GOOD = (
    "User,Application,Env,Role,Full name\n"
    "same@alpha.test,Billing,production,read,Same\n"
    "CHANGED@alpha.test,billing,Production,ADMIN,Changed\n"
    "new@alpha.test,Billing,eu-west,write,New Person\n"
)


def test_diff_new_missing_changed_matching(world: dict[str, Any]) -> None:
    with org_scope(world["org"]):
        result = imports.create_import(
            actor=world["owner"], source="Okta", content=GOOD.encode(), filename="okta.csv"
        )
        diff = result.diff
        assert result.row_count == 3
        assert diff["matching"] == 1
        assert [(e["email"], e["environment"], e["privilege"]) for e in diff["new"]] == [
            ("new@alpha.test", "eu-west", "write")
        ]
        assert [(e["email"], e["recorded_privilege"], e["privilege"]) for e in diff["changed"]] == [
            ("changed@alpha.test", "read", "admin")
        ]
        assert [e["email"] for e in diff["missing"]] == ["gone@alpha.test"]


def test_every_bad_row_is_reported_and_nothing_is_stored(world: dict[str, Any]) -> None:
    content = (
        "email,system,environment,privilege\n"
        "not-an-email,Billing,production,read\n"
        "a@alpha.test,Payroll,production,read\n"
        "b@alpha.test,Billing,moon,read\n"
        "c@alpha.test,Billing,production,superuser\n"
        "d@alpha.test,Billing,production,read\n"
        "d@alpha.test,Billing,production,write\n"
    )
    with org_scope(world["org"]):
        with pytest.raises(ValidationError) as error:
            imports.create_import(actor=world["owner"], source="Okta", content=content.encode())
        messages = error.value.message_dict["file"]
        assert messages[0].startswith("Line 2: email 'not-an-email'")
        assert "Line 3: system 'Payroll' is not in the inventory" in messages[1]
        assert "Line 4: Billing has no environment 'moon'" in messages[2]
        assert "Line 5: privilege 'superuser'" in messages[3]
        assert "Line 7: repeats line 6" in messages[4]
        assert len(messages) == 5
        assert not AccessImport.objects.exists()


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"", "empty"),
        (b"email,system\nx@y.test,Billing\n", "missing: environment, privilege"),
        (b"email,system,env,role\n", "no rows"),
        (b"\xff\xfe\x00bad", "UTF-8"),
        (b"e" * (imports.MAX_BYTES + 1), "larger than"),
    ],
)
def test_file_level_errors(world: dict[str, Any], content: bytes, fragment: str) -> None:
    with org_scope(world["org"]), pytest.raises(ValidationError) as error:
        imports.create_import(actor=world["owner"], source="Okta", content=content)
    assert fragment in " ".join(error.value.message_dict["file"])


def test_apply_creates_changes_and_opens_revocations_once(world: dict[str, Any], org_a: Any) -> None:
    viewer = principal_for(member(org_a, "viewer"), org_a)
    with org_scope(world["org"]):
        result = imports.create_import(actor=world["owner"], source="Okta", content=GOOD.encode())
        with pytest.raises(PermissionDenied):
            imports.apply_import(actor=viewer, access_import=result)
        counts = imports.apply_import(actor=world["owner"], access_import=result)
        assert counts == {"created": 1, "changed": 1, "revocations": 1, "skipped": 0}
        new = AccessGrant.objects.get(person_email="new@alpha.test")
        assert (new.source, new.privilege, new.person_name) == ("import", "write", "New Person")
        assert AccessGrant.objects.get(pk=world["grants"]["changed"].pk).privilege == "admin"
        task = RevocationTask.objects.get()
        assert (task.grant_id, task.reason) == (world["grants"]["gone"].pk, "import")
        # The grant stays active until the revocation is confirmed.
        assert AccessGrant.objects.filter(active_grants_q(), pk=world["grants"]["gone"].pk).exists()
        with pytest.raises(ValidationError, match="already applied"):
            imports.apply_import(actor=world["owner"], access_import=result)
