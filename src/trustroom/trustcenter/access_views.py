"""The visitor's side of gated documents, under /trust/<org_slug>/ (wired in `public_urls.py`).

request-access/ → verify/<secret>/ (e-mailed) → [review] → access/<secret>/ (e-mailed; opens a visitor
session for the grant) → terms/ → documents/ → download/<signed token>/ (five minutes).
account/ is the same for signed-in contacts of a customer account.

Views validate input and call `trustroom.trustcenter.services`. A link that opens nothing (tampered,
expired, revoked, another organization's) answers 403 with a page that says so, never 500.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache

from trustroom.identity.client_ip import client_ip
from trustroom.tenancy.forms import AcceptInvitationSignupForm, add_service_errors
from trustroom.tenancy.models import Organization
from trustroom.tenancy.views import allowed_methods, method_not_allowed_page
from trustroom.trustcenter import selectors, services
from trustroom.trustcenter.forms import AccessRequestForm
from trustroom.trustcenter.models import AccessGrant, CustomerContact
from trustroom.trustcenter.public_views import PublicTrustCenterMixin

# What `secrets.token_urlsafe(32)` produces, with room to spare.
SECRET_PATTERN = r"[A-Za-z0-9_-]{20,100}"  # noqa: S105 - a pattern, not a secret
GRANT_SESSION_KEY = "trustcenter.grants"  # {organization id: grant id} of the visitor's session

REFUSALS = {
    "invalid": (
        "This link is not valid",
        "The link is incomplete or has been changed. Open it again from the e-mail, or request access again.",
    ),
    "expired": (
        "This link has expired",
        "For your security these links only work for a short time. Go back and ask for a new one.",
    ),
    "access-expired": (
        "Your access has expired",
        "The access you were given has ended. Request access again if you still need the documents.",
    ),
    "revoked": (
        "Your access was revoked",
        "The organization has withdrawn this access. Request access again if you still need the documents.",
    ),
    "terms": (
        "The confidentiality terms have changed",
        "A new version of the terms was published. Read and accept it, then download again.",
    ),
    "document": (
        "This document is not available to you",
        "It is no longer offered, or it is not part of the access you were given.",
    ),
    "no-access": (
        "No access yet",
        "Open the access link from your approval e-mail first, or request access.",
    ),
}


def user_agent(request: HttpRequest) -> str:
    return str(request.META.get("HTTP_USER_AGENT", ""))[:400]


@method_decorator(never_cache, name="dispatch")
class TrustAccessView(PublicTrustCenterMixin, View):
    """A visitor page of the published trust center: the shared mixin resolves the organization from
    the URL (404 when unknown or not published) and runs the view in its scope."""

    organization: Organization

    def http_method_not_allowed(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return method_not_allowed_page(request, allowed_methods(self))

    def context(self, **extra: Any) -> dict[str, Any]:
        return {"organization": self.organization, "trust_org": self.organization, **extra}

    def refused(self, reason: str, *, status: int = 403) -> HttpResponse:
        title, explanation = REFUSALS.get(reason, REFUSALS["invalid"])
        context = self.context(reason=reason, title=title, explanation=explanation, page_title=title)
        return render(self.request, "trustcenter/access/refused.html", context, status=status)

    # The visitor session: which grant (per organization) this browser opened.
    def session_grant(self) -> AccessGrant | None:
        grants = self.request.session.get(GRANT_SESSION_KEY) or {}
        grant_id = grants.get(str(self.organization.pk))
        if not isinstance(grant_id, int):
            return None
        return AccessGrant.objects.filter(pk=grant_id).first()

    def remember_grant(self, grant: AccessGrant) -> None:
        grants = dict(self.request.session.get(GRANT_SESSION_KEY) or {})
        grants[str(self.organization.pk)] = grant.pk
        self.request.session[GRANT_SESSION_KEY] = grants
        self.request.session.cycle_key()


class RequestAccessView(TrustAccessView):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_form(AccessRequestForm(items=selectors.gated_items()))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = AccessRequestForm(request.POST, items=selectors.gated_items())
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.throttle_access_request(ip=client_ip(request), email=data["email"])
                access_request, _secret = services.submit_access_request(
                    name=data["name"],
                    email=data["email"],
                    company=data["company"],
                    reason=data["reason"],
                    document_ids=[int(pk) for pk in data["documents"]],
                    ip=client_ip(request),
                    user_agent=user_agent(request),
                )
            except ValidationError as error:
                add_service_errors(form, error)
                status = 429 if any(e.code == "throttled" for e in _errors(error)) else 400
                return self.render_form(form, status=status)
            return render(
                request,
                "trustcenter/access/request_sent.html",
                self.context(access_request=access_request, page_title="Check your e-mail"),
            )
        return self.render_form(form, status=400)

    def render_form(self, form: AccessRequestForm, status: int = 200) -> HttpResponse:
        context = self.context(
            form=form, page_title=f"Request access to {self.organization.name}'s documents"
        )
        return render(self.request, "trustcenter/access/request.html", context, status=status)


def _errors(error: ValidationError) -> list[ValidationError]:
    if hasattr(error, "error_dict"):
        return [e for errors in error.error_dict.values() for e in errors]
    return list(error.error_list)


class VerifyEmailView(TrustAccessView):
    """The verification link: GET shows a button (mail scanners follow links; only a person confirms),
    POST verifies."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        access_request = services.find_request_by_secret(kwargs["secret"])
        if access_request is None:
            return self.refused("invalid")
        if access_request.email_verified_at is None and access_request.verification_expires_at <= _now():
            return self.refused("expired")
        return render(
            request,
            "trustcenter/access/verify.html",
            self.context(access_request=access_request, page_title="Confirm your e-mail"),
        )

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            outcome = services.verify_access_request(secret=kwargs["secret"])
        except services.LinkRefused as refusal:
            return self.refused(refusal.reason)
        if outcome.grant is not None:
            self.remember_grant(outcome.grant)
            messages.success(request, "Your e-mail is confirmed and access was granted.")
            return redirect("trust:terms", org_slug=self.organization.slug)
        return render(
            request,
            "trustcenter/access/verified.html",
            self.context(access_request=outcome.access_request, page_title="E-mail confirmed"),
        )


