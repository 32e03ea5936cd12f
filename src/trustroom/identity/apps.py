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
