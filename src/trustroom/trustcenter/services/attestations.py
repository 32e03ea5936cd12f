"""Publishing an application's "safe to host" attestation in the public trust center (opt-in)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from trustroom.assessments.models import Application
from trustroom.audit.services import record_event
from trustroom.tenancy import policies
from trustroom.tenancy.principal import Principal
from trustroom.tenancy.scope import require_org
from trustroom.trustcenter.cache import invalidate_trust_center
from trustroom.trustcenter.models import SafeToHostPublication


@transaction.atomic
def set_safe_to_host_published(
    *, actor: Principal, application: Application, published: bool
) -> SafeToHostPublication | None:
    """Show (or stop showing) the application's attestation in the trust center. Showing it is only
    the choice: the page shows it while the application is safe to host. Idempotent; returns the
    publication, or None when it is not published."""
    organization = require_org()
    if application.organization_id != organization.pk:
        raise ValidationError({"application": "Choose one of your applications."})
    current = SafeToHostPublication.objects.select_for_update().filter(application=application).first()
    if published:
        policies.check(actor, "add", SafeToHostPublication)
        if current is not None:
            return current
        current = SafeToHostPublication.objects.create(
            organization=organization,
            application=application,
            published_by=actor.user if actor.is_member else None,
        )
        record_event(
            actor=actor,
            action="trustcenter.safe_to_host_published",
            target=current,
            changes={"application": application.name},
        )
    else:
        policies.check(actor, "delete", current or SafeToHostPublication)
        if current is None:
            return None
        record_event(
            actor=actor,
            action="trustcenter.safe_to_host_withdrawn",
            target=current,
            changes={"application": application.name},
        )
        current.delete()
        current = None
    invalidate_trust_center(organization.pk)
    return current
