from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "trustroom.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from trustroom.notifications import policies  # noqa: F401  (registers the model policies)
