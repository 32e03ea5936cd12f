"""API of the resilience program, under /api/v1/orgs/<org_slug>/:

dr-plans/ (CRUD; drill state computed when read), failover-drills/ (CRUD), bcp-exercises/ (CRUD;
action-items/ turns the open points into action items), action-items/ (CRUD; `overdue` computed when
read; filters status, owner, overdue, source). The viewsets validate input and call the services.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as DrfValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from trustroom.resilience import selectors, services
from trustroom.resilience.models import (
    DEFAULT_DRILL_RULE,
    ActionItem,
    ActionStatus,
    BcpExercise,
    DrillOutcome,
    DrPlan,
    FailoverDrill,
)
from trustroom.resilience.state import action_item_overdue, met_targets
from trustroom.tenancy.api import (
    NULLABLE_EMAIL,
    MemberField,
    OrgResourceViewSet,
    ScopedField,
    StrictInputMixin,
    email_or_none,
)


class ParticipantSerializer(serializers.Serializer):
    function = serializers.CharField(max_length=120, help_text="e.g. Engineering, Support, Legal.")
    name = serializers.CharField(max_length=120)


# --- DR plans --------------------------------------------------------------------------------------


class DrillSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = FailoverDrill
        fields = ["id", "started_at", "ended_at", "measured_rto_minutes", "measured_rpo_minutes", "outcome"]
        read_only_fields = fields


class DrPlanSerializer(serializers.ModelSerializer):
    owner = serializers.SerializerMethodField()
    last_drill = serializers.SerializerMethodField()
    next_drill_due = serializers.SerializerMethodField()
    drill_overdue = serializers.SerializerMethodField()
    met_targets = serializers.SerializerMethodField()

    class Meta:
        model = DrPlan
        fields = [
            "id",
            "service",
            "description",
            "rto_minutes",
            "rpo_minutes",
            "topology",
            "drill_rule",
            "owner",
            "last_drill",
            "next_drill_due",
            "drill_overdue",
            "met_targets",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def _state(self, plan: DrPlan) -> Any:
        if not hasattr(plan, "state"):
            selectors.with_plan_state([plan])
        return plan.state  # type: ignore[attr-defined]

    @extend_schema_field(NULLABLE_EMAIL)
    def get_owner(self, plan: DrPlan) -> str | None:
        return email_or_none(plan.owner)

    @extend_schema_field(DrillSummarySerializer(allow_null=True))
    def get_last_drill(self, plan: DrPlan) -> dict[str, Any] | None:
        last = self._state(plan).last_drill
        return DrillSummarySerializer(last).data if last is not None else None

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_next_drill_due(self, plan: DrPlan) -> str | None:
        due = self._state(plan).next_due
        return due.isoformat().replace("+00:00", "Z") if due else None

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_drill_overdue(self, plan: DrPlan) -> bool:
        return bool(self._state(plan).overdue)

    @extend_schema_field(serializers.BooleanField(allow_null=True))
    def get_met_targets(self, plan: DrPlan) -> bool | None:
        return self._state(plan).met_targets


class DrPlanWriteSerializer(StrictInputMixin, serializers.Serializer):
    service = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    rto_minutes = serializers.IntegerField(min_value=0, help_text="Recovery time objective, minutes.")
    rpo_minutes = serializers.IntegerField(min_value=0, help_text="Recovery point objective, minutes.")
    topology = serializers.CharField(required=False, allow_blank=True, default="")
    drill_rule = serializers.CharField(
        max_length=200, default=DEFAULT_DRILL_RULE, help_text="RFC 5545 rule, e.g. FREQ=MONTHLY;INTERVAL=2."
    )
    owner = MemberField(required=False, allow_null=True, default=None, help_text="User id of a member.")


@extend_schema_view(
    list=extend_schema(summary="List DR plans (drill state computed when read)"),
    retrieve=extend_schema(summary="One DR plan"),
    create=extend_schema(
        summary="Add a DR plan", request=DrPlanWriteSerializer, responses={201: DrPlanSerializer}
    ),
    update=extend_schema(
        summary="Replace a DR plan", request=DrPlanWriteSerializer, responses=DrPlanSerializer
    ),
    partial_update=extend_schema(
        summary="Change a DR plan", request=DrPlanWriteSerializer, responses=DrPlanSerializer
    ),
    destroy=extend_schema(summary="Delete a DR plan with its drills", responses={204: None}),
)
class DrPlansViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgResourceViewSet):
    policy_model = DrPlan
    serializer_class = DrPlanSerializer

    def scoped_queryset(self) -> QuerySet[Any]:
        return selectors.plans()

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        plans = selectors.with_plan_state(list(page if page is not None else self.get_queryset()))
        data = DrPlanSerializer(plans, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def fresh(self, plan: DrPlan, code: int = status.HTTP_200_OK) -> Response:
        return Response(DrPlanSerializer(selectors.plans().get(pk=plan.pk)).data, status=code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = DrPlanWriteSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        return self.fresh(services.create_plan(actor=self.principal, **body.validated_data), 201)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan = self.get_object()
        body = DrPlanWriteSerializer(
            data=request.data, partial=kwargs.get("partial", False), context=self.get_serializer_context()
        )
        body.is_valid(raise_exception=True)
        return self.fresh(services.update_plan(actor=self.principal, plan=plan, **body.validated_data))

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.update(request, *args, partial=True, **kwargs)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.delete_plan(actor=self.principal, plan=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Failover drills -------------------------------------------------------------------------------


class FailoverDrillSerializer(serializers.ModelSerializer):
    recorded_by = serializers.SerializerMethodField()
    met_targets = serializers.SerializerMethodField()

    class Meta:
        model = FailoverDrill
        fields = [
            "id",
            "plan",
            "scheduled_for",
            "started_at",
            "ended_at",
            "measured_rto_minutes",
            "measured_rpo_minutes",
            "outcome",
            "issues",
            "met_targets",
            "recorded_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(NULLABLE_EMAIL)
    def get_recorded_by(self, drill: FailoverDrill) -> str | None:
        return email_or_none(drill.recorded_by)

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_met_targets(self, drill: FailoverDrill) -> bool:
        return met_targets(drill, drill.plan)


class FailoverDrillWriteSerializer(StrictInputMixin, serializers.Serializer):
    plan = ScopedField(DrPlan, help_text="Id of the DR plan.")
    scheduled_for = serializers.DateTimeField(required=False, allow_null=True, default=None)
    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(help_text="When the service was restored.")
    measured_rto_minutes = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=0, help_text="Default: start to end."
    )
    measured_rpo_minutes = serializers.IntegerField(min_value=0, help_text="Minutes of data lost.")
    outcome = serializers.ChoiceField(choices=DrillOutcome.choices)
    issues = serializers.CharField(required=False, allow_blank=True, default="")


@extend_schema_view(
    list=extend_schema(
        summary="List failover drills, newest first",
        parameters=[OpenApiParameter("plan", int, description="Only this plan's drills.")],
    ),
    retrieve=extend_schema(summary="One failover drill"),
    create=extend_schema(
        summary="Record a failover drill",
        request=FailoverDrillWriteSerializer,
        responses={201: FailoverDrillSerializer},
    ),
    update=extend_schema(
        summary="Replace a failover drill",
        request=FailoverDrillWriteSerializer,
        responses=FailoverDrillSerializer,
    ),
    partial_update=extend_schema(
        summary="Change a failover drill",
        request=FailoverDrillWriteSerializer,
        responses=FailoverDrillSerializer,
    ),
    destroy=extend_schema(summary="Delete a failover drill", responses={204: None}),
)
class FailoverDrillsViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgResourceViewSet):
    policy_model = FailoverDrill
    serializer_class = FailoverDrillSerializer

    def scoped_queryset(self) -> QuerySet[Any]:
        queryset = selectors.drills()
        plan = self.request.query_params.get("plan") if self.action == "list" else None
        if plan:
            if not plan.isdigit():
                raise DrfValidationError({"plan": ["Give a plan id."]})
            queryset = queryset.filter(plan_id=int(plan))
        return queryset

    def fresh(self, drill: FailoverDrill, code: int = status.HTTP_200_OK) -> Response:
        return Response(FailoverDrillSerializer(selectors.drills().get(pk=drill.pk)).data, status=code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = FailoverDrillWriteSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        return self.fresh(services.record_drill(actor=self.principal, **body.validated_data), 201)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        drill = self.get_object()
        body = FailoverDrillWriteSerializer(
            data=request.data, partial=kwargs.get("partial", False), context=self.get_serializer_context()
        )
        body.is_valid(raise_exception=True)
        values = dict(body.validated_data)
        if "plan" in values and values.pop("plan") != drill.plan:
            raise DrfValidationError({"plan": ["A drill stays with its plan; record a new one instead."]})
        if values.get("measured_rto_minutes", 0) is None:
            values["measured_rto_minutes"] = services.default_rto_minutes(
                values.get("started_at", drill.started_at), values.get("ended_at", drill.ended_at)
            )
        return self.fresh(services.update_drill(actor=self.principal, drill=drill, **values))

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.update(request, *args, partial=True, **kwargs)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.delete_drill(actor=self.principal, drill=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Action items (read) -------------------------------------------------------------------------


class ActionItemSerializer(serializers.ModelSerializer):
    owner = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = ActionItem
        fields = [
            "id",
            "title",
            "detail",
            "exercise",
            "drill",
            "owner",
            "due_on",
            "status",
            "completed_at",
            "overdue",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(NULLABLE_EMAIL)
    def get_owner(self, item: ActionItem) -> str | None:
        return email_or_none(item.owner)

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_overdue(self, item: ActionItem) -> bool:
        return action_item_overdue(item)  # computed when read: no job marks it


# --- BCP exercises ---------------------------------------------------------------------------------


class BcpExerciseSerializer(serializers.ModelSerializer):
    facilitator = serializers.SerializerMethodField()
    participants = ParticipantSerializer(many=True, read_only=True)
    open_points = serializers.ListField(child=serializers.CharField(), read_only=True)
    action_items: Any = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = BcpExercise
        fields = [
            "id",
            "title",
            "scenario",
            "held_at",
            "facilitator",
            "participants",
            "summary",
            "open_points",
            "action_items",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(NULLABLE_EMAIL)
    def get_facilitator(self, exercise: BcpExercise) -> str | None:
        return email_or_none(exercise.facilitator)


class BcpExerciseWriteSerializer(StrictInputMixin, serializers.Serializer):
    title = serializers.CharField(max_length=200)
    scenario = serializers.CharField()
    held_at = serializers.DateTimeField()
    facilitator = MemberField(required=False, allow_null=True, default=None)
    participants = serializers.ListField(
        child=serializers.DictField(child=serializers.CharField()),
        required=False,
        default=list,
        help_text='[{"function": "Engineering", "name": "…"}, …]',
    )
    summary = serializers.CharField(required=False, allow_blank=True, default="")
    open_points = serializers.ListField(
        child=serializers.CharField(max_length=300), required=False, default=list, max_length=100
    )


class OpenPointsToItemsSerializer(StrictInputMixin, serializers.Serializer):
    owner = MemberField(required=False, allow_null=True, default=None)
    due_on = serializers.DateField(required=False, allow_null=True, default=None)


@extend_schema_view(
    list=extend_schema(summary="List BCP tabletop exercises, newest first"),
    retrieve=extend_schema(summary="One BCP exercise"),
    create=extend_schema(
        summary="Record a BCP exercise",
        request=BcpExerciseWriteSerializer,
        responses={201: BcpExerciseSerializer},
    ),
    update=extend_schema(
        summary="Replace a BCP exercise", request=BcpExerciseWriteSerializer, responses=BcpExerciseSerializer
    ),
    partial_update=extend_schema(
        summary="Change a BCP exercise", request=BcpExerciseWriteSerializer, responses=BcpExerciseSerializer
    ),
    destroy=extend_schema(summary="Delete a BCP exercise with its action items", responses={204: None}),
    action_items=extend_schema(
        summary="Turn the open points into action items (once each)",
        request=OpenPointsToItemsSerializer,
        responses={201: ActionItemSerializer(many=True)},
    ),
)
class BcpExercisesViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgResourceViewSet):
    policy_model = BcpExercise
    serializer_class = BcpExerciseSerializer

    def scoped_queryset(self) -> QuerySet[Any]:
        return selectors.exercises().prefetch_related("action_items")

    def policy_action(self, request: Request) -> str:
        if self.action == "action_items":
            return "change"
        return super().policy_action(request)

    def fresh(self, exercise: BcpExercise, code: int = status.HTTP_200_OK) -> Response:
        return Response(BcpExerciseSerializer(self.scoped_queryset().get(pk=exercise.pk)).data, status=code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = BcpExerciseWriteSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        return self.fresh(services.create_exercise(actor=self.principal, **body.validated_data), 201)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        exercise = self.get_object()
        body = BcpExerciseWriteSerializer(
            data=request.data, partial=kwargs.get("partial", False), context=self.get_serializer_context()
        )
        body.is_valid(raise_exception=True)
        return self.fresh(
            services.update_exercise(actor=self.principal, exercise=exercise, **body.validated_data)
        )

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.update(request, *args, partial=True, **kwargs)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.delete_exercise(actor=self.principal, exercise=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @action(detail=True, methods=["post"], url_path="action-items", pagination_class=None)
    def action_items(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        exercise = self.get_object()
        body = OpenPointsToItemsSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        created = services.action_items_from_open_points(
            actor=self.principal, exercise=exercise, **body.validated_data
        )
        items = selectors.action_items().filter(pk__in=[i.pk for i in created])
        return Response(ActionItemSerializer(items, many=True).data, status=status.HTTP_201_CREATED)


# --- Action items (write) ------------------------------------------------------------------------------


class ActionItemWriteSerializer(StrictInputMixin, serializers.Serializer):
    title = serializers.CharField(max_length=300)
    detail = serializers.CharField(required=False, allow_blank=True, default="")
    exercise = ScopedField(BcpExercise, required=False, allow_null=True, default=None)
    drill = ScopedField(FailoverDrill, required=False, allow_null=True, default=None)
    owner = MemberField(required=False, allow_null=True, default=None)
    due_on = serializers.DateField(required=False, allow_null=True, default=None)
    status = serializers.ChoiceField(choices=ActionStatus.choices, default=ActionStatus.OPEN)


TRUE_FALSE = {"true": True, "1": True, "false": False, "0": False}


@extend_schema_view(
    list=extend_schema(
        summary="List action items (overdue computed when read)",
        parameters=[
            OpenApiParameter("status", str, enum=ActionStatus.values, description="Only this status."),
            OpenApiParameter("owner", int, description="Only this owner's (user id)."),
            OpenApiParameter("overdue", bool, description="Only overdue (true) or not overdue (false)."),
            OpenApiParameter(
                "source", str, enum=["exercise", "drill", "standalone"], description="Only from this source."
            ),
        ],
    ),
    retrieve=extend_schema(summary="One action item"),
    create=extend_schema(
        summary="Add an action item (from an exercise, a drill, or standalone)",
        request=ActionItemWriteSerializer,
        responses={201: ActionItemSerializer},
    ),
    update=extend_schema(
        summary="Replace an action item", request=ActionItemWriteSerializer, responses=ActionItemSerializer
    ),
    partial_update=extend_schema(
        summary="Change an action item (e.g. its status)",
        request=ActionItemWriteSerializer,
        responses=ActionItemSerializer,
    ),
    destroy=extend_schema(summary="Delete an action item", responses={204: None}),
)
class ActionItemsViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgResourceViewSet):
    policy_model = ActionItem
    serializer_class = ActionItemSerializer

    def scoped_queryset(self) -> QuerySet[Any]:
        if self.action != "list":
            return selectors.action_items()
        params = self.request.query_params
        errors: dict[str, list[str]] = {}
        status_value = params.get("status", "")
        if status_value and status_value not in ActionStatus.values:
            errors["status"] = [f"Status must be one of: {', '.join(ActionStatus.values)}."]
        owner = params.get("owner", "")
        if owner and not owner.isdigit():
            errors["owner"] = ["Give a user id."]
        overdue = params.get("overdue", "")
        if overdue and overdue.lower() not in TRUE_FALSE:
            errors["overdue"] = ["Give true or false."]
        source = params.get("source", "")
        if source and source not in ("exercise", "drill", "standalone"):
            errors["source"] = ["Source must be one of: exercise, drill, standalone."]
        if errors:
            raise DrfValidationError(errors)
        return selectors.filter_action_items(
            status=status_value,
            owner_id=int(owner) if owner else None,
            overdue=TRUE_FALSE[overdue.lower()] if overdue else None,
            source=source,
        )

    def fresh(self, item: ActionItem, code: int = status.HTTP_200_OK) -> Response:
        return Response(ActionItemSerializer(selectors.action_items().get(pk=item.pk)).data, status=code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = ActionItemWriteSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        return self.fresh(services.create_action_item(actor=self.principal, **body.validated_data), 201)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        item = self.get_object()
        body = ActionItemWriteSerializer(
            data=request.data, partial=kwargs.get("partial", False), context=self.get_serializer_context()
        )
        body.is_valid(raise_exception=True)
        values = dict(body.validated_data)
        for source in ("exercise", "drill"):
            if source in values and values.pop(source) != getattr(item, source):
                raise DrfValidationError({source: ["An action item keeps its source."]})
        return self.fresh(services.update_action_item(actor=self.principal, item=item, **values))

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.update(request, *args, partial=True, **kwargs)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.delete_action_item(actor=self.principal, item=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


def register(router: SimpleRouter) -> None:
    router.register(r"dr-plans", DrPlansViewSet, basename="dr-plan")
    router.register(r"failover-drills", FailoverDrillsViewSet, basename="failover-drill")
    router.register(r"bcp-exercises", BcpExercisesViewSet, basename="bcp-exercise")
    router.register(r"action-items", ActionItemsViewSet, basename="action-item")
