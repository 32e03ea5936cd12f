from django.apps import AppConfig


class VaultConfig(AppConfig):
    name = "trustroom.vault"
    label = "vault"
    verbose_name = "Document vault"

    def ready(self) -> None:
        from trustroom.vault import policies  # noqa: F401  (registers policies)
