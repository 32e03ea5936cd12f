"""Policy rules and their violations under /o/<org_slug>/access/rules/: the list with violations
computed when read, a rule added (owners and admins), deleted, and revocation tasks opened for the
grants outside a rule's group."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path

from trustroom.access import rules_state
from trustroom.access.models import AccessGroup, AccessPolicyRule, EnvironmentKind, RevocationTask, System
from trustroom.access.services import rules
from trustroom.tenancy import policies
from trustroom.tenancy.forms import add_service_errors
from trustroom.tenancy.views import OrgPageView, status_for


class RuleForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200)
    environment_kind = forms.ChoiceField(
        label="Environment kind", choices=[("", "Any"), *EnvironmentKind.choices], required=False
    )
    max_people = forms.IntegerField(label="At most this many people", min_value=0, required=False)
    enabled = forms.BooleanField(label="Enabled", required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Built per request: the querysets are the organization's, read inside its scope.
        self.fields["system"] = forms.ModelChoiceField(
            label="System", queryset=System.objects.all(), required=False, empty_label="Any"
        )
        self.fields["allowed_group"] = forms.ModelChoiceField(
            label="Allowed group", queryset=AccessGroup.objects.all(), required=False, empty_label="None"
        )
        self.order_fields(["name", "environment_kind", "system", "allowed_group", "max_people", "enabled"])


def _rule(pk: int) -> AccessPolicyRule:
    rule = AccessPolicyRule.objects.filter(pk=pk).first()
    if rule is None:
        raise Http404("No such policy rule.")
    return rule


class RulesView(OrgPageView):
    model = AccessPolicyRule

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_page(None)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        policies.check(self.principal, "add", AccessPolicyRule)
        form = RuleForm(request.POST)
        if form.is_valid():
            try:
                rule = rules.create_rule(actor=self.principal, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"The rule {rule.name} was added.")
                return redirect("access:rules", org_slug=self.organization.slug)
        return self.render_page(form)

    def render_page(self, form: RuleForm | None) -> HttpResponse:
        policy = policies.policy_for(AccessPolicyRule)
        can_manage = policy.allows(self.principal, "add")
        context = {
            "organization": self.organization,
            "principal": self.principal,
            "page_title": "Access policy rules",
            "evaluations": rules_state.evaluate_all(enabled_only=False),
            "form": form or (RuleForm() if can_manage else None),
            "can_manage": can_manage,
            "can_revoke": can_manage and policies.policy_for(RevocationTask).allows(self.principal, "add"),
        }
        return render(self.request, "access/rules_list.html", context, status=status_for(form))


class RuleDeleteView(OrgPageView):
    model = AccessPolicyRule
    permission_action = "delete"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        rule = _rule(self.kwargs["pk"])
        rules.delete_rule(actor=self.principal, rule=rule)
        messages.success(request, f"The rule {rule.name} was deleted.")
        return redirect("access:rules", org_slug=self.organization.slug)


class RuleRevocationsView(OrgPageView):
    model = AccessPolicyRule
    permission_action = "change"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        rule = _rule(self.kwargs["pk"])
        opened = rules.open_policy_revocations(actor=self.principal, rule=rule)
        messages.success(request, f"{len(opened)} revocation task{'s' if len(opened) != 1 else ''} opened.")
        return redirect("access:rules", org_slug=self.organization.slug)


urlpatterns: list[URLPattern] = [
    path("rules/", RulesView.as_view(), name="rules"),
    path("rules/<int:pk>/delete/", RuleDeleteView.as_view(), name="rule-delete"),
    path("rules/<int:pk>/open-revocations/", RuleRevocationsView.as_view(), name="rule-revocations"),
]
