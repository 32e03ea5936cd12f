"""SSO pages: the organization's connections (owners change them), and signing in through them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from trustroom.identity.models import SsoConnection
from trustroom.identity.sso import connections as sso_connections
from trustroom.identity.sso import services
from trustroom.identity.sso.forms import SsoConnectionForm
from trustroom.tenancy import policies
from trustroom.tenancy.forms import add_service_errors
from trustroom.tenancy.selectors import organization_by_slug
from trustroom.tenancy.views import OrgPageView, status_for


def _connection_rows(request: HttpRequest, organization: Any, connections: list[SsoConnection]) -> list[dict]:
    return [
        {
            "connection": connection,
            "endpoints": {
                name: request.build_absolute_uri(path)
                for name, path in sso_connections.endpoints(organization, connection).items()
            },
        }
        for connection in connections
    ]


class SsoConnectionsView(OrgPageView):
    """The organization's SSO connections with the URLs to give the identity provider; owners add one."""

    model = SsoConnection

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_page(SsoConnectionForm())

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        policies.check(self.principal, "add", SsoConnection)
        form = SsoConnectionForm(request.POST)
        if form.is_valid():
            try:
                connection = services.create_sso_connection(
                    actor=self.principal,
                    protocol=form.cleaned_data["protocol"],
                    oidc_client_secret=form.cleaned_data["oidc_client_secret"] or None,
                    **form.service_values(),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"The SSO connection “{connection.name}” was added.")
                return redirect("identity:sso-connection", org_slug=self.organization.slug, pk=connection.pk)
        return self.render_page(form, status=status_for(form))

    def render_page(self, form: SsoConnectionForm, *, status: int = 200) -> HttpResponse:
        connections = list(SsoConnection.objects.all())
        context = {
            "organization": self.organization,
            "rows": _connection_rows(self.request, self.organization, connections),
            "form": form,
            "can_add": policies.policy_for(SsoConnection).allows(self.principal, "add"),
            "page_title": "Single sign-on",
        }
        return render(self.request, "identity/sso_connections.html", context, status=status)


class SsoConnectionView(OrgPageView):
    """One connection: its URLs, and (owners) its settings."""

    model = SsoConnection

    def get_connection(self) -> SsoConnection:
        connection = SsoConnection.objects.filter(pk=self.kwargs["pk"]).first()
        if connection is None:
            raise Http404("No such SSO connection.")
        return connection

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        connection = self.get_connection()
        return self.render_page(connection, SsoConnectionForm(connection=connection))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        connection = self.get_connection()
        policies.check(self.principal, "change", connection)
        form = SsoConnectionForm(request.POST, connection=connection)
        if form.is_valid():
            try:
                services.update_sso_connection(
                    actor=self.principal,
                    connection=connection,
                    oidc_client_secret=form.cleaned_data["oidc_client_secret"] or None,
                    **form.service_values(),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"The SSO connection “{connection.name}” was saved.")
                return redirect("identity:sso-connection", org_slug=self.organization.slug, pk=connection.pk)
        return self.render_page(connection, form, status=status_for(form))

    def render_page(
        self, connection: SsoConnection, form: SsoConnectionForm, *, status: int = 200
    ) -> HttpResponse:
        policy = policies.policy_for(SsoConnection)
        context = {
            "organization": self.organization,
            "row": _connection_rows(self.request, self.organization, [connection])[0],
            "connection": connection,
            "form": form,
            "can_change": policy.allows(self.principal, "change", connection),
            "can_delete": policy.allows(self.principal, "delete", connection),
            "page_title": f"SSO connection {connection.name}",
        }
        return render(self.request, "identity/sso_connection.html", context, status=status)


class SsoConnectionDeleteView(SsoConnectionView):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        connection = self.get_connection()
        policies.check(self.principal, "delete", connection)
        return self.render_confirm(connection)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        connection = self.get_connection()
        try:
            services.delete_sso_connection(actor=self.principal, connection=connection)
        except ValidationError as error:
            return self.render_confirm(connection, error=" ".join(error.messages), status=400)
        messages.success(request, f"The SSO connection “{connection.name}” was deleted.")
        return redirect("identity:sso-connections", org_slug=self.organization.slug)

    def render_confirm(
        self, connection: SsoConnection, *, error: str = "", status: int = 200
    ) -> HttpResponse:
        context = {
            "organization": self.organization,
            "connection": connection,
            "error": error,
            "page_title": f"Delete SSO connection {connection.name}",
        }
        return render(self.request, "identity/sso_connection_delete.html", context, status=status)


# --- Signing in through SSO (no organization membership needed: these pages come before it) ----------


@require_GET
@never_cache
def sso_start(request: HttpRequest) -> HttpResponse:
    """Ask which organization; then list its connections."""
    slug = request.GET.get("organization", "").strip().lower()
    error = ""
    if slug:
        organization = organization_by_slug(slug)
        if organization is not None and sso_connections.enabled_connections(organization):
            return redirect("identity-account:sso-organization", org_slug=organization.slug)
        error = f"No organization “{slug}” signs in through SSO. Check the name with your administrator."
    context = {"slug": slug, "error": error, "page_title": "Sign in with SSO"}
    return render(request, "identity/sso_start.html", context, status=404 if error else 200)


@require_GET
@never_cache
def sso_organization(request: HttpRequest, org_slug: str) -> HttpResponse:
    organization = organization_by_slug(org_slug)
    found = sso_connections.enabled_connections(organization) if organization is not None else []
    if organization is None or not found:
        raise Http404("No such organization, or it has no SSO connection.")
    buttons = [
        {"connection": connection, "login": sso_connections.login_path(organization, connection)}
        for connection in found
    ]
    context = {
        "organization": organization,
        "buttons": buttons,
        "process": "connect" if request.user.is_authenticated else "login",
        "next": request.GET.get("next", ""),
        "page_title": f"Sign in to {organization.name} with SSO",
    }
    return render(request, "identity/sso_organization.html", context)
