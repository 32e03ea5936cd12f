from django.apps import AppConfig


class AnswersConfig(AppConfig):
    name = "trustroom.answers"
    label = "answers"
    verbose_name = "Answer bank"

    def ready(self) -> None:
        from trustroom.answers import demo, policies  # noqa: F401  (registers the policies, the demo loader)
        from trustroom.answers.questionnaires import storage

        storage.register()  # questionnaire originals are re-encrypted when data keys rotate
