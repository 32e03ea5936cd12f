"""Encrypt TOTP secrets and recovery-code seeds stored in the clear before MFA_ADAPTER encrypted them."""

from typing import Any

from django.db import migrations


def encrypt_existing(apps: Any, schema_editor: Any) -> None:
    from trustroom.identity.mfa_adapter import encrypt_mfa_secret, is_encrypted

    Authenticator = apps.get_model("mfa", "Authenticator")
    alias = schema_editor.connection.alias
    for authenticator in Authenticator.objects.using(alias).filter(type__in=["totp", "recovery_codes"]):
        data = dict(authenticator.data or {})
        changed = False
        for field in ("secret", "seed"):
            value = data.get(field)
            if isinstance(value, str) and not is_encrypted(value):
                data[field] = encrypt_mfa_secret(value)
                changed = True
        codes = data.get("migrated_codes")
        if isinstance(codes, list) and any(not is_encrypted(code) for code in codes):
            data["migrated_codes"] = [
                code if is_encrypted(code) else encrypt_mfa_secret(code) for code in codes
            ]
            changed = True
        if changed:
            authenticator.data = data
            authenticator.save(using=alias, update_fields=["data"])


class Migration(migrations.Migration):
    dependencies = [
        ("identity", "0005_authevent"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(encrypt_existing, migrations.RunPython.noop)]
