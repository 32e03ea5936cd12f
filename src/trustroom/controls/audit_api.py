"""API of the auditor workspace, under /api/v1/orgs/<org_slug>/:

audit-periods/ (list and read what the workspace scope lets the caller see; managers create, change and
delete; `assign/` and `unassign/` manage auditors), evidence-packages/ (create = start an export, answered
202 with the package to poll; read = status and progress; `download/` = the ZIP as an attachment).
Reads go through `audit_scope`; writes call the services.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from trustroom.controls import audit_scope, audit_services, evidence_package, period_readiness
from trustroom.controls.audit_models import AuditPeriod, AuditPeriodStatus, EvidencePackage
from trustroom.controls.state import ControlStatus
from trustroom.tenancy.api import NULLABLE_EMAIL, OrgResourceViewSet, StrictInputMixin, email_or_none
from trustroom.tenancy.models import Role
from trustroom.tenancy.selectors import members_of
from trustroom.web.exports import Export, attachment


class AuditorSerializer(serializers.Serializer):
    assignment = serializers.IntegerField(source="pk")
    user = serializers.IntegerField(source="membership.user_id")
    email = serializers.EmailField(source="membership.user.email")


class AuditPeriodSerializer(serializers.ModelSerializer):
    auditors = serializers.SerializerMethodField()

    class Meta:
        model = AuditPeriod
        fields = ["id", "name", "framework_codes", "starts_at", "ends_at", "status", "auditors", "created_at"]
        read_only_fields = fields

    @extend_schema_field(AuditorSerializer(many=True))
    def get_auditors(self, period: AuditPeriod) -> list[Any]:
        view = self.context.get("view")
        principal = getattr(view, "principal", None)
        if principal is None or principal.role not in audit_scope.MANAGER_ROLES:
            return []  # auditors do not learn who else audits
        return list(AuditorSerializer(period.assignments.select_related("membership__user"), many=True).data)


class AuditPeriodWriteSerializer(StrictInputMixin, serializers.Serializer):
    name = serializers.CharField(max_length=200)
    framework_codes = serializers.ListField(child=serializers.CharField(max_length=60), max_length=50)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    status = serializers.ChoiceField(choices=AuditPeriodStatus.choices, default=AuditPeriodStatus.OPEN)


class ControlReadinessSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    key = serializers.CharField()
    name = serializers.CharField()
    status = serializers.ChoiceField(choices=ControlStatus.choices, source="period_status")


class PeriodReadinessSerializer(serializers.Serializer):
    period = serializers.IntegerField()
    as_of = serializers.DateTimeField(help_text="The period's end, or now while the period runs.")
    controls = ControlReadinessSerializer(many=True)


class AuditorAssignSerializer(StrictInputMixin, serializers.Serializer):
    user = serializers.IntegerField(help_text="The user id of a member with the auditor role.")


class AuditorUnassignSerializer(StrictInputMixin, serializers.Serializer):
    assignment = serializers.IntegerField()


def _service_errors(error: ValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(error.message_dict if hasattr(error, "error_dict") else error.messages)


@extend_schema_view(
    list=extend_schema(summary="Audit periods the caller may see"),
    retrieve=extend_schema(summary="One audit period"),
    create=extend_schema(
        summary="Add an audit period",
        request=AuditPeriodWriteSerializer,
        responses={201: AuditPeriodSerializer},
    ),
    partial_update=extend_schema(
        summary="Change an audit period (e.g. close it)",
        request=AuditPeriodWriteSerializer,
        responses=AuditPeriodSerializer,
    ),
    destroy=extend_schema(summary="Delete an audit period with its packages", responses={204: None}),
    assign=extend_schema(
        summary="Assign an auditor", request=AuditorAssignSerializer, responses={201: AuditPeriodSerializer}
    ),
    unassign=extend_schema(
        summary="Remove an auditor", request=AuditorUnassignSerializer, responses=AuditPeriodSerializer
    ),
    readiness=extend_schema(
        summary="Each control in scope, ready or not from the evidence that took effect inside the window",
        responses=PeriodReadinessSerializer,
    ),
)
class AuditPeriodsViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgResourceViewSet):
    policy_model = AuditPeriod
    serializer_class = AuditPeriodSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def scoped_queryset(self) -> QuerySet[Any]:
        return audit_scope.visible_periods(self.principal)

    def policy_action(self, request: Request) -> str:
        if self.action in ("assign", "unassign"):
            return "change"
        if self.action == "readiness":
            return "view"
        return super().policy_action(request)

    @action(detail=True, methods=["get"])
    def readiness(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        period = self.get_object()
        controls = list(audit_scope.controls_in(self.principal, period))
        evidence = audit_scope.evidence_in(self.principal, period)
        period_readiness.with_period_status(controls, evidence, period)
        body = {"period": period.pk, "as_of": period_readiness.as_of(period), "controls": controls}
        return Response(PeriodReadinessSerializer(body).data)

    def fresh(self, period: AuditPeriod, code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(AuditPeriod.objects.get(pk=period.pk)).data, status=code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = AuditPeriodWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            period = audit_services.create_period(actor=self.principal, **body.validated_data)
        except ValidationError as error:
            raise _service_errors(error) from None
        return self.fresh(period, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        period = self.get_object()
        body = AuditPeriodWriteSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        try:
            period = audit_services.update_period(actor=self.principal, period=period, **body.validated_data)
        except ValidationError as error:
            raise _service_errors(error) from None
        return self.fresh(period)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        audit_services.delete_period(actor=self.principal, period=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @action(detail=True, methods=["post"])
    def assign(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        period = self.get_object()
        body = AuditorAssignSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        membership = members_of(self.organization).filter(user_id=body.validated_data["user"]).first()
        if membership is None or membership.role != Role.AUDITOR:
            raise serializers.ValidationError({"user": ["Choose a member with the auditor role."]})
        try:
            audit_services.assign_auditor(actor=self.principal, period=period, membership=membership)
        except ValidationError as error:
            raise _service_errors(error) from None
        return self.fresh(period, status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def unassign(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        period = self.get_object()
        body = AuditorUnassignSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        assignment = period.assignments.filter(pk=body.validated_data["assignment"]).first()
        if assignment is None:
            raise serializers.ValidationError({"assignment": ["No such assignment in this period."]})
        audit_services.unassign_auditor(actor=self.principal, assignment=assignment)
        return self.fresh(period)


class EvidencePackageSerializer(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True)
    created_by = serializers.SerializerMethodField()

    class Meta:
        model = EvidencePackage
        fields = [
            "id", "period", "status", "done", "total", "percent", "error", "files", "size_bytes", "sha256",
            "chain_head_seq", "chain_head_hash", "created_by", "created_at", "started_at", "finished_at",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(NULLABLE_EMAIL)
    def get_created_by(self, package: EvidencePackage) -> str | None:
        return email_or_none(package.created_by)


class PackageRequestSerializer(StrictInputMixin, serializers.Serializer):
    period = serializers.IntegerField(help_text="The audit period to export.")


@extend_schema_view(
    list=extend_schema(summary="Evidence packages of the periods the caller may see"),
    retrieve=extend_schema(summary="One evidence package: status and progress (poll until done or failed)"),
    create=extend_schema(
        summary="Start exporting an audit period's evidence package",
        request=PackageRequestSerializer,
        responses={202: EvidencePackageSerializer},
    ),
    download=extend_schema(
        summary="The package (ZIP) as an attachment",
        responses={(200, "application/zip"): OpenApiTypes.BINARY},
    ),
)
class EvidencePackagesViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgResourceViewSet):
    policy_model = EvidencePackage
    serializer_class = EvidencePackageSerializer

    def scoped_queryset(self) -> QuerySet[Any]:
        return audit_scope.packages_of(self.principal)

    def policy_action(self, request: Request) -> str:
        if self.action == "download":
            return "view"
        return super().policy_action(request)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = PackageRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        period = audit_scope.period_for(self.principal, body.validated_data["period"])
        if period is None:
            raise serializers.ValidationError({"period": ["No such audit period."]})
        try:
            package = evidence_package.request_package(actor=self.principal, period=period)
        except DjangoPermissionDenied:
            raise serializers.ValidationError({"period": ["No such audit period."]}) from None
        response = Response(self.get_serializer(package).data, status=status.HTTP_202_ACCEPTED)
        response["Location"] = request.build_absolute_uri(f"{package.pk}/")
        return response

    @action(detail=True, methods=["get"])
    def download(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        package = self.get_object()
        try:
            content = evidence_package.package_bytes(package)
        except ValidationError:
            raise Http404("This package is not ready.") from None
        evidence_package.record_package_download(actor=self.principal, package=package)
        return attachment(Export(content, package.download_filename, "application/zip"))


def register(router: SimpleRouter) -> None:
    router.register(r"audit-periods", AuditPeriodsViewSet, basename="audit-period")
    router.register(r"evidence-packages", EvidencePackagesViewSet, basename="evidence-package")
