"""The organization's side of gated documents, under /o/<org_slug>/trust-center/.

Settings, confidentiality terms, access requests (approve/deny), grants (revoke), the acceptances and
downloads logs, and customer accounts. Views validate input and call `trustroom.trustcenter.services`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from trustroom.tenancy import policies
from trustroom.tenancy.views import OrgPageView, status_for
from trustroom.trustcenter import selectors, services
from trustroom.trustcenter.forms import (
    ApproveForm,
    ContactForm,
    CustomerAccountForm,
    DenyForm,
    SettingsForm,
    TermsForm,
)
from trustroom.trustcenter.models import (
    AccessGrant,
    AccessRequest,
    ConfidentialityTerms,
    CustomerAccount,
    CustomerContact,
    DownloadEvent,
    TermsAcceptance,
    TrustCenterSettings,
)
from trustroom.web.forms import save_form


class TrustCenterPage(OrgPageView):
    tab = ""

    def render_tab(self, template: str, status: int = 200, **context: Any) -> HttpResponse:
        context.setdefault("page_title", "Trust center")
        context |= {
            "organization": self.organization,
            "principal": self.principal,
            "tab": self.tab,
            "public_url": settings.TRUSTROOM_BASE_URL.rstrip("/")
            + reverse("trust:overview", kwargs={"org_slug": self.organization.slug}),
        }
        return render(self.request, template, context, status=status)

    def back(self, name: str, **kwargs: Any) -> HttpResponse:
        return redirect(f"trustcenter:{name}", org_slug=self.organization.slug, **kwargs)


class IndexView(TrustCenterPage):
    model = AccessRequest

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.back("requests")


# --- Settings and terms ------------------------------------------------------------------------------


class SettingsView(TrustCenterPage):
    model = TrustCenterSettings
    tab = "settings"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        config = selectors.trust_center_settings()
        initial = {field: getattr(config, field) for field in services.SETTINGS_FIELDS}
        return self.render_page(SettingsForm(initial=initial))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        policies.check(self.principal, "change", TrustCenterSettings)
        form = SettingsForm(request.POST)
        if save_form(form, lambda data: services.update_settings(actor=self.principal, **data)):
            messages.success(request, "The trust center settings were saved.")
            return self.back("settings")
        return self.render_page(form)

    def render_page(self, form: SettingsForm) -> HttpResponse:
        return self.render_tab(
            "trustcenter/admin/settings.html",
            status=status_for(form),
            form=form,
            can_edit=self.allows("change", TrustCenterSettings),
            terms=selectors.current_terms(),
            page_title="Trust center settings",
        )


class TermsView(TrustCenterPage):
    model = ConfidentialityTerms
    tab = "terms"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        current = selectors.current_terms()
        initial = {"title": current.title, "body": current.body} if current else {}
        return self.render_page(TermsForm(initial=initial))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        policies.check(self.principal, "add", ConfidentialityTerms)
        form = TermsForm(request.POST)
        if saved := save_form(form, lambda data: services.publish_terms(actor=self.principal, **data)):
            terms = saved.value
            messages.success(
                request, f"Version {terms.version} is published; every visitor must accept it again."
            )
            return self.back("terms")
        return self.render_page(form)

    def render_page(self, form: TermsForm) -> HttpResponse:
        return self.render_tab(
            "trustcenter/admin/terms.html",
            status=status_for(form),
            form=form,
            versions=ConfidentialityTerms.objects.select_related("published_by"),
            can_publish=self.allows("add", ConfidentialityTerms),
            page_title="Confidentiality terms",
        )


# --- Access requests and grants ----------------------------------------------------------------------


class RequestsView(TrustCenterPage):
    model = AccessRequest
    tab = "requests"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_tab(
            "trustcenter/admin/requests.html",
            requests=list(selectors.requests_pending_first()[:200]),
            can_decide=self.allows("change", AccessRequest),
            default_days=selectors.trust_center_settings().default_grant_days,
            page_title="Access requests",
        )


class RequestDecisionView(TrustCenterPage):
    model = AccessRequest
    permission_action = "change"

    def get_request(self) -> AccessRequest:
        found = AccessRequest.objects.filter(pk=self.kwargs["pk"]).first()
        if found is None:
            raise Http404("No such access request.")
        return found


class ApproveRequestView(RequestDecisionView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        access_request = self.get_request()
        form = ApproveForm(request.POST)
        if not form.is_valid():
            problems = " ".join(str(e) for e in form.errors.get("days", ["a number of days."]))
            messages.error(request, f"Access lasts: {problems}")
            return self.back("requests")
        try:
            grant, _secret = services.approve_access_request(
                actor=self.principal, access_request=access_request, days=form.cleaned_data["days"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            until = f"{grant.expires_at:%d %b %Y %H:%M} UTC"
            messages.success(
                request,
                f"Access granted to {grant.email} until {until}; the access link was e-mailed to them.",
            )
        return self.back("requests")


class DenyRequestView(RequestDecisionView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        access_request = self.get_request()
        form = DenyForm(request.POST)
        note = form.cleaned_data["note"] if form.is_valid() else ""
        try:
            services.deny_access_request(actor=self.principal, access_request=access_request, note=note)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"The request of {access_request.email} was denied.")
        return self.back("requests")


class GrantsView(TrustCenterPage):
    model = AccessGrant
    tab = "grants"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        status = request.GET.get("status", "")
        grants = list(AccessGrant.objects.select_related("customer_account", "revoked_by")[:500])
        now = timezone.now()
        rows = [(grant, grant.status(now)) for grant in grants]
        if status in ("active", "expired", "revoked"):
            rows = [row for row in rows if row[1] == status]
        return self.render_tab(
            "trustcenter/admin/grants.html",
            rows=rows,
            status_filter=status,
            can_revoke=self.allows("delete", AccessGrant),
            can_resend=self.allows("change", AccessGrant),
            page_title="Access grants",
        )


class RevokeGrantView(TrustCenterPage):
    """GET asks for confirmation (works without JavaScript); POST revokes."""

    model = AccessGrant
    permission_action = "delete"

    def get_grant(self) -> AccessGrant:
        grant = AccessGrant.objects.filter(pk=self.kwargs["pk"]).first()
        if grant is None:
            raise Http404("No such grant.")
        return grant

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        grant = self.get_grant()
        return self.render_tab("trustcenter/admin/grant_revoke.html", grant=grant, page_title="Revoke access")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        grant = self.get_grant()
        try:
            services.revoke_grant(actor=self.principal, grant=grant)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Access of {grant.email} was revoked; their links stopped working.")
        return self.back("grants")


class ResendAccessLinkView(RevokeGrantView):
    permission_action = "change"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.back("grants")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        grant = self.get_grant()
        try:
            services.resend_access_link(actor=self.principal, grant=grant)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, f"A new access link was e-mailed to {grant.email}; the old one stopped working."
            )
        return self.back("grants")


class AcceptancesView(TrustCenterPage):
    model = TermsAcceptance
    tab = "acceptances"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_tab(
            "trustcenter/admin/acceptances.html",
            acceptances=TermsAcceptance.objects.select_related("terms")[:500],
            page_title="Terms acceptances",
        )


class DownloadsView(TrustCenterPage):
    model = DownloadEvent
    tab = "downloads"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_tab(
            "trustcenter/admin/downloads.html",
            downloads=DownloadEvent.objects.all()[:500],
            page_title="Downloads",
        )


# --- Customer accounts -----------------------------------------------------------------------------


def _account_kwargs(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": data["name"],
        "email_domains": data["email_domains"],
        "all_gated_documents": data["all_gated_documents"],
        "document_ids": [int(pk) for pk in data["documents"]],
    }


class CustomersView(TrustCenterPage):
    model = CustomerAccount
    tab = "customers"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_page(CustomerAccountForm(items=selectors.gated_items()))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        policies.check(self.principal, "add", CustomerAccount)
        form = CustomerAccountForm(request.POST, items=selectors.gated_items())
        if saved := save_form(
            form, lambda data: services.create_customer_account(actor=self.principal, **_account_kwargs(data))
        ):
            account = saved.value
            messages.success(request, f"Customer account {account.name} was created.")
            return self.back("customer", pk=account.pk)
        return self.render_page(form)

    def render_page(self, form: CustomerAccountForm) -> HttpResponse:
        return self.render_tab(
            "trustcenter/admin/customers.html",
            status=status_for(form),
            form=form,
            accounts=CustomerAccount.objects.prefetch_related("contacts"),
            can_add=self.allows("add", CustomerAccount),
            page_title="Customer accounts",
        )


class CustomerView(TrustCenterPage):
    model = CustomerAccount
    tab = "customers"

    def get_account(self) -> CustomerAccount:
        account = CustomerAccount.objects.filter(pk=self.kwargs["pk"]).first()
        if account is None:
            raise Http404("No such customer account.")
        return account

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        account = self.get_account()
        initial = {
            "name": account.name,
            "email_domains": account.email_domains,
            "all_gated_documents": account.all_gated_documents,
            "documents": [str(pk) for pk in account.document_links.values_list("document_id", flat=True)],
        }
        return self.render_page(account, CustomerAccountForm(initial=initial, items=selectors.gated_items()))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        account = self.get_account()
        policies.check(self.principal, "change", account)
        form = CustomerAccountForm(request.POST, items=selectors.gated_items())
        if save_form(
            form,
            lambda data: services.update_customer_account(
                actor=self.principal, account=account, **_account_kwargs(data)
            ),
        ):
            messages.success(request, f"Customer account {account.name} was saved.")
            return self.back("customer", pk=account.pk)
        return self.render_page(account, form)

    def render_page(
        self, account: CustomerAccount, form: CustomerAccountForm, contact_form: ContactForm | None = None
    ) -> HttpResponse:
        return self.render_tab(
            "trustcenter/admin/customer.html",
            status=max(status_for(form), status_for(contact_form)),
            account=account,
            form=form,
            contact_form=contact_form or ContactForm(),
            contacts=account.contacts.all(),
            can_edit=self.allows("change", account),
            account_url=settings.TRUSTROOM_BASE_URL.rstrip("/")
            + reverse("trust:account", kwargs={"org_slug": self.organization.slug}),
            page_title=f"Customer account {account.name}",
        )


class AddContactView(CustomerView):
    permission_action = "change"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.back("customer", pk=self.get_account().pk)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        account = self.get_account()
        form = ContactForm(request.POST)
        if saved := save_form(
            form, lambda data: services.add_customer_contact(actor=self.principal, account=account, **data)
        ):
            contact = saved.value
            messages.success(request, f"{contact.email} was added to {account.name}.")
            return self.back("customer", pk=account.pk)
        account_form = CustomerAccountForm(
            initial={"name": account.name, "email_domains": account.email_domains},
            items=selectors.gated_items(),
        )
        return self.render_page(account, account_form, form)


class RemoveContactView(CustomerView):
    permission_action = "change"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.back("customer", pk=self.get_account().pk)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        account = self.get_account()
        contact = CustomerContact.objects.filter(pk=self.kwargs["contact_pk"], account=account).first()
        if contact is None:
            raise Http404("No such contact.")
        services.remove_customer_contact(actor=self.principal, contact=contact)
        messages.success(request, f"{contact.email} no longer sees {account.name}'s documents.")
        return self.back("customer", pk=account.pk)


class InviteContactView(CustomerView):
    """E-mail a contact again (a fresh sign-up link if they have no sign-in yet)."""

    permission_action = "change"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.back("customer", pk=self.get_account().pk)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        account = self.get_account()
        contact = CustomerContact.objects.filter(pk=self.kwargs["contact_pk"], account=account).first()
        if contact is None:
            raise Http404("No such contact.")
        services.invite_customer_contact(actor=self.principal, contact=contact)
        messages.success(request, f"{contact.email} was e-mailed again.")
        return self.back("customer", pk=account.pk)
