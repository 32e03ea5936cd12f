from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "trustroom.audit"
    label = "audit"
    verbose_name = "Audit log"

    def ready(self) -> None:
        from trustroom.audit import policies  # noqa: F401  (registers the model policies)
