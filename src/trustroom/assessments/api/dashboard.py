"""API of the VAPT programme: findings-dashboard/ — the dashboard page's figures as JSON.

GET only, for every member and every token scope (it reads findings). `?application=<id>` narrows
it to one application; an id that is not one of the organization's applications is a 400 naming the
field. Durations are whole seconds.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from trustroom.assessments.dashboard import dashboard
from trustroom.assessments.models import Application, Finding
from trustroom.tenancy.api import OrgResourceViewSet


def _seconds(value: timedelta | None) -> int | None:
    return None if value is None else round(value.total_seconds())


class ApplicationField(serializers.PrimaryKeyRelatedField):
    """One of the organization's applications, by id (the request runs in its scope)."""

    def get_queryset(self) -> QuerySet[Any]:
        return Application.objects.all()


class DashboardQuerySerializer(serializers.Serializer):
    application = ApplicationField(required=False, allow_null=True)


class SeverityAgeSerializer(serializers.Serializer):
    severity = serializers.CharField()
    name = serializers.CharField(source="label")
    counts = serializers.ListField(child=serializers.IntegerField(), help_text="One per age bucket.")
    total = serializers.IntegerField()


class OpenByAgeSerializer(serializers.Serializer):
    buckets = serializers.ListField(child=serializers.CharField(), help_text="Days since detection.")
    rows = SeverityAgeSerializer(many=True)
    total = serializers.IntegerField()


class SlaNowSerializer(serializers.Serializer):
    within = serializers.IntegerField()
    approaching = serializers.IntegerField()
    breached = serializers.IntegerField()
    met = serializers.IntegerField(help_text="Fixed by the deadline, awaiting the vendor's retest.")
    no_deadline = serializers.IntegerField()
    total = serializers.IntegerField()


class QuarterSerializer(serializers.Serializer):
    name = serializers.CharField(source="label")
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    met = serializers.IntegerField()
    breached = serializers.IntegerField()
    total = serializers.IntegerField()
    percent = serializers.FloatField(allow_null=True, help_text="Null when no deadline fell due.")


class SeverityMttrSerializer(serializers.Serializer):
    severity = serializers.CharField()
    name = serializers.CharField(source="label")
    remediated = serializers.IntegerField()
    mean_seconds = serializers.IntegerField(allow_null=True)
    median_seconds = serializers.IntegerField(allow_null=True)


class MttrSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    remediated = serializers.IntegerField()
    mean_seconds = serializers.IntegerField(allow_null=True)
    rows = SeverityMttrSerializer(many=True)


class WeekSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    unresolved = serializers.IntegerField(help_text="At `end`.")
    opened = serializers.IntegerField()
    resolved = serializers.IntegerField()


class BurnDownSerializer(serializers.Serializer):
    start_unresolved = serializers.IntegerField()
    weeks = WeekSerializer(many=True)


class FindingsDashboardSerializer(serializers.Serializer):
    now = serializers.DateTimeField()
    application = serializers.IntegerField(allow_null=True)
    has_findings = serializers.BooleanField()
    open_by_age = OpenByAgeSerializer()
    sla_now = SlaNowSerializer()
    sla_adherence = QuarterSerializer(many=True)
    time_to_remediate = MttrSerializer()
    burn_down = BurnDownSerializer()


def dashboard_payload(summary: Any) -> dict[str, Any]:
    """The dataclasses as plain data for the serializer."""
    by_age, sla, mttr = summary.open_by_age, summary.sla_now, summary.mttr
    return {
        "now": summary.now,
        "application": summary.application.pk if summary.application else None,
        "has_findings": summary.has_findings,
        "open_by_age": {"buckets": by_age.buckets, "rows": by_age.rows, "total": by_age.total},
        "sla_now": {
            "within": sla.within,
            "approaching": sla.approaching,
            "breached": sla.breached,
            "met": sla.met,
            "no_deadline": sla.no_deadline,
            "total": sla.total,
        },
        "sla_adherence": [
            {
                "label": q.label,
                "start": q.start,
                "end": q.end,
                "met": q.met,
                "breached": q.breached,
                "total": q.total,
                "percent": q.percent,
            }
            for q in summary.adherence
        ],
        "time_to_remediate": {
            "start": mttr.start,
            "end": mttr.end,
            "remediated": mttr.remediated,
            "mean_seconds": _seconds(mttr.overall_mean),
            "rows": [
                {
                    "severity": row.severity,
                    "label": row.label,
                    "remediated": row.remediated,
                    "mean_seconds": _seconds(row.mean),
                    "median_seconds": _seconds(row.median),
                }
                for row in mttr.rows
            ],
        },
        "burn_down": {"start_unresolved": summary.burndown.start_unresolved, "weeks": summary.burndown.weeks},
    }


class FindingsDashboardViewSet(OrgResourceViewSet):
    policy_model = Finding
    serializer_class = FindingsDashboardSerializer

    def scoped_queryset(self) -> QuerySet[Any]:
        return Finding.objects.none()  # no list of rows here: the figures come from the aggregates

    @extend_schema(
        summary="Findings dashboard",
        description="Unresolved findings by severity and age (days since detection), SLA states now, "
        "SLA adherence for the last four quarters (findings whose deadline fell in the quarter, up to now), "
        "time to remediate per severity over the last 90 days, and a 12-week burn-down. "
        "Computed from the findings' timestamps when read.",
        parameters=[
            OpenApiParameter("application", OpenApiTypes.INT, description="Only this application's findings.")
        ],
        responses=FindingsDashboardSerializer,
    )
    @action(detail=False, methods=["get"], url_path="findings-dashboard", url_name="summary")
    def summary(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        query = DashboardQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        summary = dashboard(now=timezone.now(), application=query.validated_data.get("application"))
        return Response(FindingsDashboardSerializer(dashboard_payload(summary)).data)


def register(router: SimpleRouter) -> None:
    """Add this module's viewsets to the /api/v1/orgs/<org_slug>/ router."""
    # One resource, not a collection: an action on the organization root (findings-dashboard-summary).
    router.register(r"", FindingsDashboardViewSet, basename="findings-dashboard")
