from trustroom.answers.models import AnswerEntry, AnswerEvidence, Questionnaire, QuestionnaireItem
from trustroom.tenancy.policies import ALL_ROLES, EDITORS, MANAGERS, ModelPolicy, register

# Like the compliance register: every member reads, editors write, owners and admins delete.
register(AnswerEntry, ModelPolicy(view=ALL_ROLES, add=EDITORS, change=EDITORS, delete=MANAGERS))
register(AnswerEvidence, ModelPolicy(view=ALL_ROLES, add=EDITORS, change=EDITORS, delete=MANAGERS))
register(Questionnaire, ModelPolicy(view=ALL_ROLES, add=EDITORS, change=EDITORS, delete=MANAGERS))
register(QuestionnaireItem, ModelPolicy(view=ALL_ROLES, add=EDITORS, change=EDITORS, delete=MANAGERS))
