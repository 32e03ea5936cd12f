"""The controls pages under /o/<org_slug>/controls/. Views parse input and call the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from trustroom.controls import selectors, services
from trustroom.controls.forms import CheckForm, ControlForm, EvidenceForm, SnapshotForm
from trustroom.controls.models import Check, CheckRun, Control, Evidence
from trustroom.controls.posture import claims_of_control
from trustroom.controls.state import evidence_passed, is_fresh
from trustroom.tenancy.forms import add_service_errors
from trustroom.tenancy.views import OrgPageView, status_for


class ControlsPage(OrgPageView):
    # An auditor's reads are narrowed to their audit periods by the default managers (tenancy.narrowing).

    def get_control(self) -> Control:
        control = selectors.controls().filter(pk=self.kwargs["pk"]).first()
        if control is None:
            raise Http404("No such control.")
        return selectors.with_status([control])[0]

    def get_check(self) -> Check:
        check = selectors.checks().filter(pk=self.kwargs["pk"]).first()
        if check is None:
            raise Http404("No such check.")
        return check


class ControlsView(ControlsPage):
    model = Control

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        items = selectors.with_status(list(selectors.controls()))
        context = {
            "page_title": "Controls",
            "controls": items,
            "counts": selectors.status_counts(items),
            "can_add": self.allows("add", Control),
        }
        return self.page("controls/controls.html", context)


class ControlDetailView(ControlsPage):
    model = Control

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_detail(self.get_control())

    def render_detail(self, control: Control, form: EvidenceForm | None = None) -> HttpResponse:
        now = timezone.now()
        timeline = [
            {"item": item, "fresh": is_fresh(item, now), "passed": evidence_passed(item)}
            for item in selectors.evidence().filter(control=control)
        ]
        context = {
            "page_title": f"{control.key} {control.name}",
            "control": control,
            "mappings": selectors.mappings(control),
            "checks": control.checks.all(),
            "claims": claims_of_control(control),
            "timeline": timeline,
            "can_add_evidence": self.allows("add", Evidence),
            "can_change": self.allows("change", control),
            "can_delete": self.allows("delete", control),
            "can_remove_evidence": self.allows("delete", Evidence),
            "form": form or EvidenceForm(),
        }
        return self.page("controls/control_detail.html", context, status=status_for(form))


class EvidenceAddView(ControlDetailView):
    model = Evidence  # type: ignore[assignment]
    permission_action = "add"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        control = self.get_control()
        form = EvidenceForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.add_evidence(
                    actor=self.principal,
                    control=control,
                    kind=data["kind"],
                    url=data["url"] or "",
                    document=data["document"],
                    effective_at=_utc(data["effective_at"]),
                    expires_at=_utc(data["expires_at"]),
                    note=data["note"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Evidence added to {control.key}.")
                return redirect("controls:control-detail", org_slug=self.organization.slug, pk=control.pk)
        return self.render_detail(control, form)


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=dt.UTC) if timezone.is_naive(value) else value.astimezone(dt.UTC)


class ChecksView(ControlsPage):
    model = Check

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        context = {
            "page_title": "Automated checks",
            "checks": selectors.checks_with_last_run(),
            "can_add": self.allows("add", Check),
        }
        return self.page("controls/checks.html", context)


class CheckDetailView(ControlsPage):
    model = Check

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_detail(self.get_check())

    def render_detail(self, check: Check, form: SnapshotForm | None = None) -> HttpResponse:
        runs = list(selectors.runs().filter(check_ref=check)[:50])
        context = {
            "page_title": check.name,
            "check": check,
            "runs": runs,
            "latest": next((run for run in runs if run.is_finished), None),
            "active": next((run for run in runs if not run.is_finished), None),
            "can_delete": self.allows("delete", check),
            "fed_controls": check.controls.all(),
            "snapshot": check.snapshots.first(),
            "uses_snapshot": check.parameters.get("source") == "config_snapshot",
            "can_run": self.allows("change", check),
            "form": form or SnapshotForm(),
            "max_kib": settings.TRUSTROOM_CONTROLS_SNAPSHOT_MAX_BYTES // 1024,
        }
        return self.page("controls/check_detail.html", context, status=status_for(form))


class CheckRunView(ControlsPage):
    """POST: queue a run of the check ("Run now") and show its progress; one at a time per check."""

    model = Check
    permission_action = "change"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        check = self.get_check()
        try:
            run = services.request_run(actor=self.principal, check=check)
        except services.RunInProgress as busy:
            messages.error(request, " ".join(busy.messages))
            run = busy.run
        else:
            messages.success(request, f"A run of {check.name} was queued.")
        return redirect("controls:check-run-detail", org_slug=self.organization.slug, pk=run.pk)


class RunView(ControlsPage):
    """One run: its progress while queued or running (polling), then its result."""

    model = CheckRun

    def get_run(self) -> CheckRun:
        run = selectors.runs().filter(pk=self.kwargs["pk"]).first()
        if run is None:
            raise Http404("No such check run.")
        return services.live_progress(run)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        run = self.get_run()
        context = {"page_title": f"Run of {run.check_ref.name}", "run": run}
        return self.page("controls/check_run.html", context)


class RunProgressView(RunView):
    """The polling progress element alone (htmx swaps it every two seconds until the run has finished)."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.page("controls/_run_progress.html", {"run": self.get_run()})


