from trustroom.resilience.models import ActionItem, BcpExercise, DrPlan, FailoverDrill
from trustroom.tenancy.policies import ALL_ROLES, EDITORS, MANAGERS, ModelPolicy, register

# Every member reads the program's records (auditors included); editors keep them; managers delete.
register(DrPlan, ModelPolicy(view=ALL_ROLES, add=EDITORS, change=EDITORS, delete=MANAGERS))
register(FailoverDrill, ModelPolicy(view=ALL_ROLES, add=EDITORS, change=EDITORS, delete=MANAGERS))
register(BcpExercise, ModelPolicy(view=ALL_ROLES, add=EDITORS, change=EDITORS, delete=MANAGERS))
register(ActionItem, ModelPolicy(view=ALL_ROLES, add=EDITORS, change=EDITORS, delete=MANAGERS))
