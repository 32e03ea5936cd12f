"""API of alert routing, under /api/v1/orgs/<org_slug>/:

- `alert-notifiers/` list, read, create, change (PATCH/PUT), delete; `alert-notifiers/<id>/test/` sends a
  test event (a real delivery). Secrets (`routing_key`, `webhook_url`) are write-only: answers show
  `secret_configured` and the last four characters at most.
- `alert-routing-rules/` list (in evaluation order), read, create, change, delete;
  `alert-routing-rules/<id>/move/` (`direction`: up | down).
- `alert-deliveries/` list (filters `status`, `alert`), read; `alert-deliveries/<id>/retry/` (failed ones).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from trustroom.monitoring import deliveries, routing_selectors, routing_services
from trustroom.monitoring.models import Severity, SourceKind
from trustroom.monitoring.routing_models import Delivery, Notifier, NotifierKind, RoutingRule
from trustroom.tenancy.api import OrgResourceViewSet, StrictInputMixin, email_or_none


class DeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = Delivery
        fields = [
            "id", "alert", "rule", "notifier", "notifier_name", "notifier_kind", "event", "is_test",
            "dedup_key", "status", "attempts", "next_attempt_at", "last_attempt_at", "last_status_code",
            "last_error", "delivered_at", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


# --- Notifiers ------------------------------------------------------------------------------------------


class NotifierSerializer(serializers.ModelSerializer):
    secret_configured = serializers.SerializerMethodField()
    created_by = serializers.SerializerMethodField()

    class Meta:
        model = Notifier
        fields = [
            "id", "name", "kind", "enabled", "secret_configured", "secret_hint", "recipients", "created_by",
            "created_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_secret_configured(self, notifier: Notifier) -> bool:
        return bool(notifier.secret_sealed)

    def get_created_by(self, notifier: Notifier) -> str | None:
        return email_or_none(notifier.created_by)


class NotifierWriteSerializer(StrictInputMixin, serializers.Serializer):
    name = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=NotifierKind.choices)
    enabled = serializers.BooleanField(required=False)
    routing_key = serializers.CharField(
        required=False,
        write_only=True,
        help_text="PagerDuty: the Events API v2 integration key (32 characters).",
    )
    webhook_url = serializers.CharField(
        required=False,
        write_only=True,
        help_text="Slack: the incoming-webhook URL (https, allowed hosts only).",
    )
    recipients = serializers.ListField(
        child=serializers.CharField(max_length=254), required=False, help_text="E-mail: recipient addresses."
    )


class NotifierChangeSerializer(NotifierWriteSerializer):
    name = serializers.CharField(max_length=100, required=False)
    kind = None  # type: ignore[assignment]  # a notifier keeps its kind


@extend_schema_view(
    list=extend_schema(summary="List notifiers"),
    retrieve=extend_schema(summary="One notifier (secrets are never returned)"),
    create=extend_schema(
        summary="Add a notifier", request=NotifierWriteSerializer, responses={201: NotifierSerializer}
    ),
    partial_update=extend_schema(
        summary="Change a notifier (a secret left out is kept)",
        request=NotifierChangeSerializer,
        responses=NotifierSerializer,
    ),
    update=extend_schema(
        summary="Change a notifier (a secret left out is kept)",
        request=NotifierChangeSerializer,
        responses=NotifierSerializer,
    ),
    destroy=extend_schema(summary="Delete a notifier no rule sends to", responses={204: None}),
)
class NotifierViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgResourceViewSet):
    policy_model = Notifier
    serializer_class = NotifierSerializer

    def scoped_queryset(self) -> QuerySet[Any]:
        return routing_selectors.notifiers()

    def policy_action(self, request: Request) -> str:
        if getattr(self, "action", None) == "test":
            return "change"
        return super().policy_action(request)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = NotifierWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        notifier = routing_services.create_notifier(actor=self.principal, **body.validated_data)
        return Response(NotifierSerializer(notifier).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        notifier = self.get_object()
        body = NotifierChangeSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        notifier = routing_services.update_notifier(
            actor=self.principal, notifier=notifier, **body.validated_data
        )
        return Response(NotifierSerializer(notifier).data)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.update(request, *args, **kwargs)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        routing_services.delete_notifier(actor=self.principal, notifier=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Send a test event through this notifier (a real delivery)",
        request=None,
        responses={202: DeliverySerializer},
    )
    @action(detail=True, methods=["post"])
    def test(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        delivery = deliveries.send_test_event(actor=self.principal, notifier=self.get_object())
        fresh = routing_selectors.deliveries().get(pk=delivery.pk)
        return Response(DeliverySerializer(fresh).data, status=status.HTTP_202_ACCEPTED)


# --- Routing rules --------------------------------------------------------------------------------------


class RoutingRuleSerializer(serializers.ModelSerializer):
    notifier_name = serializers.CharField(source="notifier.name", read_only=True)
    routing_key_configured = serializers.SerializerMethodField()

    class Meta:
        model = RoutingRule
        fields = [
            "id", "name", "position", "enabled", "notifier", "notifier_name", "source_ids", "source_kinds",
            "min_severity", "type_pattern", "tag_conditions", "routing_key_configured", "routing_key_hint",
            "stop", "created_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_routing_key_configured(self, rule: RoutingRule) -> bool:
        return bool(rule.routing_key_sealed)


@extend_schema_field(OpenApiTypes.INT)
class NotifierField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self) -> QuerySet[Notifier]:
        return Notifier.objects.all()  # the organization's scope: another one's notifier is "not found"


class RoutingRuleWriteSerializer(StrictInputMixin, serializers.Serializer):
    name = serializers.CharField(max_length=100)
    notifier = NotifierField()
    enabled = serializers.BooleanField(required=False, default=True)
    stop = serializers.BooleanField(required=False, default=False)
    source_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, max_length=100
    )
    source_kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=SourceKind.choices), required=False, max_length=10
    )
    min_severity = serializers.ChoiceField(
        choices=[("", "any"), *Severity.choices], required=False, allow_blank=True
    )
    type_pattern = serializers.CharField(max_length=200, required=False, allow_blank=True)
    tag_conditions = serializers.DictField(
        child=serializers.CharField(max_length=256, allow_blank=True), required=False
    )
    routing_key = serializers.CharField(
        required=False,
        write_only=True,
        allow_blank=True,
        help_text="PagerDuty rules: a routing key that overrides the notifier's (blank removes it).",
    )


class RoutingRuleChangeSerializer(RoutingRuleWriteSerializer):
    name = serializers.CharField(max_length=100, required=False)
    notifier = NotifierField(required=False)
    enabled = serializers.BooleanField(required=False)
    stop = serializers.BooleanField(required=False)


class MoveSerializer(StrictInputMixin, serializers.Serializer):
    direction = serializers.ChoiceField(choices=[("up", "up"), ("down", "down")])


@extend_schema_view(
    list=extend_schema(summary="List routing rules in evaluation order"),
    retrieve=extend_schema(summary="One routing rule"),
    create=extend_schema(
        summary="Add a routing rule (evaluated after the others)",
        request=RoutingRuleWriteSerializer,
        responses={201: RoutingRuleSerializer},
    ),
    partial_update=extend_schema(
        summary="Change a routing rule", request=RoutingRuleChangeSerializer, responses=RoutingRuleSerializer
    ),
    update=extend_schema(
        summary="Change a routing rule", request=RoutingRuleChangeSerializer, responses=RoutingRuleSerializer
    ),
    destroy=extend_schema(summary="Delete a routing rule", responses={204: None}),
)
class RoutingRuleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgResourceViewSet):
    policy_model = RoutingRule
    serializer_class = RoutingRuleSerializer

    def scoped_queryset(self) -> QuerySet[Any]:
        return routing_selectors.rules()

    def policy_action(self, request: Request) -> str:
        if getattr(self, "action", None) == "move":
            return "change"
        return super().policy_action(request)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = RoutingRuleWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        rule = routing_services.create_rule(actor=self.principal, **body.validated_data)
        return Response(RoutingRuleSerializer(rule).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rule = self.get_object()
        body = RoutingRuleChangeSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        rule = routing_services.update_rule(actor=self.principal, rule=rule, **body.validated_data)
        return Response(RoutingRuleSerializer(rule).data)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.update(request, *args, **kwargs)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        routing_services.delete_rule(actor=self.principal, rule=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Move a rule up or down the evaluation order",
        request=MoveSerializer,
        responses=RoutingRuleSerializer,
    )
    @action(detail=True, methods=["post"])
    def move(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = MoveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        rule = routing_services.move_rule(actor=self.principal, rule=self.get_object(), **body.validated_data)
        return Response(RoutingRuleSerializer(routing_selectors.rules().get(pk=rule.pk)).data)


# --- Deliveries -----------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List deliveries (filters: status, alert (id))"),
    retrieve=extend_schema(summary="One delivery"),
)
class DeliveryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgResourceViewSet):
    policy_model = Delivery
    serializer_class = DeliverySerializer

    def scoped_queryset(self) -> QuerySet[Any]:
        if getattr(self, "action", None) == "list":
            return routing_selectors.filtered_deliveries(self.request.query_params)
        return routing_selectors.deliveries()

    def policy_action(self, request: Request) -> str:
        if getattr(self, "action", None) == "retry":
            return "change"
        return super().policy_action(request)

    @extend_schema(summary="Retry a failed delivery now", request=None, responses=DeliverySerializer)
    @action(detail=True, methods=["post"])
    def retry(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        delivery = deliveries.retry_delivery(actor=self.principal, delivery=self.get_object())
        return Response(DeliverySerializer(routing_selectors.deliveries().get(pk=delivery.pk)).data)


def register(router: SimpleRouter) -> None:
    router.register(r"alert-notifiers", NotifierViewSet, basename="alert-notifier")
    router.register(r"alert-routing-rules", RoutingRuleViewSet, basename="alert-routing-rule")
    router.register(r"alert-deliveries", DeliveryViewSet, basename="alert-delivery")
