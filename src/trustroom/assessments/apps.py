from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "trustroom.assessments"
    label = "assessments"
    verbose_name = "Security assessments (VAPT)"

    def ready(self) -> None:
        from trustroom.assessments import demo, policies  # noqa: F401  (registers policies, the demo loader)
