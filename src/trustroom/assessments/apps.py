from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "trustroom.assessments"
    label = "assessments"
    verbose_name = "Security assessments (VAPT)"

    def ready(self) -> None:
        from trustroom.assessments import policies  # noqa: F401  (registers the model policies)
        from trustroom.tenancy.demo import register_demo_module

        register_demo_module("trustroom.assessments.demo")  # runs in INSTALLED_APPS order
