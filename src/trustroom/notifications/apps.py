from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "trustroom.notifications"
    label = "notifications"
    verbose_name = "Notifications"
