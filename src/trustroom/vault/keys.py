"""Per-organization data keys: create, unwrap, re-wrap. Runs inside the organization's scope."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from trustroom.audit.services import record_event
from trustroom.tenancy.narrowing import unnarrowed
from trustroom.tenancy.principal import Principal
from trustroom.tenancy.scope import require_org
from trustroom.vault import crypto
from trustroom.vault.models import OrganizationKey


def unwrap(org_key: OrganizationKey) -> bytes:
    """The plaintext data key (held in memory only for the operation at hand)."""
    kek = crypto.get_kek()
    if org_key.kek_key_id != kek.key_id:
        raise crypto.KeysetError(
            f"Data key v{org_key.version} of organization {org_key.organization_id} was wrapped by the "
            f"key-encryption keyset {org_key.kek_key_id}, but the configured keyset is {kek.key_id} "
            f"({crypto.kek_path()}). Is TRUSTROOM_KEK_PATH pointing at the right file?"
        )
    return kek.unwrap(
        bytes(org_key.wrapped_key),
        version=org_key.kek_version,
        associated_data=crypto.data_key_aad(
            organization_id=org_key.organization_id, key_version=org_key.version
        ),
    )


def active_key(*, actor: Principal) -> tuple[OrganizationKey, bytes]:
    """The organization's active data key, made (and audit-logged) on first use."""
    org = require_org()
    with unnarrowed():  # key material: internal, never narrowed to what an auditor reads
        existing = OrganizationKey.objects.filter(is_active=True).first()
    if existing is not None:
        return existing, unwrap(existing)
    try:
        with transaction.atomic():
            return create_key(actor=actor, version=1)
    except IntegrityError:  # a concurrent first upload made it: use that one
        key = OrganizationKey.objects.get(organization_id=org.pk, is_active=True)
        return key, unwrap(key)


def create_key(*, actor: Principal, version: int, audit: bool = True) -> tuple[OrganizationKey, bytes]:
    org = require_org()
    data_key = crypto.new_data_key()
    wrapped = crypto.get_kek().wrap(
        data_key, associated_data=crypto.data_key_aad(organization_id=org.pk, key_version=version)
    )
    key = OrganizationKey.objects.create(
        organization=org,
        version=version,
        wrapped_key=wrapped.wrapped,
        kek_key_id=wrapped.kek_key_id,
        kek_version=wrapped.kek_version,
        is_active=True,
    )
    if not audit:
        return key, data_key
    record_event(
        actor=actor,
        action="organization_key.created",
        target=key,
        changes={"version": version, "kek_key_id": wrapped.kek_key_id, "kek_version": wrapped.kek_version},
    )
    return key, data_key


@transaction.atomic
def rewrap_organization_keys(*, actor: Principal) -> int:
    """Re-wrap every data key of the scope's organization with the KEK's primary version.

    All of the organization's keys change in one transaction (all or none); one audit event per
    organization. Returns how many keys were re-wrapped (0 when all already use the primary).
    """
    kek = crypto.get_kek()
    primary = kek.primary_version
    keys = list(OrganizationKey.objects.select_for_update().order_by("version"))
    changed: list[dict[str, int]] = []
    now = timezone.now()
    for key in keys:
        if key.kek_version == primary and key.kek_key_id == kek.key_id:
            continue
        data_key = unwrap(key)
        wrapped = kek.wrap(
            data_key,
            associated_data=crypto.data_key_aad(organization_id=key.organization_id, key_version=key.version),
        )
        changed.append(
            {
                "version": key.version,
                "from_kek_version": key.kek_version,
                "to_kek_version": wrapped.kek_version,
            }
        )
        key.wrapped_key = wrapped.wrapped
        key.kek_key_id = wrapped.kek_key_id
        key.kek_version = wrapped.kek_version
        key.rotated_at = now
        key.save(update_fields=["wrapped_key", "kek_key_id", "kek_version", "rotated_at"])
    if changed:
        record_event(
            actor=actor,
            action="organization_key.rewrapped",
            target=require_org(),
            changes={"kek_key_id": kek.key_id, "kek_version": primary, "keys": changed},
        )
    return len(changed)


def keys_not_on_primary() -> int:
    """How many of the organization's data keys are wrapped by another KEK version than the primary."""
    kek = crypto.get_kek()
    return sum(
        1
        for key in OrganizationKey.objects.only("kek_key_id", "kek_version")
        if key.kek_version != kek.primary_version or key.kek_key_id != kek.key_id
    )
