"""API of the VAPT programme: scanner imports, under /api/v1/orgs/<org_slug>/finding-imports/.

GET lists and retrieves imports (status, progress, counts, error); POST (multipart: file, application,
format, engagement, close_missing) stores the report encrypted, queues the import and answers 202 with
the job. Poll the job until `status` is succeeded or failed.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from trustroom.assessments.importers import FORMATS
from trustroom.assessments.imports import start_finding_import
from trustroom.assessments.imports.progress import write_progress
from trustroom.assessments.imports.selectors import finding_imports
from trustroom.assessments.models import Application, Engagement, FindingImport
from trustroom.tenancy.api import NULLABLE_EMAIL, OrgResourceViewSet, StrictInputMixin, email_or_none


@extend_schema_field(OpenApiTypes.INT)
class ApplicationField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self) -> QuerySet[Any]:
        return Application.objects.all()


@extend_schema_field(OpenApiTypes.INT)
class EngagementField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self) -> QuerySet[Any]:
        return Engagement.objects.all()


class FindingImportSerializer(serializers.ModelSerializer):
    application = serializers.IntegerField(source="application_id", read_only=True)
    application_name = serializers.CharField(source="application.name", read_only=True)
    engagement = serializers.IntegerField(source="engagement_id", read_only=True, allow_null=True)
    created_by = serializers.SerializerMethodField()
    created_by_token = serializers.SerializerMethodField(help_text="The API token that uploaded it, if any.")
    percent_done = serializers.IntegerField(read_only=True)
    counts = serializers.SerializerMethodField()
    write_progress = serializers.SerializerMethodField()

    class Meta:
        model = FindingImport
        fields = [
            "id",
            "application",
            "application_name",
            "engagement",
            "format",
            "original_filename",
            "size_bytes",
            "sha256",
            "close_missing",
            "status",
            "bytes_done",
            "bytes_total",
            "percent_done",
            "results_total",
            "write_progress",
            "counts",
            "error",
            "created_by",
            "created_by_token",
            "created_at",
            "started_at",
            "finished_at",
            "progress_at",
        ]
        read_only_fields = fields

    @extend_schema_field(NULLABLE_EMAIL)
    def get_created_by(self, job: FindingImport) -> str | None:
        return email_or_none(job.created_by)

    @extend_schema_field({"type": "string", "nullable": True})
    def get_created_by_token(self, job: FindingImport) -> str | None:
        token = job.created_by_token
        return None if token is None else f"{token.name} ({token.prefix})"

    @extend_schema_field(
        {
            "type": "object",
            "properties": {
                k: {"type": "integer"} for k in ("created", "updated", "unchanged", "closed", "reopened")
            },
        }
    )
    def get_counts(self, job: FindingImport) -> dict[str, int]:
        return {
            "created": job.created_count,
            "updated": job.updated_count,
            "unchanged": job.unchanged_count,
            "closed": job.closed_count,
            "reopened": job.reopened_count,
        }

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "description": "While the findings are being saved: results saved so far of those parsed.",
            "properties": {"rows_done": {"type": "integer"}, "rows_total": {"type": "integer"}},
        }
    )
    def get_write_progress(self, job: FindingImport) -> dict[str, int] | None:
        progress = write_progress(job)
        if progress is None:
            return None
        return {"rows_done": progress.rows_done, "rows_total": progress.rows_total}


class FindingImportCreateSerializer(StrictInputMixin, serializers.Serializer):
    file = serializers.FileField(help_text="The scanner report.")
    application = ApplicationField()
    format = serializers.ChoiceField(choices=["auto", *FORMATS], default="auto", required=False)
    engagement = EngagementField(required=False, allow_null=True, default=None)
    close_missing = serializers.BooleanField(default=False, required=False)


@extend_schema_view(
    list=extend_schema(
        summary="List scanner imports, newest first",
        parameters=[
            OpenApiParameter("application", OpenApiTypes.INT, description="Only this application's.")
        ],
    ),
    retrieve=extend_schema(summary="One import: status, bytes parsed, counts and error"),
    create=extend_schema(
        summary="Upload a scanner report and queue its import",
        request={"multipart/form-data": FindingImportCreateSerializer},
        responses={202: FindingImportSerializer},
    ),
)
class FindingImportsViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, OrgResourceViewSet
):
    policy_model = FindingImport
    serializer_class = FindingImportSerializer
    parser_classes = [MultiPartParser, FormParser]

    def scoped_queryset(self) -> QuerySet[Any]:
        queryset = finding_imports()
        application = self.request.query_params.get("application")
        if self.action == "list" and application and application.isdigit():
            queryset = queryset.filter(application_id=int(application))
        return queryset

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = FindingImportCreateSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = body.validated_data
        job = start_finding_import(
            actor=self.principal,
            application=data["application"],
            uploaded_file=data["file"],
            format=data["format"],
            engagement=data["engagement"],
            close_missing=data["close_missing"],
        )
        job = self.scoped_queryset().get(pk=job.pk)
        return Response(FindingImportSerializer(job).data, status=status.HTTP_202_ACCEPTED)


def register(router: SimpleRouter) -> None:
    """Add this module's viewsets to the /api/v1/orgs/<org_slug>/ router."""
    router.register(r"finding-imports", FindingImportsViewSet, basename="finding-import")
