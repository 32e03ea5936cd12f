from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "trustroom.monitoring"
    label = "monitoring"
    verbose_name = "Monitoring: security alert intake"

    def ready(self) -> None:
        from trustroom.monitoring import (
            checks,  # noqa: F401  (registers the deploy check)
            notifier_secrets,
            policies,  # noqa: F401  (registers the model policies)
            secrets,
        )
        from trustroom.tenancy.demo import register_demo_module

        secrets.register()  # source secrets are re-sealed when the organization's data key rotates
        notifier_secrets.register()  # so are notifier routing keys and webhook URLs
        register_demo_module("trustroom.monitoring.incident_demo")  # one resolved incident
