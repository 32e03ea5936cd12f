"""Custom frameworks: an organization's own (e.g. a customer's security schedule)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from trustroom.audit.services import record_event
from trustroom.compliance.models import Framework, FrameworkKind
from trustroom.tenancy import policies
from trustroom.tenancy.principal import Principal
from trustroom.tenancy.scope import require_org


@transaction.atomic
def create_custom_framework(
    *,
    actor: Principal,
    name: str,
    short_name: str = "",
    description: str = "",
    kind: str = FrameworkKind.OTHER,
) -> Framework:
    """A framework of the organization's own (e.g. a customer's security schedule); no requirements."""
    policies.check(actor, "add", Framework)
    org = require_org()
    name = name.strip()
    short_name = (short_name or name).strip()
    description = description.strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "Give the framework a name."
    elif len(name) > 200:
        errors["name"] = "Use at most 200 characters."
    if len(short_name) > 60:
        errors["short_name"] = "Use at most 60 characters."
    if len(description) > 300:
        errors["description"] = "Use at most 300 characters."
    if kind not in FrameworkKind.values:
        errors["kind"] = f"Kind must be one of: {', '.join(FrameworkKind.values)}."
    code = f"custom-{slugify(name)[:50]}".rstrip("-")
    if not errors and Framework.objects.filter(code=code).exists():
        errors["name"] = "The organization already has a framework with this name."
    if errors:
        raise ValidationError(errors)
    framework = Framework.objects.create(
        organization=org,
        code=code,
        name=name,
        short_name=short_name,
        kind=kind,
        description=description,
        position=5000,
    )
    record_event(
        actor=actor,
        action="framework.created",
        target=framework,
        changes={"name": name, "short_name": short_name, "kind": kind},
    )
    return framework
