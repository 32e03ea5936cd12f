from trustroom.disclosure.models import DisclosurePolicy, DisclosureReport, ReportUpdate, RewardEntry
from trustroom.tenancy.policies import ALL_ROLES, EDITORS, MANAGERS, NOBODY, ModelPolicy, register

# Every member reads the disclosure program; editors triage and write updates; managers (owners and
# admins) set the policy and approve or pay rewards. Reports are never deleted (they are evidence).
register(DisclosurePolicy, ModelPolicy(view=ALL_ROLES, add=MANAGERS, change=MANAGERS, delete=NOBODY))
register(DisclosureReport, ModelPolicy(view=ALL_ROLES, add=NOBODY, change=EDITORS, delete=NOBODY))
register(ReportUpdate, ModelPolicy(view=ALL_ROLES, add=EDITORS, change=NOBODY, delete=NOBODY))
register(RewardEntry, ModelPolicy(view=ALL_ROLES, add=EDITORS, change=MANAGERS, delete=NOBODY))
