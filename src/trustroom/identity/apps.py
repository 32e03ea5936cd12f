from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "trustroom.identity"
    label = "identity"
    verbose_name = "Identity"

    def ready(self) -> None:
        from trustroom.identity import (
            policies,  # noqa: F401  (registers policies)
            receivers,  # noqa: F401  (authentication events)
        )
        from trustroom.identity.sso import secrets

        secrets.register()  # SSO client secrets are re-encrypted when data keys rotate

        from trustroom.identity import mfa_adapter
        from trustroom.vault.rotation import KekSealedSecrets, register_kek_sealed

        # TOTP secrets and recovery-code seeds are sealed under the KEK itself: re-wrapped at rotation.
        register_kek_sealed(
            "mfa_secrets",
            KekSealedSecrets(
                rewrap=mfa_adapter.rewrap_mfa_secrets, count_behind=mfa_adapter.mfa_secrets_behind
            ),
        )
