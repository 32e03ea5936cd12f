"""The organization's IP allowlist page. Views validate input and call `trustroom.identity.ip_allowlist`.

A change that would shut out the person saving it is refused once with the reason and their address;
the page then offers the same change again with a confirmation checkbox (works without JavaScript).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from trustroom.identity import ip_allowlist
from trustroom.identity.client_ip import client_ip
from trustroom.identity.forms import IpAllowlistBulkForm, IpAllowlistEntryForm
from trustroom.identity.models import IpAllowlistEntry
from trustroom.tenancy import policies
from trustroom.tenancy.forms import add_service_errors
from trustroom.tenancy.views import OrgPageView, status_for


def _confirmed(request: HttpRequest) -> bool:
    return request.POST.get("confirm_lockout") in ("on", "true", "1")


class IpAllowlistView(OrgPageView):
    """List the networks (owners, admins, auditors); add one, or paste several (owners, admins)."""

    model = IpAllowlistEntry

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_page(IpAllowlistEntryForm())

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        policies.check(self.principal, "add", IpAllowlistEntry)
        if request.POST.get("form") == "bulk":
            return self.post_bulk(request)
        form = IpAllowlistEntryForm(request.POST)
        lockout = ""
        if form.is_valid():
            try:
                entry = ip_allowlist.add_allowlist_entry(
                    actor=self.principal,
                    network=form.cleaned_data["network"],
                    label=form.cleaned_data["label"],
                    applies_to=form.cleaned_data["applies_to"],
                    current_ip=client_ip(request),
                    confirm_lockout=_confirmed(request),
                )
            except ValidationError as error:
                if ip_allowlist.is_lockout(error):
                    lockout = " ".join(error.messages)
                else:
                    add_service_errors(form, error)
            else:
                messages.success(request, f"{entry.network} was added to the IP allowlist.")
                return redirect("identity:ip-allowlist", org_slug=self.organization.slug)
        status = 400 if lockout else status_for(form)
        return self.render_page(form, lockout=lockout, status=status)

    def post_bulk(self, request: HttpRequest) -> HttpResponse:
        """The pasted list: added whole, or not at all with every bad line named."""
        bulk = IpAllowlistBulkForm(request.POST)
        lockout = ""
        if bulk.is_valid():
            try:
                added = ip_allowlist.add_allowlist_entries(
                    actor=self.principal,
                    lines=bulk.cleaned_data["networks"].splitlines(),
                    applies_to=bulk.cleaned_data["applies_to"],
                    current_ip=client_ip(request),
                    confirm_lockout=_confirmed(request),
                )
            except ValidationError as error:
                if ip_allowlist.is_lockout(error):
                    lockout = " ".join(error.messages)
                else:
                    add_service_errors(bulk, error)
            else:
                count = f"{len(added)} network{'s' if len(added) != 1 else ''}"
                messages.success(request, f"{count} added to the IP allowlist.")
                return redirect("identity:ip-allowlist", org_slug=self.organization.slug)
        status = 400 if lockout else status_for(bulk)
        return self.render_page(IpAllowlistEntryForm(), bulk=bulk, bulk_lockout=lockout, status=status)

    def render_page(
        self,
        form: IpAllowlistEntryForm,
        *,
        lockout: str = "",
        bulk: IpAllowlistBulkForm | None = None,
        bulk_lockout: str = "",
        status: int = 200,
    ) -> HttpResponse:
        policy = policies.policy_for(IpAllowlistEntry)
        entries = list(IpAllowlistEntry.objects.select_related("created_by"))
        context = {
            "organization": self.organization,
            "entries": entries,
            "members_restricted": any(entry.for_members for entry in entries),
            "tokens_restricted": any(entry.for_api_tokens for entry in entries),
            "your_ip": client_ip(self.request),
            "form": form,
            "lockout": lockout,
            "bulk_form": bulk if bulk is not None else IpAllowlistBulkForm(),
            "bulk_lockout": bulk_lockout,
            "can_add": policy.allows(self.principal, "add"),
            "can_remove": policy.allows(self.principal, "delete"),
            "page_title": "IP allowlist",
        }
        return render(self.request, "identity/ip_allowlist.html", context, status=status)


class IpAllowlistRemoveView(OrgPageView):
    """GET asks for confirmation; POST removes (asking again, with a checkbox, if it would lock you out)."""

    model = IpAllowlistEntry
    permission_action = "delete"

    def get_entry(self) -> IpAllowlistEntry:
        entry = IpAllowlistEntry.objects.filter(pk=self.kwargs["pk"]).first()
        if entry is None:
            raise Http404("No such allowlist entry.")
        return entry

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        entry = self.get_entry()
        policies.check(self.principal, "delete", entry)
        return self.render_page(entry)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        entry = self.get_entry()
        try:
            ip_allowlist.remove_allowlist_entry(
                actor=self.principal,
                entry=entry,
                current_ip=client_ip(request),
                confirm_lockout=_confirmed(request),
            )
        except ValidationError as error:
            if not ip_allowlist.is_lockout(error):
                raise
            return self.render_page(entry, lockout=" ".join(error.messages), status=400)
        messages.success(request, f"{entry.network} was removed from the IP allowlist.")
        return redirect("identity:ip-allowlist", org_slug=self.organization.slug)

    def render_page(self, entry: IpAllowlistEntry, *, lockout: str = "", status: int = 200) -> HttpResponse:
        context = {
            "organization": self.organization,
            "entry": entry,
            "your_ip": client_ip(self.request),
            "lockout": lockout,
            "page_title": "Remove network from the IP allowlist",
        }
        return render(self.request, "identity/ip_allowlist_remove.html", context, status=status)
