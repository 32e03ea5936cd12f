"""API of the controls app, under /api/v1/orgs/<org_slug>/:

controls/ (CRUD; `status` computed when read; `requirements` as requirement ids), evidence/ (list, read,
add a link or a vault file, remove; check results are added by runs), checks/ (CRUD; `run/` queues a run,
answered 202 with the run to poll, 409 while one is queued or running; `snapshot/` imports an inventory
for a snapshot-sourced check), check-runs/ (read; status and progress while queued or running, then the
outcome and per-resource results). The viewsets validate input and call the services.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as DrfValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from trustroom.compliance.models import Requirement
from trustroom.controls import checks as registry
from trustroom.controls import selectors, services
from trustroom.controls.models import (
    DEFAULT_CHECK_SCHEDULE,
    DEFAULT_CONTROL_FREQUENCY,
    DEFAULT_FRESHNESS_DAYS,
    Check,
    CheckRun,
    Control,
    Evidence,
    EvidenceKind,
    InventorySnapshot,
)
from trustroom.controls.state import ControlStatus
from trustroom.tenancy.api import (
    NULLABLE_EMAIL,
    MemberField,
    OrgResourceViewSet,
    ScopedField,
    StrictInputMixin,
    email_or_none,
)
from trustroom.vault.models import Document


def _id_filter(request: Request, name: str) -> int | None:
    value = request.query_params.get(name)
    if not value:
        return None
    if not value.isdigit():
        raise DrfValidationError({name: [f"Give a {name} id."]})
    return int(value)


# --- Controls ---------------------------------------------------------------------------------------


class MappedRequirementSerializer(serializers.ModelSerializer):
    framework = serializers.CharField(source="framework.code", read_only=True)

    class Meta:
        model = Requirement
        fields = ["id", "framework", "identifier", "title"]
        read_only_fields = fields


class ControlSerializer(serializers.ModelSerializer):
    owner = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()
    requirements = serializers.SerializerMethodField()

    class Meta:
        model = Control
        fields = [
            "id",
            "key",
            "name",
            "description",
            "owner",
            "frequency",
            "freshness_days",
            "requirements",
            "status",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(NULLABLE_EMAIL)
    def get_owner(self, control: Control) -> str | None:
        return email_or_none(control.owner)

    @extend_schema_field(serializers.ChoiceField(choices=ControlStatus.choices))
    def get_status(self, control: Control) -> str:
        if not hasattr(control, "status"):
            selectors.with_status([control])
        return str(control.status)  # type: ignore[attr-defined]

    @extend_schema_field(MappedRequirementSerializer(many=True))
    def get_requirements(self, control: Control) -> list[dict[str, Any]]:
        return [MappedRequirementSerializer(m.requirement).data for m in selectors.mappings(control)]


class ControlWriteSerializer(StrictInputMixin, serializers.Serializer):
    key = serializers.CharField(max_length=20, help_text="e.g. DR-1; unique in the organization.")
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    owner = MemberField(required=False, allow_null=True, default=None, help_text="User id of a member.")
    frequency = serializers.CharField(
        max_length=200, default=DEFAULT_CONTROL_FREQUENCY, help_text="RFC 5545 rule."
    )
    freshness_days = serializers.IntegerField(min_value=1, default=DEFAULT_FRESHNESS_DAYS)
    requirements = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        default=list,
        max_length=200,
        help_text="Ids of framework requirements the control satisfies.",
    )


@extend_schema_view(
    list=extend_schema(summary="List controls (status computed when read)"),
    retrieve=extend_schema(summary="One control"),
    create=extend_schema(
        summary="Add a control", request=ControlWriteSerializer, responses={201: ControlSerializer}
    ),
    update=extend_schema(
        summary="Replace a control", request=ControlWriteSerializer, responses=ControlSerializer
    ),
    partial_update=extend_schema(
        summary="Change a control", request=ControlWriteSerializer, responses=ControlSerializer
    ),
    destroy=extend_schema(summary="Delete a control with its evidence", responses={204: None}),
)
class ControlsViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgResourceViewSet):
    policy_model = Control
    serializer_class = ControlSerializer

    def scoped_queryset(self) -> QuerySet[Any]:
        return selectors.controls()

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        items = selectors.with_status(list(page if page is not None else self.get_queryset()))
        data = ControlSerializer(items, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def fresh(self, control: Control, code: int = status.HTTP_200_OK) -> Response:
        return Response(ControlSerializer(selectors.controls().get(pk=control.pk)).data, status=code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = ControlWriteSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        return self.fresh(services.create_control(actor=self.principal, **body.validated_data), 201)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        control = self.get_object()
        body = ControlWriteSerializer(
            data=request.data, partial=kwargs.get("partial", False), context=self.get_serializer_context()
        )
        body.is_valid(raise_exception=True)
        return self.fresh(
            services.update_control(actor=self.principal, control=control, **body.validated_data)
        )

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.update(request, *args, partial=True, **kwargs)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.delete_control(actor=self.principal, control=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Evidence ---------------------------------------------------------------------------------------


class EvidenceSerializer(serializers.ModelSerializer):
    added_by = serializers.SerializerMethodField()
    check_outcome = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = [
            "id",
            "control",
            "kind",
            "document",
            "url",
            "check_run",
            "check_outcome",
            "effective_at",
            "expires_at",
            "note",
            "added_by",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(NULLABLE_EMAIL)
    def get_added_by(self, item: Evidence) -> str | None:
        return email_or_none(item.added_by)

    @extend_schema_field(OpenApiTypes.STR)
    def get_check_outcome(self, item: Evidence) -> str | None:
        return item.check_run.outcome if item.check_run is not None else None


class EvidenceWriteSerializer(StrictInputMixin, serializers.Serializer):
    control = ScopedField(Control, help_text="Id of the control.")
    kind = serializers.ChoiceField(choices=[EvidenceKind.FILE.value, EvidenceKind.LINK.value])
    document = ScopedField(
        Document, required=False, allow_null=True, default=None, help_text="Vault document id."
    )
    url = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)
    effective_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    expires_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


@extend_schema_view(
    list=extend_schema(
        summary="List evidence, newest first",
        parameters=[OpenApiParameter("control", int, description="Only this control's evidence.")],
    ),
    retrieve=extend_schema(summary="One evidence item"),
    create=extend_schema(
        summary="Add a link or a vault file as evidence",
        request=EvidenceWriteSerializer,
        responses={201: EvidenceSerializer},
    ),
    destroy=extend_schema(summary="Remove a link or file evidence item", responses={204: None}),
)
class EvidenceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgResourceViewSet):
    policy_model = Evidence
    serializer_class = EvidenceSerializer

    def scoped_queryset(self) -> QuerySet[Any]:
        queryset = selectors.evidence()
        control = _id_filter(self.request, "control") if self.action == "list" else None
        return queryset.filter(control_id=control) if control is not None else queryset

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = EvidenceWriteSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        item = services.add_evidence(actor=self.principal, **body.validated_data)
        return Response(EvidenceSerializer(selectors.evidence().get(pk=item.pk)).data, status=201)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.remove_evidence(actor=self.principal, evidence=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Checks and runs ----------------------------------------------------------------------------------


class CheckRunSerializer(serializers.ModelSerializer):
    check: serializers.PrimaryKeyRelatedField[Check] = serializers.PrimaryKeyRelatedField(
        source="check_ref", read_only=True
    )
    started_by = serializers.SerializerMethodField()
    percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = CheckRun
        fields = [
            "id",
            "check",
            "trigger",
            "status",
            "done",
            "total",
            "percent",
            "scheduled_for",
            "started_at",
            "finished_at",
            "outcome",
            "summary",
            "details",
            "resources",
            "started_by",
        ]
        read_only_fields = fields

    @extend_schema_field(NULLABLE_EMAIL)
    def get_started_by(self, run: CheckRun) -> str | None:
        return email_or_none(run.started_by)


class CheckSerializer(serializers.ModelSerializer):
    controls: serializers.PrimaryKeyRelatedField[Control] = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )

    class Meta:
        model = Check
        fields = [
            "id",
            "name",
            "kind",
            "parameters",
            "schedule",
            "enabled",
            "controls",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class CheckWriteSerializer(StrictInputMixin, serializers.Serializer):
    name = serializers.CharField(max_length=120)
    kind = serializers.ChoiceField(choices=[])
    parameters = serializers.JSONField(
        help_text='Per kind, e.g. {"allowed_regions": ["ap-south-1"], "source": "config_snapshot"}.'
    )
    schedule = serializers.CharField(
        max_length=200, default=DEFAULT_CHECK_SCHEDULE, help_text="RFC 5545 rule."
    )
    enabled = serializers.BooleanField(default=True)
    controls = serializers.ListField(
        child=ScopedField(Control),
        required=False,
        default=list,
        max_length=100,
        help_text="Ids of controls it feeds.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = registry.kind_choices()


class SnapshotUploadSerializer(StrictInputMixin, serializers.Serializer):
    snapshot = serializers.FileField(help_text="AWS Config snapshot or RDS describe output (JSON).")


class SnapshotSerializer(serializers.ModelSerializer):
    resources = serializers.SerializerMethodField()

    class Meta:
        model = InventorySnapshot
        fields = ["id", "filename", "sha256", "resources", "skipped_items", "uploaded_at"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.INT)
    def get_resources(self, snapshot: InventorySnapshot) -> int:
        return len(snapshot.resources)


@extend_schema_view(
    list=extend_schema(summary="List automated checks"),
    retrieve=extend_schema(summary="One automated check"),
    create=extend_schema(
        summary="Add a check", request=CheckWriteSerializer, responses={201: CheckSerializer}
    ),
    update=extend_schema(summary="Replace a check", request=CheckWriteSerializer, responses=CheckSerializer),
    partial_update=extend_schema(
        summary="Change a check", request=CheckWriteSerializer, responses=CheckSerializer
    ),
    destroy=extend_schema(summary="Delete a check with its runs", responses={204: None}),
    run=extend_schema(
        summary="Queue a run of the check now (poll the run; 409 while one is queued or running)",
        request=None,
        responses={202: CheckRunSerializer, 409: OpenApiTypes.OBJECT},
    ),
    snapshot=extend_schema(
        summary="Import an inventory (AWS Config snapshot) for a snapshot-sourced check",
        request={"multipart/form-data": SnapshotUploadSerializer},
        responses={201: SnapshotSerializer},
    ),
)
class ChecksViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgResourceViewSet):
    policy_model = Check
    serializer_class = CheckSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def scoped_queryset(self) -> QuerySet[Any]:
        return selectors.checks()

    def policy_action(self, request: Request) -> str:
        if self.action in ("run", "snapshot"):
            return "change"
        return super().policy_action(request)

    def fresh(self, check: Check, code: int = status.HTTP_200_OK) -> Response:
        return Response(CheckSerializer(selectors.checks().get(pk=check.pk)).data, status=code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = CheckWriteSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        return self.fresh(services.create_check(actor=self.principal, **body.validated_data), 201)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        check = self.get_object()
        body = CheckWriteSerializer(
            data=request.data, partial=kwargs.get("partial", False), context=self.get_serializer_context()
        )
        body.is_valid(raise_exception=True)
        return self.fresh(services.update_check(actor=self.principal, check=check, **body.validated_data))

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.update(request, *args, partial=True, **kwargs)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.delete_check(actor=self.principal, check=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @action(detail=True, methods=["post"])
    def run(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        try:
            run = services.request_run(actor=self.principal, check=self.get_object())
        except services.RunInProgress as busy:
            body = {"check": busy.messages, "run": busy.run.pk}
            return Response(body, status=status.HTTP_409_CONFLICT)
        response = Response(CheckRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)
        response["Location"] = request.build_absolute_uri(
            reverse("check-run-detail", kwargs={"org_slug": self.organization.slug, "pk": run.pk})
        )
        return response

    @action(detail=True, methods=["post"])
    def snapshot(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        check = self.get_object()
        body = SnapshotUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        upload = body.validated_data["snapshot"]
        raw = upload.read(settings.TRUSTROOM_CONTROLS_SNAPSHOT_MAX_BYTES + 1)
        snapshot = services.import_snapshot(
            actor=self.principal, check=check, raw=raw, filename=upload.name or ""
        )
        return Response(SnapshotSerializer(snapshot).data, status=201)


@extend_schema_view(
    list=extend_schema(
        summary="List check runs, newest first",
        parameters=[OpenApiParameter("check", int, description="Only this check's runs.")],
    ),
    retrieve=extend_schema(summary="One check run with the resources it evaluated"),
)
class CheckRunsViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgResourceViewSet):
    policy_model = CheckRun
    serializer_class = CheckRunSerializer

    def scoped_queryset(self) -> QuerySet[Any]:
        queryset = selectors.runs()
        check = _id_filter(self.request, "check") if self.action == "list" else None
        return queryset.filter(check_ref_id=check) if check is not None else queryset

    def get_object(self) -> Any:
        return services.live_progress(super().get_object())


def register(router: SimpleRouter) -> None:
    router.register(r"controls", ControlsViewSet, basename="control")
    router.register(r"evidence", EvidenceViewSet, basename="evidence")
    router.register(r"checks", ChecksViewSet, basename="check")
    router.register(r"check-runs", CheckRunsViewSet, basename="check-run")
