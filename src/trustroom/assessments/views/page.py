"""The base of the VAPT programme's pages: scoped by the organization mixin, with badges and policy checks
for the templates."""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.http import Http404

from trustroom.assessments.state import SlaState
from trustroom.tenancy.views import OrgPageView

# Badge classes for computed states (the text is always shown too; colour is never the only signal).
SLA_BADGE = {
    SlaState.WITHIN: "active",
    SlaState.APPROACHING: "warn",
    SlaState.BREACHED: "expired",
    SlaState.MET: "active",
    SlaState.NONE: "",
}
SLA_LABEL = {
    SlaState.WITHIN: "Within SLA",
    SlaState.APPROACHING: "Approaching",
    SlaState.BREACHED: "Breached",
    SlaState.MET: "Met",
    SlaState.NONE: "No deadline",
}


class AssessmentsPage(OrgPageView):
    def get_object_or_404(self, model: type[Model], **lookups: Any) -> Any:
        """One of the organization's `model` rows by the URL's pk; another organization's is missing."""
        obj = model._default_manager.filter(pk=self.kwargs["pk"], **lookups).first()
        if obj is None:
            raise Http404(f"No such {model._meta.verbose_name}.")
        return obj
