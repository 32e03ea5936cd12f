from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    name = "trustroom.disclosure"
    label = "disclosure"
    verbose_name = "Vulnerability disclosure"

    def ready(self) -> None:
        from trustroom.disclosure import policies  # noqa: F401  (registers the model policies)
        from trustroom.tenancy.demo import register_demo_module

        register_demo_module("trustroom.disclosure.demo")  # runs in INSTALLED_APPS order
