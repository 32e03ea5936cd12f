from trustroom.resilience.models import ActionItem, BcpExercise, DrPlan, FailoverDrill
from trustroom.tenancy.narrowing import occurred_in
from trustroom.tenancy.policies import ALL_ROLES, EDITORS, MANAGERS, ModelPolicy, register

# Every member reads the program's records (an auditor: only what their periods admit); editors keep
# them; managers delete.
register(DrPlan, ModelPolicy(view=ALL_ROLES, add=EDITORS, change=EDITORS, delete=MANAGERS))
# An auditor samples the drills started and the exercises held inside their audit periods.
register(
    FailoverDrill,
    ModelPolicy(view=ALL_ROLES, add=EDITORS, change=EDITORS, delete=MANAGERS),
    period_rule=occurred_in("started_at"),
)
register(
    BcpExercise,
    ModelPolicy(view=ALL_ROLES, add=EDITORS, change=EDITORS, delete=MANAGERS),
    period_rule=occurred_in("held_at"),
)
register(ActionItem, ModelPolicy(view=ALL_ROLES, add=EDITORS, change=EDITORS, delete=MANAGERS))
