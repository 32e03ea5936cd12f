from trustroom.tenancy.policies import NOBODY, ModelPolicy, editable_by_editors, register
from trustroom.vault.models import Document, OrganizationKey

# Every member reads documents; editors and above upload and delete them.
register(Document, editable_by_editors())
# Data keys are handled by the vault's services and the rotate-keys command only, never through views.
register(OrganizationKey, ModelPolicy(view=NOBODY))
