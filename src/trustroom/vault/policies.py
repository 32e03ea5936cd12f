from django.apps import apps

from trustroom.tenancy.narrowing import followed_from
from trustroom.tenancy.policies import NOBODY, ModelPolicy, editable_by_editors, register
from trustroom.vault.models import Document, OrganizationKey

# Every member reads documents; editors and above upload and delete them.
# An auditor reads only the documents attached to evidence they may read (`tenancy.narrowing`).
register(
    Document,
    editable_by_editors(),
    period_rule=followed_from(lambda: apps.get_model("controls", "Evidence"), "document_id"),
)
# Data keys are handled by the vault's services and the rotate-keys command only, never through views.
register(OrganizationKey, ModelPolicy(view=NOBODY))
