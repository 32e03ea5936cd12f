"""The resilience pages under /o/<org_slug>/resilience/. Views parse input and call the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from trustroom.resilience import selectors, services
from trustroom.resilience.charts import rto_chart
from trustroom.resilience.forms import (
    ActionItemFilterForm,
    ActionItemForm,
    DrillForm,
    ExerciseForm,
    OpenPointsForm,
    PlanForm,
)
from trustroom.resilience.models import ActionItem, BcpExercise, DrPlan, FailoverDrill
from trustroom.resilience.state import met_targets
from trustroom.tenancy import policies
from trustroom.tenancy.forms import add_service_errors
from trustroom.tenancy.views import OrgPageView, status_for


class ResiliencePage(OrgPageView):
    def get_plan(self) -> DrPlan:
        plan = selectors.plans().filter(pk=self.kwargs["pk"]).first()
        if plan is None:
            raise Http404("No such DR plan.")
        return selectors.with_plan_state([plan])[0]

    def get_exercise(self) -> BcpExercise:
        exercise = selectors.exercises().filter(pk=self.kwargs["pk"]).first()
        if exercise is None:
            raise Http404("No such exercise.")
        return exercise

    def get_item(self) -> ActionItem:
        item = selectors.action_items().filter(pk=self.kwargs["pk"]).first()
        if item is None:
            raise Http404("No such action item.")
        return item

    def save(self, form: forms.Form, write: Any) -> Any:
        """Run the service on a valid form; its ValidationError lands on the form's fields."""
        if not form.is_valid():
            return None
        try:
            return write(form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return None


def chart_for(plan: DrPlan) -> dict[str, Any]:
    history = selectors.rto_history(plan)
    rows = [(d, f"{d.started_at:%Y-%m-%d}", met_targets(d, plan)) for d in history]
    chart = rto_chart(
        chart_id=f"rto-{plan.pk}",
        service=plan.service,
        labels=[label for _, label, _ in rows],
        values=[d.measured_rto_minutes for d in history],
        target=plan.rto_minutes,
    )
    return {"plan": plan, "chart": chart, "rows": rows}


class OverviewView(ResiliencePage):
    model = DrPlan

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        plans = selectors.plans_with_state()
        context = {
            "page_title": "Resilience",
            "plans": plans,
            "charts": [chart_for(plan) for plan in plans],
            "open_items": selectors.open_action_items(),
            "last_exercise": selectors.exercises().first(),
            "can_add": self.allows("add", DrPlan),
        }
        return self.page("resilience/overview.html", context)


class PlanCreateView(ResiliencePage):
    model = DrPlan
    permission_action = "add"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_form(PlanForm(organization=self.organization))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = PlanForm(request.POST, organization=self.organization)
        plan = self.save(form, lambda data: services.create_plan(actor=self.principal, **data))
        if plan is not None:
            messages.success(request, f"The DR plan for {plan.service} was saved.")
            return redirect("resilience:plan-detail", org_slug=self.organization.slug, pk=plan.pk)
        return self.render_form(form)

    def render_form(self, form: PlanForm, plan: DrPlan | None = None) -> HttpResponse:
        title = f"Edit the DR plan for {plan.service}" if plan else "New DR plan"
        context = {"page_title": title, "form": form, "plan": plan}
        return self.page("resilience/plan_form.html", context, status=status_for(form))


class PlanEditView(PlanCreateView):
    permission_action = "change"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        plan = self.get_plan()
        initial = {name: getattr(plan, name) for name in services.PLAN_FIELDS} | {"owner": plan.owner_id}
        return self.render_form(PlanForm(initial=initial, organization=self.organization), plan)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        plan = self.get_plan()
        policies.check(self.principal, "change", plan)
        form = PlanForm(request.POST, organization=self.organization)
        saved = self.save(form, lambda data: services.update_plan(actor=self.principal, plan=plan, **data))
        if saved is not None:
            messages.success(request, f"The DR plan for {plan.service} was saved.")
            return redirect("resilience:plan-detail", org_slug=self.organization.slug, pk=plan.pk)
        return self.render_form(form, plan)


class PlanDetailView(ResiliencePage):
    model = DrPlan

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        plan = self.get_plan()
        drills = list(selectors.drills().filter(plan=plan).prefetch_related("action_items"))
        context = {
            "page_title": f"DR plan: {plan.service}",
            "plan": plan,
            "drills": [(d, met_targets(d, plan)) for d in drills],
            "chart": chart_for(plan),
            "can_change": self.allows("change", plan),
            "can_record": self.allows("add", FailoverDrill),
        }
        return self.page("resilience/plan_detail.html", context)


class DrillCreateView(ResiliencePage):
    model = FailoverDrill
    permission_action = "add"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        plan = self.get_plan()
        initial = {"scheduled_for": plan.state.next_due}  # type: ignore[attr-defined]
        return self.render_form(DrillForm(initial=initial), plan)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        plan = self.get_plan()
        form = DrillForm(request.POST)
        drill = self.save(form, lambda data: services.record_drill(actor=self.principal, plan=plan, **data))
        if drill is not None:
            messages.success(request, f"The drill of {drill.started_at:%Y-%m-%d %H:%M} UTC was recorded.")
            return redirect("resilience:plan-detail", org_slug=self.organization.slug, pk=plan.pk)
        return self.render_form(form, plan)

    def render_form(self, form: DrillForm, plan: DrPlan) -> HttpResponse:
        context = {"page_title": f"Record a failover drill of {plan.service}", "form": form, "plan": plan}
        return self.page("resilience/drill_form.html", context, status=status_for(form))


class ExercisesView(ResiliencePage):
    model = BcpExercise

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        context = {
            "page_title": "BCP exercises",
            "exercises": list(selectors.exercises().prefetch_related("action_items")),
            "can_add": self.allows("add", BcpExercise),
        }
        return self.page("resilience/exercises.html", context)


class ExerciseCreateView(ResiliencePage):
    model = BcpExercise
    permission_action = "add"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_form(ExerciseForm(organization=self.organization))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = ExerciseForm(request.POST, organization=self.organization)
        exercise = self.save(form, lambda data: services.create_exercise(actor=self.principal, **data))
        if exercise is not None:
            messages.success(request, f"The exercise “{exercise.title}” was recorded.")
            return redirect("resilience:exercise-detail", org_slug=self.organization.slug, pk=exercise.pk)
        return self.render_form(form)

    def render_form(self, form: ExerciseForm) -> HttpResponse:
        context = {"page_title": "Record a BCP tabletop exercise", "form": form}
        return self.page("resilience/exercise_form.html", context, status=status_for(form))


class ExerciseDetailView(ResiliencePage):
    model: type[Model] | None = BcpExercise

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_page(OpenPointsForm(organization=self.organization))

    def render_page(self, form: OpenPointsForm) -> HttpResponse:
        exercise = self.get_exercise()
        items = selectors.with_overdue(list(selectors.action_items().filter(exercise=exercise)))
        titles = {item.title for item in items}
        context = {
            "page_title": exercise.title,
            "exercise": exercise,
            "items": items,
            "pending_points": [p for p in exercise.open_points if p[:300] not in titles],
            "form": form,
            "can_convert": self.allows("add", ActionItem) and self.allows("change", exercise),
        }
        return self.page("resilience/exercise_detail.html", context, status=status_for(form))


class ExerciseActionItemsView(ExerciseDetailView):
    """POST: turn the exercise's open points into action items, in one step."""

    model = ActionItem
    permission_action = "add"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return redirect("resilience:exercise-detail", org_slug=self.organization.slug, pk=self.kwargs["pk"])

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        exercise = self.get_exercise()
        form = OpenPointsForm(request.POST, organization=self.organization)
        created = self.save(
            form,
            lambda data: services.action_items_from_open_points(
                actor=self.principal, exercise=exercise, **data
            ),
        )
        if created is not None:
            messages.success(request, f"{len(created)} action item(s) created from the open points.")
            return redirect("resilience:exercise-detail", org_slug=self.organization.slug, pk=exercise.pk)
        return self.render_page(form)


class ActionItemsView(ResiliencePage):
    model = ActionItem

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = ActionItemFilterForm(request.GET or None, organization=self.organization)
        filters: dict[str, Any] = {}
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            filters = {
                "status": data["status"],
                "owner_id": data["owner"].pk if data["owner"] else None,
                "overdue": {"yes": True, "no": False}.get(data["overdue"]),
            }
        items = selectors.with_overdue(list(selectors.filter_action_items(**filters)))
        context = {
            "page_title": "Action items",
            "form": form,
            "items": items,
            "filtered": any(v not in ("", None) for v in filters.values()),
            "can_add": self.allows("add", ActionItem),
            "today": timezone.now().date(),
        }
        return self.page("resilience/action_items.html", context, status=status_for(form))


class ActionItemCreateView(ResiliencePage):
    model = ActionItem
    permission_action = "add"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_form(ActionItemForm(organization=self.organization))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = ActionItemForm(request.POST, organization=self.organization)
        item = self.save(form, lambda data: services.create_action_item(actor=self.principal, **data))
        if item is not None:
            messages.success(request, f"The action item “{item.title}” was added.")
            return redirect("resilience:action-items", org_slug=self.organization.slug)
        return self.render_form(form)

    def render_form(self, form: ActionItemForm, item: ActionItem | None = None) -> HttpResponse:
        title = f"Edit action item: {item.title}" if item else "New action item"
        context = {"page_title": title, "form": form, "item": item}
        return self.page("resilience/action_item_form.html", context, status=status_for(form))


class ActionItemEditView(ActionItemCreateView):
    permission_action = "change"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        item = self.get_item()
        initial = {name: getattr(item, name) for name in services.ACTION_ITEM_FIELDS} | {
            "owner": item.owner_id
        }
        return self.render_form(ActionItemForm(initial=initial, organization=self.organization), item)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        item = self.get_item()
        policies.check(self.principal, "change", item)
        form = ActionItemForm(request.POST, organization=self.organization)
        saved = self.save(
            form, lambda data: services.update_action_item(actor=self.principal, item=item, **data)
        )
        if saved is not None:
            messages.success(request, f"The action item “{saved.title}” was saved.")
            return redirect("resilience:action-items", org_slug=self.organization.slug)
        return self.render_form(form, item)
