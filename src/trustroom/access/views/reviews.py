"""Access review pages under /o/<org_slug>/access/reviews/: the campaigns with their completion and the
schedule; a campaign's items grouped by system with the reviewer's decision forms (htmx: the row is
re-rendered in place; without JavaScript the page reloads), evidence exports, closing, and confirming
the revocations its decisions opened. Views validate input and call the services."""

from __future__ import annotations

import datetime as dt
from itertools import groupby
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone

from trustroom.access import review_state
from trustroom.access.models import (
    AccessReviewCampaign,
    AccessReviewItem,
    AccessReviewSchedule,
    PrivilegeLevel,
    ReviewDecision,
    ReviewerAssignment,
    RevocationTask,
)
from trustroom.access.services import review_exports, reviews
from trustroom.access.services.revocations import complete_revocation_task
from trustroom.tenancy import policies
from trustroom.tenancy.forms import add_service_errors
from trustroom.tenancy.views import OrgPageView, status_for
from trustroom.web.exports import attachment


class ScheduleForm(forms.Form):
    rule = forms.CharField(
        label="Recurrence (RFC 5545 rule)",
        max_length=200,
        initial=reviews.DEFAULT_RULE,
        help_text="FREQ=MONTHLY;INTERVAL=3 is quarterly; FREQ=MONTHLY;INTERVAL=6 twice a year.",
    )
    starts_at = forms.DateTimeField(label="First review starts (UTC)", help_text="YYYY-MM-DD HH:MM")
    days_to_complete = forms.IntegerField(
        label="Days to complete", min_value=1, max_value=reviews.MAX_DAYS_TO_COMPLETE, initial=14
    )
    enabled = forms.BooleanField(label="Open campaigns automatically", required=False, initial=True)

    def clean_starts_at(self) -> dt.datetime:
        value: dt.datetime = self.cleaned_data["starts_at"]
        return value.replace(tzinfo=dt.UTC) if timezone.is_naive(value) else value.astimezone(dt.UTC)


class CampaignForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200)
    due_at = forms.DateTimeField(label="Due (UTC)", help_text="YYYY-MM-DD HH:MM")

    def clean_due_at(self) -> dt.datetime:
        value: dt.datetime = self.cleaned_data["due_at"]
        return value.replace(tzinfo=dt.UTC) if timezone.is_naive(value) else value.astimezone(dt.UTC)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label="Decision", choices=ReviewDecision.choices)
    new_privilege = forms.ChoiceField(
        label="New privilege", choices=[("", "—"), *PrivilegeLevel.choices], required=False
    )
    comment = forms.CharField(label="Comment", max_length=5000, required=False)


class ReviewsPage(OrgPageView):
    def get_campaign(self) -> AccessReviewCampaign:
        campaign = AccessReviewCampaign.objects.filter(pk=self.kwargs["pk"]).first()
        if campaign is None:
            raise Http404("No such access review.")
        return campaign


class ReviewListView(ReviewsPage):
    """Campaigns with completion and overdue; the schedule; a campaign opened by hand (managers)."""

    model = AccessReviewCampaign

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_page()

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.POST.get("form") == "schedule":
            policies.check(self.principal, "change", AccessReviewSchedule)
            schedule_form = ScheduleForm(request.POST)
            if schedule_form.is_valid():
                try:
                    reviews.update_review_schedule(actor=self.principal, **schedule_form.cleaned_data)
                except ValidationError as error:
                    add_service_errors(schedule_form, error)
                else:
                    messages.success(request, "The review schedule was saved.")
                    return redirect("access:reviews", org_slug=self.organization.slug)
            return self.render_page(schedule_form=schedule_form)
        policies.check(self.principal, "add", AccessReviewCampaign)
        campaign_form = CampaignForm(request.POST)
        if campaign_form.is_valid():
            try:
                campaign = reviews.open_campaign(actor=self.principal, **campaign_form.cleaned_data)
            except ValidationError as error:
                add_service_errors(campaign_form, error)
            else:
                messages.success(request, f"{campaign.name} was opened.")
                return redirect("access:review-detail", org_slug=self.organization.slug, pk=campaign.pk)
        return self.render_page(campaign_form=campaign_form)

    def render_page(
        self, *, schedule_form: ScheduleForm | None = None, campaign_form: CampaignForm | None = None
    ) -> HttpResponse:
        now = timezone.now()
        schedule = reviews.current_schedule()
        if schedule_form is None:
            initial: dict[str, Any] = {
                "starts_at": now.replace(second=0, microsecond=0).strftime("%Y-%m-%d %H:%M")
            }
            if schedule is not None:
                initial = {
                    "rule": schedule.rule,
                    "starts_at": schedule.starts_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M"),
                    "days_to_complete": schedule.days_to_complete,
                    "enabled": schedule.enabled,
                }
            schedule_form = ScheduleForm(initial=initial)
        if campaign_form is None:
            due = (now + dt.timedelta(days=reviews.DEFAULT_DAYS_TO_COMPLETE)).strftime("%Y-%m-%d %H:%M")
            campaign_form = CampaignForm(initial={"name": f"Access review {now:%Y-%m-%d}", "due_at": due})
        rows = [(c, review_state.campaign_progress(c, now)) for c in AccessReviewCampaign.objects.all()]
        context = {
            "page_title": "Access reviews",
            "rows": rows,
            "schedule": schedule,
            "next_occurrence": reviews.next_occurrence(schedule, now)
            if schedule and schedule.enabled
            else None,
            "schedule_form": schedule_form,
            "campaign_form": campaign_form,
            "can_manage": self.allows("add", AccessReviewCampaign),
        }
        status = max(status_for(schedule_form), status_for(campaign_form))
        return self.page("access/reviews_list.html", context, status=status)


