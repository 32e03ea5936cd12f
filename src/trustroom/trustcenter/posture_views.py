"""/o/<org_slug>/trust-center/posture/: every public claim, the controls bound to it, their states and
what the public trust center shows of it; bind and unbind controls (managers) and choose the policy for
claims whose controls are not all ready (show as not currently verified, or hide): the organization's
default, and per claim an override (`posture/claim-policy/`)."""

from __future__ import annotations

from typing import Any, ClassVar, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from trustroom.controls.models import ClaimBinding, Control
from trustroom.controls.services.posture import bind_claim, unbind_claim
from trustroom.tenancy.forms import add_service_errors
from trustroom.tenancy.views import status_for
from trustroom.trustcenter import selectors, services
from trustroom.trustcenter.models import ClaimPolicy, ClaimPosturePolicy
from trustroom.trustcenter.posture_claims import claim_rows
from trustroom.trustcenter.views import TrustCenterPage


class BindForm(forms.Form):
    claim_key = forms.CharField(label="Claim", max_length=120)
    control: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="Control", queryset=None, error_messages={"invalid_choice": "Choose one of your controls."}
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["control"]).queryset = Control.objects.order_by("key")


class PolicyForm(forms.Form):
    claim_posture_policy = forms.ChoiceField(
        label="When a bound control is failing, stale or missing evidence",
        choices=ClaimPosturePolicy.choices,
        widget=forms.RadioSelect,
    )


class ClaimPolicyForm(forms.Form):
    claim_key = forms.CharField(label="Claim", max_length=120)
    policy = forms.ChoiceField(label="Policy", choices=services.CLAIM_POLICY_CHOICES)


class PostureView(TrustCenterPage):
    model = ClaimBinding
    tab = "posture"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_page()

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if "claim_posture_policy" in request.POST:
            policy_form = PolicyForm(request.POST)
            if policy_form.is_valid():
                try:
                    services.update_settings(actor=self.principal, **policy_form.cleaned_data)
                except ValidationError as error:
                    add_service_errors(policy_form, error)
                else:
                    messages.success(request, "Posture policy saved.")
                    return self.back("posture")
            return self.render_page(policy_form=policy_form)
        bind_form = BindForm(request.POST)
        if bind_form.is_valid():
            try:
                bind_claim(actor=self.principal, **bind_form.cleaned_data)
            except ValidationError as error:
                add_service_errors(bind_form, error)
            else:
                messages.success(request, f"Bound to control {bind_form.cleaned_data['control'].key}.")
                return self.back("posture")
        return self.render_page(bind_form=bind_form)

    def render_page(
        self,
        *,
        bind_form: BindForm | None = None,
        policy_form: PolicyForm | None = None,
        claim_policy_form: ClaimPolicyForm | None = None,
    ) -> HttpResponse:
        config = selectors.trust_center_settings()
        return self.render_tab(
            "trustcenter/admin/posture.html",
            status=status_for(bind_form or policy_form or claim_policy_form),
            rows=claim_rows(self.organization),
            bind_form=bind_form or BindForm(),
            policy_form=policy_form
            or PolicyForm(initial={"claim_posture_policy": config.claim_posture_policy}),
            can_bind=self.allows("add", ClaimBinding),
            can_unbind=self.allows("delete", ClaimBinding),
            can_set_policy=self.allows("change", config),
            claim_policy_form=claim_policy_form or ClaimPolicyForm(),
            can_set_claim_policy=self.allows("change", ClaimPolicy),
            page_title="Trust posture",
        )


class ClaimPolicyView(PostureView):
    """POST: one claim's own policy (inherit the default, show as not currently verified, or hide)."""

    permission_action = "change"
    http_method_names: ClassVar[list[str]] = ["post"]  # type: ignore[misc]

    def permission_model(self) -> type[Model]:
        return ClaimPolicy

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = ClaimPolicyForm(request.POST)
        if form.is_valid():
            try:
                services.set_claim_policy(actor=self.principal, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Policy of {form.cleaned_data['claim_key']} saved.")
                return self.back("posture")
        return self.render_page(claim_policy_form=form)


class UnbindView(TrustCenterPage):
    model = ClaimBinding
    permission_action = "delete"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        binding = get_object_or_404(ClaimBinding.objects.select_related("control"), pk=kwargs["pk"])
        unbind_claim(actor=self.principal, binding=binding)
        messages.success(request, f"Control {binding.control.key} no longer backs the claim.")
        return self.back("posture")
