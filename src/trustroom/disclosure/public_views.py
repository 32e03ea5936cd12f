"""The researcher's side, open to anyone: security.txt (under /trust/<org_slug>/ and at
/.well-known/security.txt for the organization bound to the request's host), the policy page, the
report form, the e-mail verification link and the private status page.

Views validate input and call `trustroom.disclosure.services`. Nothing typed by a researcher is
rendered as HTML (templates autoescape; no `safe`).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache

from trustroom.assessments.models import Severity
from trustroom.disclosure import securitytxt, services
from trustroom.disclosure.models import DisclosurePolicy, ReportStatus, SeverityGuess
from trustroom.identity.client_ip import client_ip
from trustroom.tenancy.forms import add_service_errors
from trustroom.tenancy.models import Organization
from trustroom.tenancy.scope import org_scope
from trustroom.tenancy.views import allowed_methods, method_not_allowed_page
from trustroom.trustcenter.public_views import resolve_public_organization
from trustroom.trustcenter.services.common import _base_url

SECRET_PATTERN = r"[A-Za-z0-9_-]{20,100}"  # noqa: S105 - a pattern, not a secret
STATUS_TOKEN_PATTERN = r"[A-Za-z0-9_-]{20,100}"  # noqa: S105 - a pattern, not a secret


def security_txt_response(
    request: HttpRequest, organization: Organization, canonical_url: str
) -> HttpResponse:
    """The file, or 404 when there is no published policy or it has expired (never served past Expires)."""
    body: str | None = None
    with org_scope(organization):
        policy = services.policy_or_none()
        if policy is not None and securitytxt.is_servable(policy, timezone.now()):
            policy_url = _base_url() + reverse(
                "disclosure-public:policy", kwargs={"org_slug": organization.slug}
            )
            text = securitytxt.render(policy, canonical_url=canonical_url, policy_url=policy_url)
            signed = securitytxt.clear_sign(text, policy.openpgp_key_id) if policy.openpgp_key_id else None
            body = signed or text
    if body is None:  # raised outside the scope: its transaction ends cleanly
        raise Http404("No security.txt here.")
    response = HttpResponse(body.encode(), content_type=securitytxt.CONTENT_TYPE)
    response["Cache-Control"] = "public, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def security_txt_for_slug(request: HttpRequest, org_slug: str) -> HttpResponse:
    if request.method not in ("GET", "HEAD"):
        return method_not_allowed_page(request, ["GET", "HEAD"])
    organization = resolve_public_organization(org_slug)
    canonical = _base_url() + reverse(
        "disclosure-public:security-txt", kwargs={"org_slug": organization.slug}
    )
    return security_txt_response(request, organization, canonical)


def security_txt_for_host(request: HttpRequest) -> HttpResponse:
    """/.well-known/security.txt: the organization whose policy lists this host name; 404 for others."""
    if request.method not in ("GET", "HEAD"):
        return method_not_allowed_page(request, ["GET", "HEAD"])
    organization = services.organization_for_host(request.get_host())
    if organization is None:
        raise Http404("No security.txt for this host.")
    return security_txt_response(request, organization, request.build_absolute_uri(request.path))


class ReportForm(forms.Form):
    name = forms.CharField(max_length=200, label="Your name")
    email = forms.EmailField(max_length=254, label="Your e-mail", help_text="We send a link to confirm it.")
    title = forms.CharField(max_length=200, label="Title")
    affected_asset = forms.CharField(max_length=500, required=False, label="Affected asset (URL, host, app)")
    description = forms.CharField(max_length=20000, widget=forms.Textarea, label="Description")
    steps = forms.CharField(
        max_length=20000, required=False, widget=forms.Textarea, label="Steps to reproduce"
    )
    severity_guess = forms.ChoiceField(
        choices=SeverityGuess.choices, required=False, label="Your severity guess"
    )


@method_decorator(never_cache, name="dispatch")
class DisclosurePublicView(View):
    """Resolves the organization from the slug; 404 unless it has a PUBLISHED disclosure policy. The
    whole view (rendering included) runs inside the organization's scope."""

    organization: Organization
    policy: DisclosurePolicy

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        organization = resolve_public_organization(kwargs["org_slug"])
        self.organization = organization
        with org_scope(organization):
            policy = services.published_policy()
            if policy is not None:
                self.policy = policy
                response = super().dispatch(request, *args, **kwargs)
        if policy is None:
            raise Http404("No disclosure program here.")
        return response

    def http_method_not_allowed(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return method_not_allowed_page(request, allowed_methods(self))

    def page(self, template: str, status: int = 200, **context: Any) -> HttpResponse:
        base = {"organization": self.organization, "trust_org": self.organization, "policy": self.policy}
        return render(self.request, template, base | context, status=status)


class PolicyPageView(DisclosurePublicView):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        order = [s.value for s in Severity]
        rewards = [
            {"severity": Severity(key).label, **self.policy.rewards[key]}
            for key in order
            if key in self.policy.rewards
        ]
        return self.page(
            "disclosure/public/policy.html", rewards=rewards, page_title="Vulnerability disclosure"
        )


class ReportView(DisclosurePublicView):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.page(
            "disclosure/public/report.html", form=ReportForm(), page_title="Report a vulnerability"
        )

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = ReportForm(request.POST)
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.throttle_report(ip=client_ip(request), email=data["email"])
                report, _secret = services.submit_report(
                    name=data["name"],
                    email=data["email"],
                    title=data["title"],
                    description=data["description"],
                    affected_asset=data["affected_asset"],
                    steps=data["steps"],
                    severity_guess=data["severity_guess"],
                    ip=client_ip(request),
                    user_agent=str(request.META.get("HTTP_USER_AGENT", ""))[:400],
                )
            except ValidationError as error:
                add_service_errors(form, error)
                throttled = any(e.code == "throttled" for e in error.error_dict.get("email", []))
                status = 429 if throttled else 400
            else:
                return self.page(
                    "disclosure/public/report_sent.html", report=report, page_title="Check your e-mail"
                )
        return self.page(
            "disclosure/public/report.html", status=status, form=form, page_title="Report a vulnerability"
        )


class VerifyView(DisclosurePublicView):
    """GET shows a button (mail scanners follow links; only a person confirms); POST confirms."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        report = services.find_report_by_secret(kwargs["secret"])
        if report is None:
            raise Http404("No such link.")
        expired = report.email_verified_at is None and report.verification_expires_at <= timezone.now()
        return self.page(
            "disclosure/public/verify.html",
            status=410 if expired else 200,
            report=report,
            expired=expired,
            page_title="Confirm your e-mail",
        )

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            report = services.verify_report(secret=kwargs["secret"])
        except services.LinkRefused as refusal:
            if refusal.reason == "invalid":
                raise Http404("No such link.") from refusal
            return self.page(
                "disclosure/public/verify.html", status=410, expired=True, page_title="Link expired"
            )
        return self.page("disclosure/public/verified.html", report=report, page_title="Report received")


class StatusView(DisclosurePublicView):
    """The researcher's private status page: the token is the capability; a wrong one is a 404."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        report = services.find_report_by_status_token(kwargs["token"])
        if report is None or report.status == ReportStatus.UNVERIFIED:
            raise Http404("No such report.")
        updates = report.updates.filter(public=True).order_by("created_at", "pk")
        response = self.page(
            "disclosure/public/status.html", report=report, updates=updates, page_title=f"Report #{report.pk}"
        )
        response["Referrer-Policy"] = "no-referrer"
        return response
