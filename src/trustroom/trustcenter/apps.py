from django.apps import AppConfig


class TrustcenterConfig(AppConfig):
    name = "trustroom.trustcenter"
    label = "trustcenter"
    verbose_name = "Trust center"
