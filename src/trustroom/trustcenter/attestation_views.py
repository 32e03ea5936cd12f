"""/o/<org_slug>/trust-center/safe-to-host/: which applications' "safe to host" attestation the public
trust center may show (opt-in per application), and what it shows of each now."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse

from trustroom.tenancy.forms import add_service_errors
from trustroom.tenancy.views import status_for
from trustroom.trustcenter import services
from trustroom.trustcenter.attestations import safe_to_host_choices
from trustroom.trustcenter.forms import SafeToHostForm
from trustroom.trustcenter.models import SafeToHostPublication
from trustroom.trustcenter.views import TrustCenterPage


class SafeToHostView(TrustCenterPage):
    model = SafeToHostPublication
    tab = "safe-to-host"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_page(None)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = SafeToHostForm(request.POST)
        if form.is_valid():
            application, published = form.cleaned_data["application"], form.cleaned_data["published"]
            try:
                services.set_safe_to_host_published(
                    actor=self.principal, application=application, published=published
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if published:
                    messages.success(
                        request,
                        f"The trust center shows {application.name}'s attestation while it is safe to host.",
                    )
                else:
                    messages.success(request, f"The trust center no longer shows {application.name}.")
                return self.back("safe-to-host")
        return self.render_page(form)

    def render_page(self, form: SafeToHostForm | None) -> HttpResponse:
        return self.render_tab(
            "trustcenter/admin/safe_to_host.html",
            status=status_for(form),
            form=form,
            choices=safe_to_host_choices(),
            can_edit=self.allows("add", SafeToHostPublication),
            page_title="Safe to host attestations",
        )
