from django.apps import AppConfig


class TrustcenterConfig(AppConfig):
    name = "trustroom.trustcenter"
    label = "trustcenter"
    verbose_name = "Trust center"

    def ready(self) -> None:
        # Registers the model policies, then the demo loader (after compliance's: INSTALLED_APPS order).
        from trustroom.trustcenter import demo, policies  # noqa: F401
