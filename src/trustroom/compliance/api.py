"""API of the compliance register, under /api/v1/orgs/<org_slug>/:

frameworks/ (built-in + custom; POST adds a custom one), compliance-statements/ (CRUD, with history),
certifications/ (CRUD, `state` computed when read; start-renewal/, supersede/, document/ actions).
The viewsets validate input and call `trustroom.compliance.services`.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from trustroom.compliance import selectors, services
from trustroom.compliance.models import (
    Certification,
    CertificationKind,
    ComplianceStatement,
    ComplianceStatus,
    Framework,
    FrameworkKind,
    Requirement,
    StatementRevision,
    Visibility,
)
from trustroom.compliance.state import CertificationState, next_surveillance_date, surveillance_dates
from trustroom.tenancy.api import NULLABLE_EMAIL, OrgResourceViewSet, StrictInputMixin, email_or_none
from trustroom.tenancy.selectors import members_of

# --- Shared fields -------------------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.INT)
class FrameworkField(serializers.PrimaryKeyRelatedField):
    """A framework by id: built-in or the organization's own (others do not exist for the caller)."""

    def get_queryset(self) -> QuerySet[Any]:
        return selectors.frameworks()


@extend_schema_field(OpenApiTypes.INT)
class MemberField(serializers.PrimaryKeyRelatedField):
    """A member of the organization, by user id."""

    def get_queryset(self) -> QuerySet[Any]:
        view = self.context.get("view")
        organization = getattr(view, "organization", None)
        if organization is None:
            return get_user_model().objects.none()
        return get_user_model().objects.filter(
            pk__in=members_of(organization).values_list("user_id", flat=True)
        )


# --- Frameworks -------------------------------------------------------------------------------------------


class FrameworkSerializer(serializers.ModelSerializer):
    builtin = serializers.BooleanField(source="is_builtin", read_only=True)
    requirements_count = serializers.SerializerMethodField()

    class Meta:
        model = Framework
        fields = ["id", "code", "name", "short_name", "kind", "description", "builtin", "requirements_count"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.INT)
    def get_requirements_count(self, framework: Framework) -> int:
        return Requirement.objects.filter(framework_id=framework.pk).count()


class RequirementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Requirement
        fields = ["identifier", "title"]
        read_only_fields = fields


class FrameworkDetailSerializer(FrameworkSerializer):
    requirements = RequirementSerializer(many=True, read_only=True)

    class Meta(FrameworkSerializer.Meta):
        fields = [*FrameworkSerializer.Meta.fields, "requirements"]
        read_only_fields = fields


class FrameworkCreateSerializer(StrictInputMixin, serializers.Serializer):
    name = serializers.CharField(max_length=200)
    short_name = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    kind = serializers.ChoiceField(choices=FrameworkKind.choices, default=FrameworkKind.OTHER)
    description = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


@extend_schema_view(
    list=extend_schema(summary="List frameworks (built-in and the organization's own)"),
    retrieve=extend_schema(
        summary="One framework, with its requirements", responses=FrameworkDetailSerializer
    ),
    create=extend_schema(
        summary="Add a custom framework",
        request=FrameworkCreateSerializer,
        responses={201: FrameworkSerializer},
    ),
)
class FrameworksViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgResourceViewSet):
    policy_model = Framework
    serializer_class = FrameworkSerializer

    def scoped_queryset(self) -> QuerySet[Any]:
        return selectors.frameworks()

    def get_serializer_class(self) -> Any:
        return FrameworkDetailSerializer if self.action == "retrieve" else FrameworkSerializer

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = FrameworkCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        framework = services.create_custom_framework(actor=self.principal, **body.validated_data)
        return Response(FrameworkSerializer(framework).data, status=status.HTTP_201_CREATED)


# --- Compliance statements ---------------------------------------------------------------------------------


class RevisionSerializer(serializers.ModelSerializer):
    changed_by = serializers.CharField(source="changed_by_label", read_only=True)

    class Meta:
        model = StatementRevision
        fields = ["number", "action", "changed_by", "changed_at", "changes"]
        read_only_fields = fields


