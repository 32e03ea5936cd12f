"""API of security alert intake, under /api/v1/orgs/<org_slug>/:

- `alert-sources/` list, read, create (answers the intake URL path and secret once), delete;
  `alert-sources/<id>/rotate-secret/` (new secret, once), `alert-sources/<id>/disable/`, `.../enable/`;
- `alerts/` list (filters `severity`, `status`, `source`, `q`), read;
  `alerts/<id>/acknowledge/`, `alerts/<id>/resolve/`, `alerts/<id>/suppress/` (optional `note`).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from trustroom.monitoring import selectors, services
from trustroom.monitoring.models import Alert, AlertSource, SourceKind
from trustroom.tenancy.api import OrgResourceViewSet, StrictInputMixin, email_or_none


class AlertSourceSerializer(serializers.ModelSerializer):
    created_by = serializers.SerializerMethodField()

    class Meta:
        model = AlertSource
        fields = [
            "id", "name", "kind", "token_prefix", "enabled", "created_by", "created_at",
            "secret_rotated_at", "last_received_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_created_by(self, source: AlertSource) -> str | None:
        return email_or_none(source.created_by)


class AlertSourceCreateSerializer(StrictInputMixin, serializers.Serializer):
    kind = serializers.ChoiceField(choices=SourceKind.choices)
    name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class NoteSerializer(StrictInputMixin, serializers.Serializer):
    note = serializers.CharField(max_length=services.MAX_NOTE, required=False, allow_blank=True, default="")


_ONCE = inline_serializer(
    "AlertSourceCreated",
    {"source": AlertSourceSerializer(), "url": serializers.CharField(), "secret": serializers.CharField()},
)
_ROTATED = inline_serializer("AlertSourceSecret", {"secret": serializers.CharField()})


@extend_schema_view(
    list=extend_schema(summary="List alert sources"),
    retrieve=extend_schema(summary="One alert source"),
    create=extend_schema(
        summary="Create an alert source",
        description="Answers the intake URL path and the signing secret: both are shown only in this answer.",
        request=AlertSourceCreateSerializer,
        responses={201: _ONCE},
    ),
    destroy=extend_schema(summary="Delete an alert source (its alerts stay)", responses={204: None}),
)
class AlertSourceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgResourceViewSet):
    policy_model = AlertSource
    serializer_class = AlertSourceSerializer

    def scoped_queryset(self) -> QuerySet[Any]:
        return AlertSource.objects.select_related("created_by")

    def policy_action(self, request: Request) -> str:
        if getattr(self, "action", None) in ("rotate_secret", "disable", "enable"):
            return "change"
        return super().policy_action(request)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = AlertSourceCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        new = services.create_source(actor=self.principal, **body.validated_data)
        data = {"source": AlertSourceSerializer(new.source).data, "url": new.path, "secret": new.secret}
        return Response(data, status=status.HTTP_201_CREATED)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.delete_source(actor=self.principal, source=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Rotate the signing secret (the old one stops at once)", request=None, responses=_ROTATED
    )
    @action(detail=True, methods=["post"], url_path="rotate-secret", url_name="rotate-secret")
    def rotate_secret(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(
            {"secret": services.rotate_source_secret(actor=self.principal, source=self.get_object())}
        )

    @extend_schema(
        summary="Disable the source (its endpoint answers 404)", request=None, responses=AlertSourceSerializer
    )
    @action(detail=True, methods=["post"])
    def disable(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        source = services.set_source_enabled(actor=self.principal, source=self.get_object(), enabled=False)
        return Response(AlertSourceSerializer(source).data)

    @extend_schema(summary="Enable the source again", request=None, responses=AlertSourceSerializer)
    @action(detail=True, methods=["post"])
    def enable(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        source = services.set_source_enabled(actor=self.principal, source=self.get_object(), enabled=True)
        return Response(AlertSourceSerializer(source).data)


class AlertSerializer(serializers.ModelSerializer):
    source = serializers.SerializerMethodField()  # type: ignore[assignment]  # a field named like Field.source

    class Meta:
        model = Alert
        fields = [
            "id", "source", "source_kind", "dedup_key", "type", "severity", "title", "resource_type",
            "resource_id", "account", "region", "first_seen", "last_seen", "occurrences", "status",
            "status_changed_at", "status_note", "raw", "raw_truncated",
        ]  # fmt: skip
        read_only_fields = fields

    def get_source(self, alert: Alert) -> str | None:
        return alert.source.name if alert.source is not None else None


@extend_schema_view(
    list=extend_schema(summary="List alerts (filters: severity, status, source (id), q (text))"),
    retrieve=extend_schema(summary="One alert, with its raw document"),
)
class AlertViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgResourceViewSet):
    policy_model = Alert
    serializer_class = AlertSerializer

    def scoped_queryset(self) -> QuerySet[Any]:
        if getattr(self, "action", None) == "list":
            return selectors.filtered_alerts(self.request.query_params)
        return Alert.objects.select_related("source")

    def policy_action(self, request: Request) -> str:
        if getattr(self, "action", None) in ("acknowledge", "resolve", "suppress"):
            return "change"
        return super().policy_action(request)

    def _move(self, request: Request, service: Any) -> Response:
        body = NoteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        alert = service(actor=self.principal, alert=self.get_object(), note=body.validated_data["note"])
        return Response(AlertSerializer(alert).data)

    @extend_schema(summary="Acknowledge an alert", request=NoteSerializer, responses=AlertSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._move(request, services.acknowledge_alert)

    @extend_schema(summary="Resolve an alert", request=NoteSerializer, responses=AlertSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._move(request, services.resolve_alert)

    @extend_schema(summary="Suppress an alert (noise)", request=NoteSerializer, responses=AlertSerializer)
    @action(detail=True, methods=["post"])
    def suppress(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._move(request, services.suppress_alert)


def register(router: SimpleRouter) -> None:
    router.register(r"alert-sources", AlertSourceViewSet, basename="alert-source")
    router.register(r"alerts", AlertViewSet, basename="alert")
