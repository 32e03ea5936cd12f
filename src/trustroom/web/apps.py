from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "trustroom.web"
    label = "web"
    verbose_name = "Web shell"