def _now() -> Any:
    from django.utils import timezone

    return timezone.now()


class AccessLinkView(TrustAccessView):
    """The e-mailed access link: opens a visitor session for the grant, then the terms."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        grant = services.find_grant_by_secret(kwargs["secret"])
        if grant is None:
            return self.refused("invalid")
        if not grant.is_active():
            return self.refused(services.grant_refusal(grant))
        self.remember_grant(grant)
        return redirect("trust:terms", org_slug=self.organization.slug)


class GrantSessionView(TrustAccessView):
    grant: AccessGrant

    def dispatch_in_scope(self) -> HttpResponse | None:
        grant = self.session_grant()
        if grant is None:
            return self.refused("no-access")
        if not grant.is_active():
            return self.refused(services.grant_refusal(grant))
        self.grant = grant
        return None

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.dispatch_in_scope() or self.show()

    def show(self) -> HttpResponse:
        raise NotImplementedError


class TermsView(GrantSessionView):
    def show(self) -> HttpResponse:
        terms = selectors.current_terms()
        accepted = selectors.current_acceptance(grant=self.grant)
        context = self.context(
            grant=self.grant, terms=terms, accepted=accepted, page_title="Confidentiality terms"
        )
        return render(self.request, "trustcenter/access/terms.html", context)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        refused = self.dispatch_in_scope()
        if refused is not None:
            return refused
        terms = selectors.current_terms()
        if terms is None or str(terms.pk) != request.POST.get("terms") or request.POST.get("accept") != "yes":
            messages.error(request, "Tick the box to accept the current terms.")
            return self.show()
        try:
            services.accept_terms(
                terms=terms, grant=self.grant, ip=client_ip(request), user_agent=user_agent(request)
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return self.show()
        except PermissionDenied:
            return self.refused(services.grant_refusal(self.grant))
        return redirect("trust:documents", org_slug=self.organization.slug)


def document_rows(items: list[selectors.GatedItem], acceptance: Any, slug: str) -> list[dict[str, Any]]:
    return [
        {
            "item": item,
            "url": reverse(
                "trust:download",
                kwargs={
                    "org_slug": slug,
                    "token": services.download_token(document=item.document, acceptance=acceptance),
                },
            ),
        }
        for item in items
    ]


class DocumentsView(GrantSessionView):
    def show(self) -> HttpResponse:
        acceptance = selectors.current_acceptance(grant=self.grant)
        if acceptance is None:
            return redirect("trust:terms", org_slug=self.organization.slug)
        items = selectors.items_for_scope(selectors.grant_document_ids(self.grant))
        context = self.context(
            grant=self.grant,
            rows=document_rows(items, acceptance, self.organization.slug),
            link_minutes=services.DOWNLOAD_LINK_SECONDS // 60,
            page_title="Your documents",
        )
        return render(self.request, "trustcenter/access/documents.html", context)


class DownloadView(TrustAccessView):
    """Every download goes through `services.authorize_download` (one shared check, fail closed)."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            authorized = services.authorize_download(token=kwargs["token"], user=request.user)
        except services.LinkRefused as refusal:
            return self.refused(refusal.reason)
        pdf, filename = services.download_document(
            authorized=authorized, ip=client_ip(request), user_agent=user_agent(request)
        )
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "no-store, private"
        return response


