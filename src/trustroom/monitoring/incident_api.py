"""API of incidents, under /api/v1/orgs/<org_slug>/:

- `incidents/` list (filters `status` (or `active`), `severity`, `q`), read (with its alerts, timeline
  and actions), create (by hand, or from `alert_ids`), PATCH (details, commander, review fields);
  `incidents/<id>/acknowledge/`, `resolve/`, `close/`, `reopen/`, `link-alerts/`, `unlink-alert/`,
  `notes/`; `incidents/metrics/` (counts, MTTA/MTTR, monthly trend) and `incidents/export/` (CSV);
- `incident-actions/` list (filter `incident`), read, create; `incident-actions/<id>/complete/`,
  `incident-actions/<id>/reopen/`.
Nothing is deleted: incidents are evidence.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from trustroom.monitoring import incident_followup as followup
from trustroom.monitoring import incident_reports as reports
from trustroom.monitoring import incident_services as services
from trustroom.monitoring.incident_models import (
    Incident,
    IncidentAction,
    IncidentAlert,
    IncidentEvent,
    IncidentSeverity,
)
from trustroom.tenancy.api import OrgResourceViewSet, StrictInputMixin, email_or_none
from trustroom.tenancy.scope import require_org
from trustroom.tenancy.selectors import members_of
from trustroom.web.exports import CsvRenderer, attachment


def member_by_email(email: str | None) -> Any:
    if not email:
        return None
    membership = members_of(require_org()).filter(user__email__iexact=email).select_related("user").first()
    if membership is None:
        raise serializers.ValidationError({"commander": ["Choose a member of the organization (e-mail)."]})
    return membership.user


class IncidentAlertSerializer(serializers.ModelSerializer):
    title = serializers.CharField(source="alert.title")
    severity = serializers.CharField(source="alert.severity")
    status = serializers.CharField(source="alert.status")
    linked_by = serializers.SerializerMethodField()

    class Meta:
        model = IncidentAlert
        fields = ["alert", "title", "severity", "status", "linked_at", "linked_by"]
        read_only_fields = fields

    def get_linked_by(self, link: IncidentAlert) -> str | None:
        return email_or_none(link.linked_by)


class IncidentEventSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()

    class Meta:
        model = IncidentEvent
        fields = ["id", "kind", "text", "happened_at", "recorded_at", "author"]
        read_only_fields = fields

    def get_author(self, event: IncidentEvent) -> str | None:
        return email_or_none(event.author)


class IncidentActionSerializer(serializers.ModelSerializer):
    owner = serializers.SerializerMethodField()
    done_by = serializers.SerializerMethodField()
    overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = IncidentAction
        fields = [
            "id", "incident", "title", "owner", "due_at", "created_at", "done_at", "done_by",
            "carried_over_at", "overdue",
        ]  # fmt: skip
        read_only_fields = fields

    def get_owner(self, item: IncidentAction) -> str | None:
        return item.owner_label or None

    def get_done_by(self, item: IncidentAction) -> str | None:
        return email_or_none(item.done_by)


class IncidentSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    commander = serializers.SerializerMethodField()
    opened_by = serializers.SerializerMethodField()
    mtta_seconds = serializers.SerializerMethodField()
    mttr_seconds = serializers.SerializerMethodField()

    class Meta:
        model = Incident
        fields = [
            "id", "number", "reference", "title", "summary", "severity", "status", "detected_at", "opened_at",
            "acknowledged_at", "resolved_at", "closed_at", "mtta_seconds", "mttr_seconds", "commander",
            "opened_by", "impact", "root_cause", "lessons",
        ]  # fmt: skip
        read_only_fields = fields

    def get_commander(self, incident: Incident) -> str | None:
        return email_or_none(incident.commander)

    def get_opened_by(self, incident: Incident) -> str | None:
        return email_or_none(incident.opened_by)

    def get_mtta_seconds(self, incident: Incident) -> int | None:
        delta = incident.time_to_acknowledge
        return None if delta is None else int(delta.total_seconds())

    def get_mttr_seconds(self, incident: Incident) -> int | None:
        delta = incident.time_to_resolve
        return None if delta is None else int(delta.total_seconds())


class IncidentDetailSerializer(IncidentSerializer):
    alerts = IncidentAlertSerializer(source="alert_links", many=True, read_only=True)
    timeline = IncidentEventSerializer(source="events", many=True, read_only=True)
    actions = IncidentActionSerializer(many=True, read_only=True)

    class Meta(IncidentSerializer.Meta):
        fields = [*IncidentSerializer.Meta.fields, "alerts", "timeline", "actions"]
        read_only_fields = fields


class IncidentCreateSerializer(StrictInputMixin, serializers.Serializer):
    title = serializers.CharField(max_length=services.MAX_TITLE, required=False, allow_blank=True, default="")
    severity = serializers.ChoiceField(choices=IncidentSeverity.choices, required=False)
    summary = serializers.CharField(required=False, allow_blank=True, default="")
    detected_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    commander = serializers.EmailField(required=False, allow_blank=True, default="")
    alert_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, max_length=services.MAX_ALERTS
    )


class IncidentUpdateSerializer(StrictInputMixin, serializers.Serializer):
    title = serializers.CharField(max_length=services.MAX_TITLE, required=False)
    summary = serializers.CharField(required=False, allow_blank=True)
    severity = serializers.ChoiceField(choices=IncidentSeverity.choices, required=False)
    commander = serializers.EmailField(required=False, allow_blank=True, allow_null=True)
    impact = serializers.CharField(required=False, allow_blank=True)
    root_cause = serializers.CharField(required=False, allow_blank=True)
    lessons = serializers.CharField(required=False, allow_blank=True)


class IncidentTimeNoteSerializer(StrictInputMixin, serializers.Serializer):
    at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=services.MAX_REASON, required=False, allow_blank=True, default="")


class IncidentResolveSerializer(IncidentTimeNoteSerializer):
    resolve_alerts = serializers.BooleanField(required=False, default=False)


class IncidentCloseSerializer(StrictInputMixin, serializers.Serializer):
    carry_over_actions = serializers.BooleanField(required=False, default=False)
    note = serializers.CharField(max_length=services.MAX_REASON, required=False, allow_blank=True, default="")


class IncidentReopenSerializer(StrictInputMixin, serializers.Serializer):
    reason = serializers.CharField(max_length=services.MAX_REASON)


class IncidentAlertIdsSerializer(StrictInputMixin, serializers.Serializer):
    alert_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), min_length=1, max_length=services.MAX_ALERTS
    )


class IncidentAlertIdSerializer(StrictInputMixin, serializers.Serializer):
    alert_id = serializers.IntegerField(min_value=1)


class IncidentNoteSerializer(StrictInputMixin, serializers.Serializer):
    text = serializers.CharField(max_length=followup.MAX_NOTE)
    happened_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


_STAT = inline_serializer(
    "IncidentTimeStat",
    {
        "count": serializers.IntegerField(),
        "median": serializers.FloatField(allow_null=True),
        "mean": serializers.FloatField(allow_null=True),
    },
)
_METRICS = inline_serializer(
    "IncidentMetrics",
    {
        "period": serializers.CharField(),
        "since": serializers.DateTimeField(),
        "total": serializers.IntegerField(),
        "by_status": serializers.ListField(child=serializers.ListField()),
        "by_severity": serializers.ListField(child=serializers.ListField()),
        "mtta": _STAT,
        "mttr": _STAT,
        "months": serializers.ListField(child=serializers.DictField()),
    },
)
_CHANGE_ACTIONS = ("acknowledge", "resolve", "close", "reopen", "link_alerts", "unlink_alert", "notes")


@extend_schema_view(
    list=extend_schema(summary="List incidents (filters: status (or active), severity, q (title or INC-n))"),
    retrieve=extend_schema(summary="One incident with its alerts, timeline and follow-up actions"),
    create=extend_schema(
        summary="Open an incident by hand, or from alerts (alert_ids)",
        description="By hand: title and severity are required; detected_at defaults to now. From alerts: "
        "title and severity default from the most severe alert, detected_at is when the earliest was first "
        "received, and new alerts are acknowledged.",
        request=IncidentCreateSerializer,
        responses={201: IncidentDetailSerializer},
    ),
    partial_update=extend_schema(
        summary="Change details, commander (member e-mail, empty for nobody) or review fields",
        request=IncidentUpdateSerializer,
        responses=IncidentDetailSerializer,
    ),
)
class IncidentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgResourceViewSet):
    policy_model = Incident
    serializer_class = IncidentSerializer

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return IncidentSerializer if getattr(self, "action", None) == "list" else IncidentDetailSerializer

    def scoped_queryset(self) -> QuerySet[Any]:
        if getattr(self, "action", None) == "list":
            return reports.filtered_incidents(self.request.query_params)
        return Incident.objects.select_related("commander", "opened_by")

    def policy_action(self, request: Request) -> str:
        if getattr(self, "action", None) in _CHANGE_ACTIONS:
            return "change"
        return super().policy_action(request)

    def answer(self, incident: Incident, code: int = status.HTTP_200_OK) -> Response:
        fresh = (
            self.scoped_queryset()
            .prefetch_related("alert_links__alert", "events", "actions")
            .get(pk=incident.pk)
        )
        return Response(IncidentDetailSerializer(fresh).data, status=code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = IncidentCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        commander = member_by_email(data["commander"])
        if data.get("alert_ids"):
            incident = services.open_incident_from_alerts(
                actor=self.principal,
                alert_ids=data["alert_ids"],
                title=data["title"],
                severity=data.get("severity", ""),
                summary=data["summary"],
                commander=commander,
            )
        else:
            if "severity" not in data:
                raise serializers.ValidationError(
                    {"severity": ["This field is required (or give alert_ids)."]}
                )
            incident = services.open_incident(
                actor=self.principal,
                title=data["title"],
                severity=data["severity"],
                summary=data["summary"],
                detected_at=data["detected_at"],
                commander=commander,
            )
        return self.answer(incident, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incident = self.get_object()
        body = IncidentUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        details = {k: data[k] for k in ("title", "summary", "severity") if k in data}
        if details:
            incident = followup.update_details(actor=self.principal, incident=incident, **details)
        if "commander" in data:
            commander = member_by_email(data["commander"])
            incident = followup.set_commander(actor=self.principal, incident=incident, commander=commander)
        review = {k: data[k] for k in followup.REVIEW_FIELDS if k in data}
        if review:
            incident = followup.update_review(actor=self.principal, incident=incident, **review)
        return self.answer(incident)

    @extend_schema(
        summary="Acknowledge (at: default now)",
        request=IncidentTimeNoteSerializer,
        responses=IncidentDetailSerializer,
    )
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = IncidentTimeNoteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self.answer(
            services.acknowledge(actor=self.principal, incident=self.get_object(), **body.validated_data)
        )

    @extend_schema(
        summary="Resolve (at: default now); resolve_alerts also resolves its open alerts",
        request=IncidentResolveSerializer,
        responses=IncidentDetailSerializer,
    )
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = IncidentResolveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self.answer(
            services.resolve(actor=self.principal, incident=self.get_object(), **body.validated_data)
        )

    @extend_schema(
        summary="Close after the review (open actions refuse it unless carry_over_actions)",
        request=IncidentCloseSerializer,
        responses=IncidentDetailSerializer,
    )
    @action(detail=True, methods=["post"])
    def close(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = IncidentCloseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self.answer(
            services.close(actor=self.principal, incident=self.get_object(), **body.validated_data)
        )

    @extend_schema(
        summary="Reopen a resolved or closed incident",
        request=IncidentReopenSerializer,
        responses=IncidentDetailSerializer,
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = IncidentReopenSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self.answer(
            services.reopen(actor=self.principal, incident=self.get_object(), **body.validated_data)
        )

    @extend_schema(
        summary="Link more alerts", request=IncidentAlertIdsSerializer, responses=IncidentDetailSerializer
    )
    @action(detail=True, methods=["post"], url_path="link-alerts", url_name="link-alerts")
    def link_alerts(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = IncidentAlertIdsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self.answer(
            services.link_alerts(actor=self.principal, incident=self.get_object(), **body.validated_data)
        )

    @extend_schema(
        summary="Unlink an alert", request=IncidentAlertIdSerializer, responses=IncidentDetailSerializer
    )
    @action(detail=True, methods=["post"], url_path="unlink-alert", url_name="unlink-alert")
    def unlink_alert(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = IncidentAlertIdSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self.answer(
            services.unlink_alert(actor=self.principal, incident=self.get_object(), **body.validated_data)
        )

    @extend_schema(
        summary="Add a note to the timeline (happened_at: default now, may be in the past)",
        request=IncidentNoteSerializer,
        responses={201: IncidentEventSerializer},
    )
    @action(detail=True, methods=["post"])
    def notes(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = IncidentNoteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        event = followup.add_note(actor=self.principal, incident=self.get_object(), **body.validated_data)
        return Response(IncidentEventSerializer(event).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Counts, MTTA and MTTR (minutes, median and mean) and the monthly trend",
        parameters=[
            OpenApiParameter("period", str, enum=list(reports.PERIODS), default=reports.DEFAULT_PERIOD)
        ],
        responses=_METRICS,
    )
    @action(detail=False, methods=["get"])
    def metrics(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(asdict(reports.metrics(request.query_params.get("period"))))

    @extend_schema(
        summary="Incidents with their times as CSV (the list's filters apply); audit-logged",
        responses={(200, "text/csv"): OpenApiTypes.BINARY},
    )
    @action(detail=False, methods=["get"], renderer_classes=[JSONRenderer, CsvRenderer])
    def export(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        return attachment(reports.export_incidents(actor=self.principal, params=request.query_params))


class IncidentActionCreateSerializer(StrictInputMixin, serializers.Serializer):
    incident = serializers.IntegerField(min_value=1)
    title = serializers.CharField(max_length=services.MAX_TITLE)
    owner_email = serializers.EmailField(required=False, allow_blank=True, default="")
    due_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


@extend_schema_view(
    list=extend_schema(
        summary="List follow-up actions (filter: incident (id))",
        parameters=[OpenApiParameter("incident", int)],
    ),
    retrieve=extend_schema(summary="One follow-up action"),
    create=extend_schema(
        summary="Add a follow-up action to an incident",
        request=IncidentActionCreateSerializer,
        responses={201: IncidentActionSerializer},
    ),
)
class IncidentActionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgResourceViewSet):
    policy_model = IncidentAction
    serializer_class = IncidentActionSerializer

    def scoped_queryset(self) -> QuerySet[Any]:
        actions = IncidentAction.objects.select_related("owner", "done_by")
        raw = str(self.request.query_params.get("incident", ""))[:12]
        if getattr(self, "action", None) == "list" and raw:
            actions = actions.filter(incident_id=int(raw)) if raw.isdigit() else actions.none()
        return actions

    def policy_action(self, request: Request) -> str:
        if getattr(self, "action", None) in ("complete", "reopen"):
            return "change"
        return super().policy_action(request)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = IncidentActionCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        incident = Incident.objects.filter(pk=data.pop("incident")).first()
        if incident is None:
            raise serializers.ValidationError({"incident": ["No such incident."]})
        item = followup.add_action(actor=self.principal, incident=incident, **data)
        return Response(IncidentActionSerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Mark the action done", request=None, responses=IncidentActionSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        item = followup.complete_action(actor=self.principal, action=self.get_object())
        return Response(IncidentActionSerializer(item).data)

    @extend_schema(summary="Reopen a done action", request=None, responses=IncidentActionSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        item = followup.reopen_action(actor=self.principal, action=self.get_object())
        return Response(IncidentActionSerializer(item).data)


def register(router: SimpleRouter) -> None:
    router.register(r"incidents", IncidentViewSet, basename="incident")
    router.register(r"incident-actions", IncidentActionViewSet, basename="incident-action")
