from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "trustroom.identity"
    label = "identity"
    verbose_name = "Identity"

    def ready(self) -> None:
        from trustroom.identity import policies, schema  # noqa: F401  (registers policies, schema extension)
