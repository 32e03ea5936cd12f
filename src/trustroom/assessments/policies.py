from trustroom.assessments.models import Application, Engagement, Finding, SlaPolicy, Vendor
from trustroom.tenancy.policies import ALL_ROLES, MANAGERS, ModelPolicy, editable_by_editors, register

# Every member reads the VAPT programme; editors and above record vendors, applications, engagements and
# findings. The SLA policy is the organization's commitment: only owners and admins publish a new version.
register(Vendor, editable_by_editors())
register(Application, editable_by_editors())
register(Engagement, editable_by_editors())
register(Finding, editable_by_editors())
register(SlaPolicy, ModelPolicy(view=ALL_ROLES, add=MANAGERS))

# Scanner imports: members read them; editors and above import (an import writes findings).
from trustroom.assessments.models import FindingImport  # noqa: E402

register(FindingImport, editable_by_editors())
