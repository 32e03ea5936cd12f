from django.apps import AppConfig


class ResilienceConfig(AppConfig):
    name = "trustroom.resilience"
    label = "resilience"
    verbose_name = "Resilience"

    def ready(self) -> None:
        from trustroom.resilience import policies  # noqa: F401  (registers the model policies)
        from trustroom.tenancy.demo import register_demo_module

        register_demo_module("trustroom.resilience.demo")  # runs in INSTALLED_APPS order
