from trustroom.assessments.models import Application, Engagement, Finding, SlaPolicy, Vendor
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
register(Engagement, _PROGRAMME)
register(Finding, editable_by_editors())
register(SlaPolicy, ModelPolicy(view=ALL_ROLES, add=MANAGERS))

# Scanner imports: members read them; editors and above import (an import writes findings).
from trustroom.assessments.models import FindingImport  # noqa: E402

register(FindingImport, editable_by_editors())
