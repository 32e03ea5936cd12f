"""/o/<org_slug>/answers/: the answer bank and questionnaires; each views module lists its routes."""

from trustroom.answers.views import bank, questionnaires

app_name = "answers"

urlpatterns = [
    *bank.urlpatterns,
    *questionnaires.urlpatterns,
]
