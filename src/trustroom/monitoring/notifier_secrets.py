"""Notifier secrets (PagerDuty routing keys, Slack webhook URLs), sealed under the organization's data key.

Stored form `trnotif1:<data key id>:<base64url(nonce || ciphertext || tag)>`, AES-256-GCM as in
`trustroom.monitoring.secrets`, with its own associated-data kind: it names the organization, the record
(its uid) and the field, so a sealed value copied onto another notifier, rule, field or organization
does not open. Rotating the data keys re-seals them through the re-encryptor registered here.
"""

from __future__ import annotations

import base64
import binascii
import json

from django.db import models

from trustroom.monitoring import opened
from trustroom.monitoring.routing_models import Notifier, RoutingRule
from trustroom.tenancy.principal import Principal
from trustroom.vault import keys
from trustroom.vault.crypto import DecryptionError, open_sealed, seal
from trustroom.vault.models import OrganizationKey
from trustroom.vault.rotation import register_reencryptor

PREFIX = "trnotif1"
NOTIFIER_SECRET = "notifier.secret"  # noqa: S105  (a field name in the associated data)
RULE_ROUTING_KEY = "rule.routing_key"


def _aad(*, organization_id: int, record_uid: str, field: str) -> bytes:
    fields = {"v": 1, "kind": "notifier-secret", "org": organization_id, "record": record_uid, "field": field}
    return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()


def _seal(value: str, *, key: OrganizationKey, data_key: bytes, record_uid: str, field: str) -> str:
    aad = _aad(organization_id=key.organization_id, record_uid=record_uid, field=field)
    sealed = seal(data_key, value.encode(), associated_data=aad)
    return f"{PREFIX}:{key.pk}:{base64.urlsafe_b64encode(sealed).decode()}"


def _parse(stored: str) -> tuple[int, bytes]:
    prefix, _, rest = stored.partition(":")
    key_id, _, encoded = rest.partition(":")
    if prefix != PREFIX or not key_id.isdigit() or not encoded:
        raise DecryptionError("The notifier secret is not in the sealed format")
    try:
        return int(key_id), base64.urlsafe_b64decode(encoded.encode())
    except (binascii.Error, ValueError) as exc:
        raise DecryptionError("The notifier secret is not valid base64") from exc


def seal_value(value: str, *, actor: Principal, record_uid: str, field: str) -> str:
    key, data_key = keys.active_key(actor=actor)
    return _seal(value, key=key, data_key=data_key, record_uid=record_uid, field=field)


def open_value(stored: str, *, organization_id: int, record_uid: str, field: str) -> str:
    """The plaintext (in memory only; kept for a few minutes, see `opened`)."""
    cache_key = ("notifier", organization_id, record_uid, field, stored)
    return opened.remember(
        cache_key,
        lambda: _open(stored, organization_id=organization_id, record_uid=record_uid, field=field),
    )


def _open(stored: str, *, organization_id: int, record_uid: str, field: str) -> str:
    key_id, sealed = _parse(stored)
    key = OrganizationKey.objects.filter(pk=key_id).first()  # the scope's own keys only
    if key is None or key.organization_id != organization_id:
        raise DecryptionError("The notifier secret was sealed under a data key this organization lacks")
    aad = _aad(organization_id=organization_id, record_uid=record_uid, field=field)
    return open_sealed(keys.unwrap(key), sealed, associated_data=aad).decode()


def notifier_secret(notifier: Notifier) -> str:
    return open_value(
        notifier.secret_sealed,
        organization_id=notifier.organization_id,
        record_uid=str(notifier.uid),
        field=NOTIFIER_SECRET,
    )


def rule_routing_key(rule: RoutingRule) -> str:
    return open_value(
        rule.routing_key_sealed,
        organization_id=rule.organization_id,
        record_uid=str(rule.uid),
        field=RULE_ROUTING_KEY,
    )


def _reseal_all(
    model: type[models.Model],
    attribute: str,
    field: str,
    old: dict[int, bytes],
    key: OrganizationKey,
    new: bytes,
) -> int:
    count = 0
    for row in model.objects.select_for_update().exclude(**{attribute: ""}):  # type: ignore[attr-defined]
        key_id, sealed = _parse(getattr(row, attribute))
        if key_id not in old:
            raise DecryptionError(f"{model.__name__} {row.pk}: its data key {key_id} is unknown")
        record_uid = str(row.uid)
        aad = _aad(organization_id=row.organization_id, record_uid=record_uid, field=field)
        value = open_sealed(old[key_id], sealed, associated_data=aad).decode()
        setattr(row, attribute, _seal(value, key=key, data_key=new, record_uid=record_uid, field=field))
        row.save(update_fields=[attribute])
        count += 1
    return count


def _reencrypt(old_data_keys: dict[int, bytes], new_key: OrganizationKey, new_data_key: bytes) -> int:
    return _reseal_all(
        Notifier, "secret_sealed", NOTIFIER_SECRET, old_data_keys, new_key, new_data_key
    ) + _reseal_all(RoutingRule, "routing_key_sealed", RULE_ROUTING_KEY, old_data_keys, new_key, new_data_key)


def register() -> None:
    register_reencryptor("notifier_secrets", _reencrypt)
