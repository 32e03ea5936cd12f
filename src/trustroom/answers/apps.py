from django.apps import AppConfig


class AnswersConfig(AppConfig):
    name = "trustroom.answers"
    label = "answers"
    verbose_name = "Answer bank"

    def ready(self) -> None:
        from trustroom.answers import policies  # noqa: F401  (registers the model policies)
        from trustroom.tenancy.demo import register_demo_module

        register_demo_module("trustroom.answers.demo")  # runs in INSTALLED_APPS order
        from trustroom.answers.questionnaires import storage

        storage.register()  # questionnaire originals are re-encrypted when data keys rotate
