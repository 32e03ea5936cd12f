from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "trustroom.compliance"
    label = "compliance"
    verbose_name = "Compliance"

    def ready(self) -> None:
        from trustroom.compliance import demo, policies  # noqa: F401  (registers policies, the demo loader)