def _item_rows(principal: Any, campaign: AccessReviewCampaign) -> list[dict[str, Any]]:
    reviewers = {
        a.system_id: a.reviewer
        for a in ReviewerAssignment.objects.filter(campaign=campaign).select_related("reviewer")
    }
    tasks = review_state.review_tasks(campaign)
    may_confirm = policies.policy_for(RevocationTask).allows(principal, "change")
    open_campaign = campaign.closed_at is None
    rows = []
    for item in AccessReviewItem.objects.filter(campaign=campaign).select_related(
        "grant__environment", "decided_by"
    ):
        system_id = item.grant.environment.system_id
        reviewer = reviewers.get(system_id)
        task = tasks.get(item.grant_id) if item.decision == ReviewDecision.REVOKE else None
        rows.append(
            {
                "item": item,
                "reviewer": reviewer,
                "task": task,
                "can_decide": open_campaign and reviews.may_decide(principal, item, reviewer),
                "can_confirm": task is not None and task.completed_at is None and may_confirm,
            }
        )
    return rows


class ReviewDetailView(ReviewsPage):
    model = AccessReviewCampaign

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        campaign = self.get_campaign()
        rows = _item_rows(self.principal, campaign)
        groups = []
        for system, items in groupby(rows, key=lambda row: row["item"].system_name):
            listed = list(items)
            groups.append({"system": system, "reviewer": listed[0]["reviewer"], "rows": listed})
        context = {
            "page_title": campaign.name,
            "campaign": campaign,
            "progress": review_state.campaign_progress(campaign),
            "groups": groups,
            "can_close": campaign.closed_at is None and self.allows("change", campaign),
            "decisions": ReviewDecision.choices,
            "privileges": PrivilegeLevel.choices,
        }
        return self.page("access/reviews_detail.html", context)


class ReviewDecideView(ReviewsPage):
    """POST a decision on one item: the row again (htmx), or back to the campaign."""

    model = AccessReviewItem
    permission_action = "change"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        item = AccessReviewItem.objects.filter(pk=self.kwargs["item"], campaign_id=self.kwargs["pk"]).first()
        if item is None:
            raise Http404("No such review item.")
        form = DecisionForm(request.POST)
        error = ""
        if form.is_valid():
            try:
                reviews.decide_item(actor=self.principal, item=item, **form.cleaned_data)
            except ValidationError as problem:
                error = " ".join(problem.messages)
            except PermissionDenied as refusal:
                error = str(refusal)
        else:
            error = " ".join(
                f"{name}: {' '.join(str(e) for e in errs)}" for name, errs in form.errors.items()
            )
        if self.is_htmx:
            campaign = item.campaign
            row = next(r for r in _item_rows(self.principal, campaign) if r["item"].pk == item.pk)
            context = {
                "row": row,
                "campaign": campaign,
                "error": error,
                "decisions": ReviewDecision.choices,
                "privileges": PrivilegeLevel.choices,
                "organization": self.organization,
                "progress": review_state.campaign_progress(campaign),
                "oob": True,
            }
            # htmx swaps only 2xx answers: the refusal is shown in the row, with role="alert".
            return render(request, "access/reviews_item_row.html", context)
        if error:
            messages.error(request, f"{item.person_email}: {error}")
        else:
            messages.success(request, f"Decision saved for {item.person_email}.")
        return redirect("access:review-detail", org_slug=self.organization.slug, pk=self.kwargs["pk"])


class ReviewCloseView(ReviewsPage):
    model = AccessReviewCampaign
    permission_action = "change"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        campaign = self.get_campaign()
        try:
            reviews.close_campaign(actor=self.principal, campaign=campaign)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"{campaign.name} was closed.")
        return redirect("access:review-detail", org_slug=self.organization.slug, pk=campaign.pk)


class ReviewExportView(ReviewsPage):
    model = AccessReviewCampaign

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        campaign = self.get_campaign()
        try:
            exported = review_exports.export_campaign(
                actor=self.principal, campaign=campaign, fmt=self.kwargs["fmt"]
            )
        except ValidationError as error:
            return HttpResponse(" ".join(error.messages), status=400, content_type="text/plain")
        return attachment(exported)


class RevocationConfirmView(ReviewsPage):
    """Confirm that a revocation opened by this campaign was carried out (editors and above)."""

    model = RevocationTask
    permission_action = "change"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        campaign = self.get_campaign()
        task = review_state.review_tasks(campaign)
        found = next((t for t in task.values() if t.pk == self.kwargs["task"]), None)
        if found is None:
            raise Http404("No such revocation task in this review.")
        try:
            complete_revocation_task(
                actor=self.principal, task=found, note=request.POST.get("note", "")[:2000]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"The revocation of {found.grant.person_email}'s access was confirmed.")
        return redirect("access:review-detail", org_slug=self.organization.slug, pk=campaign.pk)


urlpatterns: list[URLPattern] = [
    path("reviews/", ReviewListView.as_view(), name="reviews"),
    path("reviews/<int:pk>/", ReviewDetailView.as_view(), name="review-detail"),
    path("reviews/<int:pk>/items/<int:item>/decide/", ReviewDecideView.as_view(), name="review-decide"),
    path("reviews/<int:pk>/close/", ReviewCloseView.as_view(), name="review-close"),
    path("reviews/<int:pk>/export.<str:fmt>", ReviewExportView.as_view(), name="review-export"),
    path(
        "reviews/<int:pk>/revocations/<int:task>/confirm/",
        RevocationConfirmView.as_view(),
        name="review-revocation-confirm",
    ),
]