class StatementSerializer(serializers.ModelSerializer):
    framework = FrameworkSerializer(read_only=True)
    owner = serializers.SerializerMethodField()

    class Meta:
        model = ComplianceStatement
        fields = [
            "id",
            "framework",
            "status",
            "summary",
            "measures",
            "not_applicable_reason",
            "owner",
            "last_reviewed_at",
            "visibility",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(NULLABLE_EMAIL)
    def get_owner(self, statement: ComplianceStatement) -> str | None:
        return email_or_none(statement.owner)


class StatementDetailSerializer(StatementSerializer):
    history = RevisionSerializer(source="revisions", many=True, read_only=True)

    class Meta(StatementSerializer.Meta):
        fields = [*StatementSerializer.Meta.fields, "history"]
        read_only_fields = fields


class StatementWriteSerializer(StrictInputMixin, serializers.Serializer):
    framework = FrameworkField(help_text="Framework id (built-in or custom).")
    status = serializers.ChoiceField(choices=ComplianceStatus.choices)
    summary = serializers.CharField(max_length=300)
    measures = serializers.ListField(
        child=serializers.CharField(max_length=500), required=False, default=list, max_length=50
    )
    not_applicable_reason = serializers.CharField(required=False, allow_blank=True, default="")
    owner = MemberField(required=False, allow_null=True, default=None, help_text="User id of a member.")
    last_reviewed_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    visibility = serializers.ChoiceField(choices=Visibility.choices, default=Visibility.PUBLIC)


@extend_schema_view(
    list=extend_schema(
        summary="List compliance statements",
        parameters=[
            OpenApiParameter("status", str, enum=ComplianceStatus.values, description="Only this status."),
            OpenApiParameter("visibility", str, enum=Visibility.values, description="Only this visibility."),
        ],
    ),
    retrieve=extend_schema(
        summary="One compliance statement, with its change history", responses=StatementDetailSerializer
    ),
    create=extend_schema(
        summary="Add a compliance statement (one per framework)",
        request=StatementWriteSerializer,
        responses={201: StatementDetailSerializer},
    ),
    partial_update=extend_schema(
        summary="Change a compliance statement (recorded in its history)",
        request=StatementWriteSerializer,
        responses=StatementDetailSerializer,
    ),
    update=extend_schema(
        summary="Replace a compliance statement",
        request=StatementWriteSerializer,
        responses=StatementDetailSerializer,
    ),
    destroy=extend_schema(summary="Delete a compliance statement", responses={204: None}),
)
class StatementsViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgResourceViewSet):
    policy_model = ComplianceStatement
    serializer_class = StatementSerializer

    def scoped_queryset(self) -> QuerySet[Any]:
        queryset = selectors.statements()
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("revisions")
        if self.action == "list":
            for name in ("status", "visibility"):
                value = self.request.query_params.get(name)
                if value:
                    queryset = queryset.filter(**{name: value})
        return queryset

    def get_serializer_class(self) -> Any:
        return StatementDetailSerializer if self.action == "retrieve" else StatementSerializer

    def respond_detail(self, statement: ComplianceStatement, code: int = status.HTTP_200_OK) -> Response:
        statement = selectors.statements().prefetch_related("revisions").get(pk=statement.pk)
        return Response(StatementDetailSerializer(statement).data, status=code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = StatementWriteSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        statement = services.create_statement(actor=self.principal, **body.validated_data)
        return self.respond_detail(statement, status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        statement = self.get_object()
        partial = kwargs.get("partial", False)
        body = StatementWriteSerializer(
            data=request.data, partial=partial, context=self.get_serializer_context()
        )
        body.is_valid(raise_exception=True)
        statement = services.update_statement(
            actor=self.principal, statement=statement, **body.validated_data
        )
        return self.respond_detail(statement)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.update(request, *args, partial=True, **kwargs)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.delete_statement(actor=self.principal, statement=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Certifications ---------------------------------------------------------------------------------


class CertificationSerializer(serializers.ModelSerializer):
    framework = FrameworkSerializer(read_only=True)
    state = serializers.SerializerMethodField()
    next_surveillance_audit = serializers.SerializerMethodField()
    surveillance_audits = serializers.SerializerMethodField()
    owner = serializers.SerializerMethodField()
    document = serializers.SerializerMethodField()

    class Meta:
        model = Certification
        fields = [
            "id",
            "kind",
            "framework",
            "title",
            "series",
            "issuer",
            "number",
            "valid_from",
            "valid_until",
            "audit_period_start",
            "audit_period_end",
            "validity_years",
            "surveillance_interval_months",
            "state",
            "next_surveillance_audit",
            "surveillance_audits",
            "renewal_started_at",
            "superseded_by",
            "owner",
            "document",
            "visibility",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=CertificationState.choices))
    def get_state(self, cert: Certification) -> str:
        from trustroom.compliance.state import certification_state

        return str(certification_state(cert))  # computed when read: expiry needs no background job

    @extend_schema_field(OpenApiTypes.DATE)
    def get_next_surveillance_audit(self, cert: Certification) -> str | None:
        date = next_surveillance_date(cert)
        return date.isoformat() if date else None

    @extend_schema_field(serializers.ListField(child=serializers.DateField()))
    def get_surveillance_audits(self, cert: Certification) -> list[str]:
        dates = surveillance_dates(
            valid_from=cert.valid_from,
            valid_until=cert.valid_until,
            interval_months=cert.surveillance_interval_months,
        )
        return [date.isoformat() for date in dates]

    @extend_schema_field(NULLABLE_EMAIL)
    def get_owner(self, cert: Certification) -> str | None:
        return email_or_none(cert.owner)

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_document(self, cert: Certification) -> dict[str, Any] | None:
        document = cert.document
        if document is None:
            return None
        return {"id": document.pk, "title": document.title, "page_count": document.page_count}


class CertificationWriteSerializer(StrictInputMixin, serializers.Serializer):
    kind = serializers.ChoiceField(choices=CertificationKind.choices)
    framework = FrameworkField(required=False, allow_null=True, default=None)
    title = serializers.CharField(max_length=200)
    series = serializers.SlugField(max_length=80, required=False, allow_blank=True, default="")
    issuer = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    number = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    valid_from = serializers.DateField()
    valid_until = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Last day of validity (UTC, inclusive). Omitted: `validity_years` after `valid_from`.",
    )
    audit_period_start = serializers.DateField(required=False, allow_null=True, default=None)
    audit_period_end = serializers.DateField(required=False, allow_null=True, default=None)
    validity_years = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1)
    surveillance_interval_months = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        help_text="Default: 12 for certificates, none otherwise.",
    )
    owner = MemberField(required=False, allow_null=True, default=None)
    visibility = serializers.ChoiceField(choices=Visibility.choices, default=Visibility.PUBLIC)


