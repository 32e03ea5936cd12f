from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "trustroom.tenancy"
    label = "tenancy"
    verbose_name = "Organizations"

    def ready(self) -> None:
        from trustroom.tenancy import policies  # noqa: F401  (registers the model policies)
