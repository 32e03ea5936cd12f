"""Demo Co's access inventory, grants and need-to-know requests (a demo module, registered in apps.py).

Four systems (Customer Portal, Core API, Data warehouse, AWS production account), each with testing,
demo, pre-production, staging and production environments; a DevOps group of four; grants, some expiring
within days and one already expired with its revocation task open; and requests in every status, one of
them waiting for the demo admin's approval as line manager. Everything is written through the services,
as the people involved. Idempotent: each part is made only when it is missing.

The demo's colleagues are members who joined through invitations; their passwords are random (they are
there to be named as requesters and approvers, not to sign in).
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from trustroom.access.models import (
    AccessGrant,
    AccessGroup,
    AccessRequest,
    Environment,
    EnvironmentKind,
    GrantSource,
    System,
)
from trustroom.access.services import grants, inventory, requests
from trustroom.tenancy.models import Membership, Role
from trustroom.tenancy.principal import Principal
from trustroom.tenancy.services import accept_invitation_as_new_user, invite_member

DOMAIN = "demo-co.example"
PEOPLE = {
    # key: (name, role)
    "priya": ("Priya Raman", Role.EDITOR),  # engineering manager: line manager of most requests
    "arjun": ("Arjun Mehta", Role.ADMIN),  # head of engineering: the business-unit head
    "meera": ("Meera Iyer", Role.EDITOR),  # DevOps lead: provisions access
    "lena": ("Lena Fischer", Role.EDITOR),  # site reliability engineer
    "kabir": ("Kabir Shah", Role.VIEWER),  # backend developer
    "omar": ("Omar Haddad", Role.VIEWER),  # data analyst
}
SYSTEMS = (
    ("Customer Portal", "The web application customers sign in to.", "high"),
    ("Core API", "The public and partner REST API.", "moderate"),
    ("Data warehouse", "Analytics warehouse with customer order history.", "high"),
    ("AWS production account", "The cloud account that runs production.", "critical"),
)
KINDS = (
    EnvironmentKind.TESTING,
    EnvironmentKind.DEMO,
    EnvironmentKind.PREPROD,
    EnvironmentKind.STAGING,
    EnvironmentKind.PRODUCTION,
)
DEVOPS = ("meera", "lena", "arjun", "priya")


def _email(key: str) -> str:
    return f"{key}@{DOMAIN}"


def _people(principal: Principal) -> dict[str, Any]:
    """The demo colleagues as members (joined through an invitation the first time)."""
    users: dict[str, Any] = {}
    user_model = get_user_model()
    for key, (name, role) in PEOPLE.items():
        user = user_model.objects.filter(email=_email(key)).first()
        if user is None:
            invitation, _secret = invite_member(actor=principal, email=_email(key), role=role)
            membership = accept_invitation_as_new_user(
                invitation=invitation, full_name=name, password=secrets.token_urlsafe(24)
            )
            user = membership.user
        users[key] = user
    return users


def _as(principal: Principal, user: Any) -> Principal:
    membership = Membership.objects.get(organization=principal.organization, user=user)
    return Principal(organization=principal.organization, role=membership.role, user=user)


def _admin(principal: Principal) -> Any:
    first = Membership.objects.filter(organization=principal.organization, role=Role.OWNER).order_by("pk")
    return first.first().user if first.exists() else None  # type: ignore[union-attr]


def _inventory(principal: Principal, owner: Any, meera: Any) -> dict[tuple[str, str], Environment]:
    envs: dict[tuple[str, str], Environment] = {}
    for name, description, sensitivity in SYSTEMS:
        system = System.objects.filter(name=name).first()
        if system is None:
            system_owner = meera if name == "AWS production account" else owner
            system = inventory.create_system(
                actor=principal,
                name=name,
                description=description,
                sensitivity=sensitivity,
                owner=system_owner,
            )
        for kind in KINDS:
            env = Environment.objects.filter(system=system, kind=kind, name="").first()
            if env is None:
                env = inventory.create_environment(actor=principal, system=system, kind=kind)
            envs[(name, kind)] = env
    return envs


def _group(principal: Principal) -> None:
    if AccessGroup.objects.filter(name="DevOps").exists():
        return
    group = inventory.create_group(
        actor=principal, name="DevOps", description="May hold production access (AWS, databases)."
    )
    inventory.add_group_members(actor=principal, group=group, emails=[_email(key) for key in DEVOPS])


def _grants(principal: Principal, envs: dict[tuple[str, str], Environment]) -> None:
    if AccessGrant.objects.filter(source=GrantSource.MANUAL).exists():
        return
    now = timezone.now()
    plan = (
        ("AWS production account", "meera", "admin", None),
        ("AWS production account", "lena", "write", now + timedelta(days=5)),  # expiring soon
        ("Data warehouse", "omar", "read", now + timedelta(days=2)),  # expiring soon
        ("Core API", "kabir", "write", now + timedelta(days=60)),
        ("Customer Portal", "lena", "read", None),
    )
    for system, key, privilege, expires in plan:
        grants.record_grant(
            actor=principal,
            environment=envs[
                (system, EnvironmentKind.PRODUCTION if system != "Core API" else EnvironmentKind.STAGING)
            ],
            person_email=_email(key),
            privilege=privilege,
            expires_at=expires,
        )
    # A contractor's access that ran out last week: recorded as it was then (the demo places it in the
    # past), so the expiry job opens its revocation task and tells the system owner.
    contractor = grants.record_grant(
        actor=principal,
        environment=envs[("Customer Portal", EnvironmentKind.PRODUCTION)],
        person_email="contractor@partner.example",
        person_name="Sam Contractor",
        privilege="write",
        expires_at=now + timedelta(days=1),
    )
    AccessGrant.objects.filter(pk=contractor.pk).update(
        granted_at=now - timedelta(days=37), expires_at=now - timedelta(days=7)
    )
    grants.expire_grants(organization=principal.organization, now=now)


JUSTIFICATIONS = {
    "warehouse": "Build the quarterly churn report for the board (ANL-318); read access to order history.",
    "aws": "Read CloudWatch logs while on call next week for the payments incident rota.",
    "api": "Deploy and verify the rate-limit fix on staging before the release (API-902).",
    "portal": "Investigate the failing checkout flow reported by customers (INC-2211).",
    "warehouse-admin": "Create a new schema for the marketing attribution experiment.",
    "portal-testing": "Reproduce a UI bug in testing; no longer needed after pairing with QA.",
    "api-testing": "Run the new contract tests against the testing environment (API-915).",
}


def _requests(principal: Principal, envs: dict[tuple[str, str], Environment], people: dict[str, Any]) -> None:
    if AccessRequest.objects.exists():
        return
    prod = EnvironmentKind.PRODUCTION
    priya, arjun = people["priya"], people["arjun"]

    def submit(who: str, env: Environment, privilege: str, why: str, days: int, manager: Any = priya) -> Any:
        return requests.submit_request(
            actor=_as(principal, people[who]),
            environment=env,
            privilege=privilege,
            justification=JUSTIFICATIONS[why],
            duration_days=days,
            line_manager=manager,
            business_unit_head=arjun,
        )

    def approve(request: Any, user: Any, comment: str = "") -> None:
        requests.approve_request(actor=_as(principal, user), request=request, comment=comment)

    # Waiting for the line manager.
    submit("omar", envs[("Data warehouse", prod)], "read", "warehouse", 30)
    # Waiting for the business-unit head.
    aws = submit("lena", envs[("AWS production account", prod)], "read", "aws", 7)
    approve(aws, priya, "On call next week: fine.")
    # Approved, waiting for provisioning (staging needs the line manager only).
    api = submit("kabir", envs[("Core API", EnvironmentKind.STAGING)], "admin", "api", 14)
    approve(api, priya)
    # Provisioned.
    portal = submit("kabir", envs[("Customer Portal", prod)], "read", "portal", 5)
    approve(portal, priya, "Needed for INC-2211.")
    approve(portal, arjun, "Read only, five days.")
    requests.provision_request(actor=_as(principal, people["meera"]), request=portal)
    # Denied.
    denied = submit("omar", envs[("Data warehouse", prod)], "admin", "warehouse-admin", 90)
    requests.deny_request(
        actor=_as(principal, priya),
        request=denied,
        comment="Ask the data platform team to create the schema.",
    )
    # Cancelled by the requester.
    cancelled = submit(
        "kabir", envs[("Customer Portal", EnvironmentKind.TESTING)], "write", "portal-testing", 3
    )
    requests.cancel_request(actor=_as(principal, people["kabir"]), request=cancelled)
    # Waiting for the demo admin, named as line manager.
    admin = _admin(principal)
    if admin is not None:
        submit(
            "kabir", envs[("Core API", EnvironmentKind.TESTING)], "write", "api-testing", 30, manager=admin
        )


def load_demo(principal: Principal) -> None:
    people = _people(principal)
    owner = _admin(principal)
    envs = _inventory(principal, owner, people["meera"])
    _group(principal)
    _grants(principal, envs)
    _requests(principal, envs, people)
