from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "trustroom.access"
    label = "access"
    verbose_name = "Access: inventory, need-to-know requests and reviews"

    def ready(self) -> None:
        from trustroom.access import policies  # noqa: F401  (registers the model policies)