class SnapshotUploadView(CheckDetailView):
    model = Check
    permission_action = "change"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        check = self.get_check()
        form = SnapshotForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["snapshot"]
            limit = settings.TRUSTROOM_CONTROLS_SNAPSHOT_MAX_BYTES
            raw = upload.read(limit + 1)
            try:
                snapshot = services.import_snapshot(
                    actor=self.principal, check=check, raw=raw, filename=upload.name or ""
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request, f"Imported {len(snapshot.resources)} resources. Run the check to evaluate them."
                )
                return redirect("controls:check-detail", org_slug=self.organization.slug, pk=check.pk)
        return self.render_detail(check, form)


class ControlCreateView(ControlsPage):
    model = Control
    permission_action = "add"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_form(ControlForm(organization=self.organization))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = ControlForm(request.POST, organization=self.organization)
        if form.is_valid():
            data = dict(form.cleaned_data)
            data["requirements"] = [r.pk for r in data["requirements"]]
            try:
                control = services.create_control(actor=self.principal, **data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Control {control.key} was added.")
                return redirect("controls:control-detail", org_slug=self.organization.slug, pk=control.pk)
        return self.render_form(form)

    def render_form(self, form: ControlForm) -> HttpResponse:
        context = {"page_title": "New control", "form": form, "cancel": "controls:controls"}
        return self.page("controls/form.html", context, status=status_for(form))


class CheckCreateView(ControlsPage):
    model = Check
    permission_action = "add"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_form(CheckForm())

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = CheckForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            data["controls"] = list(data["controls"])
            try:
                check = services.create_check(actor=self.principal, **data)
            except ValidationError as error:
                add_service_errors(form, on_parameters_field(error))
            else:
                messages.success(request, f"Check {check.name} was added.")
                return redirect("controls:check-detail", org_slug=self.organization.slug, pk=check.pk)
        return self.render_form(form)

    def render_form(self, form: CheckForm) -> HttpResponse:
        context = {"page_title": "New automated check", "form": form, "cancel": "controls:checks"}
        return self.page("controls/form.html", context, status=status_for(form))


def on_parameters_field(error: ValidationError) -> ValidationError:
    """A kind's problems are keyed `parameters.<name>`: show them on the form's one JSON field, named."""
    if not hasattr(error, "error_dict"):
        return error
    merged: dict[str, list[str]] = {}
    for field, problems in error.message_dict.items():
        if field.startswith("parameters."):
            name = field.removeprefix("parameters.")
            merged.setdefault("parameters", []).extend(f"{name}: {problem}" for problem in problems)
        else:
            merged.setdefault(field, []).extend(problems)
    return ValidationError(merged)
