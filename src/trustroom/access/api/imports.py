"""API of access imports: access-imports/ (multipart upload of a CSV of current access, read the diff)
and apply/."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from trustroom.access.api.reviews import ChangeActionsViewSet
from trustroom.access.models import AccessImport
from trustroom.access.services import imports
from trustroom.tenancy.api import StrictInputMixin, email_or_none


class ImportSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.SerializerMethodField()

    class Meta:
        model = AccessImport
        fields = ["id", "source", "filename", "uploaded_by", "created_at", "row_count", "diff", "applied_at"]
        read_only_fields = fields

    def get_uploaded_by(self, access_import: AccessImport) -> str | None:
        return email_or_none(access_import.uploaded_by)


class ImportCreateSerializer(StrictInputMixin, serializers.Serializer):
    file = serializers.FileField(
        help_text="CSV with a header row: email, system, environment, privilege (optional name)."
    )
    source = serializers.CharField(  # type: ignore[assignment]  # a field named like Field.source
        max_length=100, help_text="Where the file comes from, e.g. Okta."
    )


@extend_schema_view(
    list=extend_schema(summary="List access imports"),
    retrieve=extend_schema(summary="One access import with its diff"),
    create=extend_schema(
        summary="Upload a CSV of current access",
        description="Every bad row is reported with its line number (400 on `file`); nothing is stored "
        "then. Editors, owners and admins.",
        request={"multipart/form-data": ImportCreateSerializer},
        responses={201: ImportSerializer},
    ),
)
class AccessImportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ChangeActionsViewSet):
    policy_model = AccessImport
    serializer_class = ImportSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    change_actions = frozenset({"apply"})

    def scoped_queryset(self) -> QuerySet[Any]:
        return AccessImport.objects.select_related("uploaded_by")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = ImportCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        upload = body.validated_data["file"]
        if upload.size is not None and upload.size > imports.MAX_BYTES:
            raise serializers.ValidationError(
                {"file": [f"The file is larger than {imports.MAX_BYTES // 2**20} MiB."]}
            )
        created = imports.create_import(
            actor=self.principal,
            source=body.validated_data["source"],
            content=upload.read(imports.MAX_BYTES + 1),
            filename=upload.name or "",
        )
        return Response(ImportSerializer(created).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Apply an import",
        description="Records the new grants, sets the changed privileges, opens revocation tasks for the "
        "missing ones. Once.",
        request=None,
        responses={
            200: {
                "type": "object",
                "properties": {
                    k: {"type": "integer"} for k in ("created", "changed", "revocations", "skipped")
                },
            }
        },
    )
    @action(detail=True, methods=["post"], url_path="apply", url_name="apply")
    def apply(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        counts = imports.apply_import(actor=self.principal, access_import=self.get_object())
        return Response(counts)


def register(router: SimpleRouter) -> None:
    router.register(r"access-imports", AccessImportViewSet, basename="access-import")
