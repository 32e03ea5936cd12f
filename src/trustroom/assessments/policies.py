from trustroom.assessments.models import Application, Engagement, Finding, SlaPolicy, Vendor
from trustroom.tenancy.narrowing import occurred_in
from trustroom.tenancy.policies import (
    ALL_ROLES,
    EDITORS,
    MANAGERS,
    ModelPolicy,
    editable_by_editors,
    register,
)

# Every member reads the VAPT programme; editors and above record vendors, applications, engagements and
# findings. The SLA policy is the organization's commitment: only owners and admins publish a new version.
# Deleting one (a mistake; anything with history is refused by the services) is a manager's call, as
# deleting a compliance statement or certification is.
_PROGRAMME = ModelPolicy(view=ALL_ROLES, add=EDITORS, change=EDITORS, delete=MANAGERS)
register(Vendor, _PROGRAMME)
register(Application, _PROGRAMME)
# An auditor samples, per audit period, the engagements whose test window opened in it and the findings
# detected in it (vendors, applications and SLA policies are not period records: they read none).
register(Engagement, _PROGRAMME, period_rule=occurred_in("window_start"))
register(Finding, editable_by_editors(), period_rule=occurred_in("detected_at"))
register(SlaPolicy, ModelPolicy(view=ALL_ROLES, add=MANAGERS))

# Scanner imports: members read them; editors and above import (an import writes findings).
from trustroom.assessments.models import FindingImport  # noqa: E402

register(FindingImport, editable_by_editors())