class SupersedeSerializer(StrictInputMixin, serializers.Serializer):
    superseded_by = serializers.IntegerField(help_text="Id of the newer certification of the same series.")


class DocumentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The certificate or report, as a PDF.")
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


@extend_schema_view(
    list=extend_schema(
        summary="List certifications and attestations (state computed when read)",
        parameters=[
            OpenApiParameter("state", str, enum=CertificationState.values, description="Only this state."),
            OpenApiParameter("series", str, description="Only this renewal series."),
        ],
    ),
    retrieve=extend_schema(summary="One certification"),
    create=extend_schema(
        summary="Add a certification",
        request=CertificationWriteSerializer,
        responses={201: CertificationSerializer},
    ),
    update=extend_schema(
        summary="Replace a certification",
        request=CertificationWriteSerializer,
        responses=CertificationSerializer,
    ),
    partial_update=extend_schema(
        summary="Change a certification",
        request=CertificationWriteSerializer,
        responses=CertificationSerializer,
    ),
    destroy=extend_schema(summary="Delete a certification", responses={204: None}),
    start_renewal=extend_schema(
        summary="Mark the renewal as started", request=None, responses=CertificationSerializer
    ),
    supersede=extend_schema(
        summary="Mark as superseded by a newer certification of the series",
        request=SupersedeSerializer,
        responses=CertificationSerializer,
    ),
    document=extend_schema(
        summary="Upload the certificate or report PDF (stored encrypted in the vault) and attach it",
        request={"multipart/form-data": DocumentUploadSerializer},
        responses=CertificationSerializer,
    ),
)
class CertificationsViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgResourceViewSet):
    policy_model = Certification
    serializer_class = CertificationSerializer
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def scoped_queryset(self) -> QuerySet[Any]:
        queryset = selectors.certifications().select_related("document")
        if self.action == "list":
            state = self.request.query_params.get("state")
            if state:
                queryset = queryset.filter(**{"computed_state": state})  # annotated by the selector
            series = self.request.query_params.get("series")
            if series:
                queryset = queryset.filter(series=series)
        return queryset

    def policy_action(self, request: Request) -> str:
        if self.action in ("start_renewal", "supersede", "document"):
            return "change"
        return super().policy_action(request)

    def fresh(self, cert: Certification, code: int = status.HTTP_200_OK) -> Response:
        cert = self.scoped_queryset().get(pk=cert.pk)
        return Response(CertificationSerializer(cert).data, status=code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = CertificationWriteSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        cert = services.create_certification(actor=self.principal, **body.validated_data)
        return self.fresh(cert, status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        cert = self.get_object()
        partial = kwargs.get("partial", False)
        body = CertificationWriteSerializer(
            data=request.data, partial=partial, context=self.get_serializer_context()
        )
        body.is_valid(raise_exception=True)
        cert = services.update_certification(actor=self.principal, certification=cert, **body.validated_data)
        return self.fresh(cert)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.update(request, *args, partial=True, **kwargs)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.delete_certification(actor=self.principal, certification=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @action(detail=True, methods=["post"], url_path="start-renewal")
    def start_renewal(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        cert = services.start_renewal(actor=self.principal, certification=self.get_object())
        return self.fresh(cert)

    @action(detail=True, methods=["post"])
    def supersede(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        cert = self.get_object()
        body = SupersedeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        newer = Certification.objects.filter(pk=body.validated_data["superseded_by"]).first()
        cert = services.supersede_certification(actor=self.principal, certification=cert, superseded_by=newer)
        return self.fresh(cert)

    @action(detail=True, methods=["post"])
    def document(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        cert = self.get_object()
        body = DocumentUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        upload = body.validated_data["file"]
        cert = services.attach_document(
            actor=self.principal,
            certification=cert,
            content=upload.read(),
            filename=upload.name or "document.pdf",
            title=body.validated_data["title"],
        )
        return self.fresh(cert)


def register(router: SimpleRouter) -> None:
    router.register(r"frameworks", FrameworksViewSet, basename="framework")
    router.register(r"compliance-statements", StatementsViewSet, basename="compliance-statement")
    router.register(r"certifications", CertificationsViewSet, basename="certification")
