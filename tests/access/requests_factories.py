"""Helpers that build access records the way the product does: through the service functions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tests.factories import member, principal_for
from trustroom.access.models import AccessGrant, AccessRequest, Environment, System
from trustroom.access.services import grants, inventory, requests
from trustroom.tenancy.models import Organization
from trustroom.tenancy.scope import org_scope

JUSTIFICATION = "Investigate the failing nightly billing job (ticket OPS-1234)."


def in_scope(organization: Organization, fn: Any, **kwargs: Any) -> Any:
    """`fn(**kwargs)` inside the organization's scope; an exception is raised after the scope closes, so
    a refused write does not leave the test's transaction broken (the service rolled its savepoint back)."""
    failure: Exception | None = None
    with org_scope(organization):
        try:
            return fn(**kwargs)
        except Exception as error:
            failure = error
    raise failure


def system_with_envs(
    organization: Organization, by: Any, name: str = "Core API", *, owner: Any = None, **fields: Any
) -> tuple[System, dict[str, Environment]]:
    """A system with testing, staging and production environments, keyed by kind."""
    actor = principal_for(by, organization)
    with org_scope(organization):
        system = inventory.create_system(actor=actor, name=name, owner=owner, **fields)
        envs = {
            kind: inventory.create_environment(actor=actor, system=system, kind=kind)
            for kind in ("testing", "staging", "production")
        }
    return system, envs


def chain(organization: Organization) -> dict[str, Any]:
    """The people of an approval chain: requester (editor), manager, head (editors), an owner, an editor."""
    return {
        "requester": member(organization, "editor", email="req@example.test"),
        "manager": member(organization, "editor", email="manager@example.test"),
        "head": member(organization, "editor", email="head@example.test"),
        "owner": member(organization, "owner", email="boss@example.test"),
        "editor": member(organization, "editor", email="ops@example.test"),
    }


def submit(
    organization: Organization,
    requester: Any,
    environment: Environment,
    *,
    manager: Any,
    head: Any = None,
    privilege: str = "read",
    days: int = 30,
) -> AccessRequest:
    return in_scope(
        organization,
        requests.submit_request,
        actor=principal_for(requester, organization),
        environment=environment,
        privilege=privilege,
        justification=JUSTIFICATION,
        duration_days=days,
        line_manager=manager,
        business_unit_head=head,
    )


def grant(
    organization: Organization,
    by: Any,
    environment: Environment,
    email: str,
    *,
    privilege: str = "read",
    expires_at: datetime | None = None,
) -> AccessGrant:
    return in_scope(
        organization,
        grants.record_grant,
        actor=principal_for(by, organization),
        environment=environment,
        person_email=email,
        privilege=privilege,
        expires_at=expires_at,
    )