class CustomerAccountView(TrustAccessView):
    """Signed-in contacts of a customer account: the account's documents, after the current terms."""

    contact: CustomerContact

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            login = reverse("account_login")
            return redirect(f"{login}?{urlencode({'next': request.path})}")
        return super().dispatch(request, *args, **kwargs)

    def find_contact(self) -> CustomerContact:
        contact = selectors.contact_for_user(self.request.user)
        if contact is None:
            raise Http404("No customer account.")
        return contact

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        contact = self.find_contact()
        terms = selectors.current_terms()
        acceptance = selectors.current_acceptance(contact=contact)
        rows: list[dict[str, Any]] = []
        if acceptance is not None:
            items = selectors.items_for_scope(selectors.account_document_ids(contact.account))
            rows = document_rows(items, acceptance, self.organization.slug)
        from trustroom.trustcenter.public_views import trust_center_content

        context = self.context(
            content=trust_center_content(self.organization),
            contact=contact,
            account=contact.account,
            terms=terms,
            accepted=acceptance,
            rows=rows,
            link_minutes=services.DOWNLOAD_LINK_SECONDS // 60,
            page_title=f"Compliance and Certifications — {self.organization.name}",
        )
        return render(request, "trustcenter/access/account.html", context)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        contact = self.find_contact()
        terms = selectors.current_terms()
        if terms is None or str(terms.pk) != request.POST.get("terms") or request.POST.get("accept") != "yes":
            messages.error(request, "Tick the box to accept the current terms.")
        else:
            try:
                services.accept_terms(
                    terms=terms, contact=contact, ip=client_ip(request), user_agent=user_agent(request)
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
        return redirect("trust:account", org_slug=self.organization.slug)


SIGN_IN_BACKEND = "django.contrib.auth.backends.ModelBackend"


class CustomerJoinView(TrustAccessView):
    """The link e-mailed to a new customer contact: create a sign-in (name, password), then the account
    page. An invalid or expired link answers 403 with the refusal page."""

    def find(self) -> CustomerContact | HttpResponse:
        contact = services.find_contact_invitation(self.kwargs["secret"])
        if contact is None:
            return self.refused("invalid")
        if contact.invite_expires_at is None or contact.invite_expires_at <= _now():
            return self.refused("expired")
        return contact

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        found = self.find()
        if isinstance(found, HttpResponse):
            return found
        return self.render_form(found, AcceptInvitationSignupForm(email=found.email))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        found = self.find()
        if isinstance(found, HttpResponse):
            return found
        form = AcceptInvitationSignupForm(request.POST, email=found.email)
        if form.is_valid():
            try:
                user = services.join_as_customer_contact(
                    secret=kwargs["secret"],
                    full_name=form.cleaned_data["full_name"],
                    password=form.cleaned_data["password1"],
                )
            except services.LinkRefused as refusal:
                return self.refused(refusal.reason)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                login(request, user, backend=SIGN_IN_BACKEND)
                return redirect("trust:account", org_slug=self.organization.slug)
        return self.render_form(found, form, status=400)

    def render_form(self, contact: CustomerContact, form: Any, status: int = 200) -> HttpResponse:
        exists = get_user_model().objects.filter(email__iexact=contact.email).exists()
        account_url = reverse("trust:account", kwargs={"org_slug": self.organization.slug})
        login_url = f"{reverse('account_login')}?{urlencode({'next': account_url})}"
        context = self.context(
            contact=contact,
            form=None if exists else form,
            login_url=login_url,
            page_title=f"Your sign-in for {self.organization.name}'s documents",
        )
        return render(self.request, "trustcenter/access/join.html", context, status=status)
