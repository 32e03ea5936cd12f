"""The demo organization (`demo-co`): loaded by `trustroom demo`, idempotently.

Later capabilities add their demo records with a module of their own, registered with
`register_demo_module` in their AppConfig.ready(); its `load_demo(principal)` runs inside
the demo organization's scope with a system principal and must itself be idempotent.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module

from django.contrib.auth import get_user_model
from django.db import transaction

from trustroom.tenancy.models import Organization
from trustroom.tenancy.principal import Principal, system_principal
from trustroom.tenancy.scope import org_scope
from trustroom.tenancy.services import create_organization

DEMO_SLUG = "demo-co"
DEMO_ADMIN_EMAIL = "admin@demo-co.example"
DEMO_PROFILE = {
    "legal_name": "Demo Co Private Limited",
    "registration_number": "U72900KA2015PTC000001",
    "tax_id": "29AAAAA0000A1Z5",
    "website": "https://demo-co.example",
}

# Dotted paths of modules with a `load_demo(principal)` function, run in this order (apps register theirs
# in AppConfig.ready(), so INSTALLED_APPS order). Imported only when the demo is loaded: a command that
# never loads the demo does not pay for the demo modules' imports.
DEMO_MODULES: list[str] = []


def register_demo_module(path: str) -> None:
    if path not in DEMO_MODULES:
        DEMO_MODULES.append(path)


@dataclass(frozen=True)
class DemoResult:
    organization: Organization
    admin_email: str
    admin_password: str | None  # only when the admin was created by this run
    created_organization: bool


@transaction.atomic
def load_demo() -> DemoResult:
    user_model = get_user_model()
    password: str | None = None
    admin = user_model.objects.filter(email=DEMO_ADMIN_EMAIL).first()
    if admin is None:
        password = secrets.token_urlsafe(15)
        admin = user_model.objects.create_user(DEMO_ADMIN_EMAIL, password, full_name="Demo Admin")
        from allauth.account.models import EmailAddress

        EmailAddress.objects.get_or_create(
            user=admin, email=admin.email, defaults={"verified": True, "primary": True}
        )
    organization = Organization.objects.filter(slug=DEMO_SLUG).first()
    created = organization is None
    if organization is None:
        organization = create_organization(actor=admin, slug=DEMO_SLUG, name="Demo Co", **DEMO_PROFILE)
    with org_scope(organization):
        principal = system_principal(organization)
        for path in DEMO_MODULES:
            loader: Callable[[Principal], None] = import_module(path).load_demo
            loader(principal)
    return DemoResult(organization, DEMO_ADMIN_EMAIL, password, created)
