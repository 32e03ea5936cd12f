"""The VAPT programme's landing page: findings dashboards (charts, the same figures as tables, totals)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone

from trustroom.assessments import charts
from trustroom.assessments.dashboard import Dashboard, dashboard
from trustroom.assessments.models import Application, Finding
from trustroom.tenancy.views import OrgPageView, status_for


class DashboardFilterForm(forms.Form):
    application: forms.ModelChoiceField[Application] = forms.ModelChoiceField(
        queryset=None,
        required=False,
        empty_label="All applications",
        label="Application",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["application"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - narrows the type for mypy
        field.queryset = Application.objects.order_by("name")  # the organization's own, in scope


def humane_duration(value: timedelta | None) -> str:
    """3 h 20 min, 2.5 days: the unit a person would use for time to remediate."""
    if value is None:
        return "—"
    seconds = value.total_seconds()
    if seconds < 3600:
        return f"{max(round(seconds / 60), 0)} min"
    if seconds < 48 * 3600:
        hours, minutes = divmod(round(seconds / 60), 60)
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{seconds / 86400:.1f} days"


def chart_context(summary: Dashboard) -> dict[str, Any]:
    by_age = summary.open_by_age
    age_desc = "; ".join(
        f"{row.label}: {row.total} ("
        + ", ".join(f"{n} {bucket}" for n, bucket in zip(row.counts, by_age.buckets, strict=True))
        + ")"
        for row in by_age.rows
    )
    weeks = summary.burndown.weeks
    adherence = summary.adherence
    return {
        "age_chart": charts.stacked_bar_chart(
            chart_id="chart-age",
            title="Unresolved findings by severity and age",
            desc=f"{by_age.total} unresolved. {age_desc}.",
            categories=[row.label for row in by_age.rows],
            series=[
                charts.Series(bucket, [row.counts[i] for row in by_age.rows])
                for i, bucket in enumerate(by_age.buckets)
            ],
            empty="No unresolved findings.",
        ),
        "burndown_chart": charts.area_chart(
            chart_id="chart-burndown",
            title="Burn-down: unresolved findings at the end of each week",
            desc="; ".join(f"week of {w.start:%Y-%m-%d}: {w.unresolved}" for w in weeks) + ".",
            labels=[f"{w.start:%d %b}" for w in weeks],
            values=[w.unresolved for w in weeks],
            empty="No unresolved findings in the last 12 weeks.",
        ),
        "adherence_chart": charts.percent_bar_chart(
            chart_id="chart-adherence",
            title="SLA adherence per quarter",
            desc="; ".join(
                f"{q.label}: " + (f"{q.percent}% ({q.met} of {q.total} met)" if q.total else "no deadlines")
                for q in adherence
            )
            + ".",
            labels=[q.label for q in adherence],
            percents=[q.percent for q in adherence],
            empty="No remediation deadline fell due in these quarters.",
        ),
    }


class DashboardView(OrgPageView):
    model = Finding

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = DashboardFilterForm(request.GET or None)
        application = form.cleaned_data["application"] if form.is_bound and form.is_valid() else None
        summary = dashboard(now=timezone.now(), application=application)
        mttr_rows = [
            (row, humane_duration(row.mean), humane_duration(row.median)) for row in summary.mttr.rows
        ]
        context = {
            "organization": self.organization,
            "principal": self.principal,
            "page_title": "VAPT overview",
            "form": form,
            "summary": summary,
            "mttr_rows": mttr_rows,
            "mttr_overall": humane_duration(summary.mttr.overall_mean),
            "mttr_days": (summary.mttr.end - summary.mttr.start).days,
            **chart_context(summary),
        }
        template = "assessments/dashboard_body.html" if self.is_htmx else "assessments/dashboard.html"
        return render(request, template, context, status=status_for(form))


urlpatterns: list[URLPattern] = [
    path("", DashboardView.as_view(), name="dashboard"),
]
