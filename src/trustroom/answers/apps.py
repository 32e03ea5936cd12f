from django.apps import AppConfig


class AnswersConfig(AppConfig):
    name = "trustroom.answers"
    label = "answers"
    verbose_name = "Answer bank"

    def ready(self) -> None:
        from trustroom.answers import policies  # noqa: F401  (registers the policies)
        from trustroom.answers.questionnaires import storage

        storage.register()  # questionnaire originals are re-encrypted when data keys rotate
