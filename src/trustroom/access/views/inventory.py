"""Inventory pages: systems with their environments; add, edit and delete them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path, reverse

from trustroom.access.models import Environment, System
from trustroom.access.services import inventory
from trustroom.access.views.overview import AccessPage
from trustroom.access.views.requests_forms import EnvironmentForm, SystemForm
from trustroom.tenancy import policies
from trustroom.tenancy.forms import add_service_errors
from trustroom.tenancy.views import status_for


class InventoryView(AccessPage):
    model = System

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        environments = Environment.objects.annotate(grant_count=Count("grants")).order_by("kind", "name")
        systems = System.objects.select_related("owner").prefetch_related(
            Prefetch("environments", queryset=environments)
        )
        context = {
            "page_title": "Inventory",
            "systems": list(systems),
            "can_add": self.allows("add", System),
            "can_change": self.allows("change", System),
            "can_delete": self.allows("delete", System),
        }
        return self.page("access/inventory_list.html", context)


class SystemFormView(AccessPage):
    model = System
    permission_action = "add"  # the edit route's subclass asks for "change"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        system = self.get_object_or_404(System) if "pk" in kwargs else None
        initial = SystemForm.initial_for(system) if system else None
        return self.render_form(SystemForm(initial=initial, organization=self.organization), system)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        system = self.get_object_or_404(System) if "pk" in kwargs else None
        form = SystemForm(request.POST, organization=self.organization)
        if form.is_valid():
            try:
                if system is None:
                    system = inventory.create_system(actor=self.principal, **form.cleaned_data)
                else:
                    system = inventory.update_system(actor=self.principal, system=system, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"The system {system.name} was saved.")
                return redirect("access:inventory", org_slug=self.organization.slug)
        return self.render_form(form, system)

    def render_form(self, form: SystemForm, system: System | None) -> HttpResponse:
        context = {
            "page_title": f"Edit {system.name}" if system else "New system",
            "form": form,
            "cancel_url": reverse("access:inventory", kwargs={"org_slug": self.organization.slug}),
        }
        return self.page("access/inventory_form.html", context, status=status_for(form))


class SystemEditView(SystemFormView):
    permission_action = "change"


class SystemDeleteView(AccessPage):
    model = System
    permission_action = "delete"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.confirm(self.get_object_or_404(System))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        system = self.get_object_or_404(System)
        try:
            inventory.delete_system(actor=self.principal, system=system)
        except ValidationError as error:
            return self.confirm(system, error=" ".join(error.messages), status=400)
        messages.success(request, f"The system {system.name} was deleted.")
        return redirect("access:inventory", org_slug=self.organization.slug)

    def confirm(self, system: System, *, error: str = "", status: int = 200) -> HttpResponse:
        context = {
            "page_title": f"Delete {system.name}",
            "question": f"Delete the system {system.name} and its environments?",
            "error": error,
            "cancel_url": reverse("access:inventory", kwargs={"org_slug": self.organization.slug}),
        }
        return self.page("access/inventory_confirm.html", context, status=status)


class EnvironmentFormView(AccessPage):
    """New environment of a system (pk = the system's) or edit one (pk = the environment's)."""

    model = Environment
    permission_action = "add"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        system, environment = self.objects()
        initial = None
        if environment is not None:
            initial = {
                "kind": environment.kind,
                "name": environment.name,
                "sensitivity": environment.sensitivity,
            }
        return self.render_form(EnvironmentForm(initial=initial), system, environment)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        system, environment = self.objects()
        form = EnvironmentForm(request.POST)
        if form.is_valid():
            try:
                if environment is None:
                    environment = inventory.create_environment(
                        actor=self.principal, system=system, **form.cleaned_data
                    )
                else:
                    environment = inventory.update_environment(
                        actor=self.principal, environment=environment, **form.cleaned_data
                    )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"The environment {environment} was saved.")
                return redirect("access:inventory", org_slug=self.organization.slug)
        return self.render_form(form, system, environment)

    def objects(self) -> tuple[System, Environment | None]:
        return self.get_object_or_404(System), None

    def render_form(
        self, form: EnvironmentForm, system: System, environment: Environment | None
    ) -> HttpResponse:
        title = f"Edit {environment}" if environment else f"New environment of {system.name}"
        context = {
            "page_title": title,
            "form": form,
            "cancel_url": reverse("access:inventory", kwargs={"org_slug": self.organization.slug}),
        }
        return self.page("access/inventory_form.html", context, status=status_for(form))


class EnvironmentEditView(EnvironmentFormView):
    permission_action = "change"

    def objects(self) -> tuple[System, Environment | None]:
        environment = Environment.objects.select_related("system").filter(pk=self.kwargs["pk"]).first()
        if environment is None:
            raise Http404("No such environment.")
        policies.check(self.principal, "change", environment)
        return environment.system, environment


class EnvironmentDeleteView(AccessPage):
    model = Environment
    permission_action = "delete"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.confirm(self.get_object_or_404(Environment))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        environment = self.get_object_or_404(Environment)
        try:
            inventory.delete_environment(actor=self.principal, environment=environment)
        except ValidationError as error:
            return self.confirm(environment, error=" ".join(error.messages), status=400)
        messages.success(request, f"The environment {environment} was deleted.")
        return redirect("access:inventory", org_slug=self.organization.slug)

    def confirm(self, environment: Environment, *, error: str = "", status: int = 200) -> HttpResponse:
        context = {
            "page_title": f"Delete {environment}",
            "question": f"Delete the environment {environment}?",
            "error": error,
            "cancel_url": reverse("access:inventory", kwargs={"org_slug": self.organization.slug}),
        }
        return self.page("access/inventory_confirm.html", context, status=status)


urlpatterns: list[URLPattern] = [
    path("inventory/", InventoryView.as_view(), name="inventory"),
    path("inventory/systems/new/", SystemFormView.as_view(), name="system-create"),
    path("inventory/systems/<int:pk>/edit/", SystemEditView.as_view(), name="system-edit"),
    path("inventory/systems/<int:pk>/delete/", SystemDeleteView.as_view(), name="system-delete"),
    path(
        "inventory/systems/<int:pk>/environments/new/",
        EnvironmentFormView.as_view(),
        name="environment-create",
    ),
    path("inventory/environments/<int:pk>/edit/", EnvironmentEditView.as_view(), name="environment-edit"),
    path(
        "inventory/environments/<int:pk>/delete/", EnvironmentDeleteView.as_view(), name="environment-delete"
    ),
]
