from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "trustroom.compliance"
    label = "compliance"
    verbose_name = "Compliance"
