"""The application half of tenant isolation: no organization scope, no query."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import member, principal_for
from trustroom.identity.models import ApiToken
from trustroom.identity.services import create_api_token
from trustroom.tenancy.models import Invitation
from trustroom.tenancy.scope import ScopeError, current_org, org_scope


@pytest.fixture
def tokens(org_a: Any, org_b: Any) -> dict[str, Any]:
    made = {}
    for org in (org_a, org_b):
        owner = member(org, "owner")
        with org_scope(org):
            made[org.slug], _ = create_api_token(
                actor=principal_for(owner, org), name=f"{org.slug}-ci", scope="read"
            )
    return made


@pytest.mark.django_db
def test_querying_without_a_scope_raises_instead_of_returning_all_rows(tokens: dict[str, Any]) -> None:
    with pytest.raises(ScopeError, match="No organization scope"):
        ApiToken.objects.all()
    with pytest.raises(ScopeError):
        ApiToken.objects.filter(name__startswith="alpha").count()
    with pytest.raises(ScopeError):
        ApiToken.objects.create(name="x", prefix="p", secret_digest="d", expires_at="2030-01-01T00:00Z")


@pytest.mark.django_db
def test_a_scope_sees_only_its_own_organization(org_a: Any, org_b: Any, tokens: dict[str, Any]) -> None:
    with org_scope(org_a):
        assert list(ApiToken.objects.values_list("name", flat=True)) == ["alpha-co-ci"]
        # Even asking for the other organization's row by id finds nothing.
        assert not ApiToken.objects.filter(pk=tokens["bravo-co"].pk).exists()
        with pytest.raises(ApiToken.DoesNotExist):
            ApiToken.objects.get(pk=tokens["bravo-co"].pk)
    with org_scope(org_b):
        assert list(ApiToken.objects.values_list("name", flat=True)) == ["bravo-co-ci"]
    assert current_org() is None


@pytest.mark.django_db
def test_rows_are_written_only_inside_their_own_scope(org_a: Any, org_b: Any, tokens: dict[str, Any]) -> None:
    token_a = tokens["alpha-co"]
    token_a.name = "renamed"
    with pytest.raises(ScopeError, match="outside an organization scope"):
        token_a.save()
    with org_scope(org_b), pytest.raises(ScopeError, match="inside the scope of organization"):
        token_a.save()
    with org_scope(org_b):
        invitation = Invitation(
            email="x@example.test", role="viewer", secret_digest="0" * 64, expires_at=token_a.expires_at
        )
        invitation.save()  # takes the scope's organization when none is given
        assert invitation.organization_id == org_b.pk


@pytest.mark.django_db
def test_scopes_do_not_nest_across_organizations(org_a: Any, org_b: Any) -> None:
    with org_scope(org_a):
        with org_scope(org_a):  # the same organization may nest
            assert current_org() == org_a
        with pytest.raises(ScopeError, match="Cannot enter"), org_scope(org_b):
            pass
        assert current_org() == org_a
    assert current_org() is None


@pytest.mark.django_db
def test_a_failing_block_leaves_no_scope_behind(org_a: Any) -> None:
    with pytest.raises(RuntimeError), org_scope(org_a):
        raise RuntimeError("boom")
    assert current_org() is None
    with pytest.raises(ScopeError):
        ApiToken.objects.count()
