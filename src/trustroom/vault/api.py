"""API of the vault: documents/ under /api/v1/orgs/<org_slug>/ (list, retrieve, upload, delete, download)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from trustroom.tenancy.api import NULLABLE_EMAIL, OrgResourceViewSet, StrictInputMixin, email_or_none
from trustroom.vault import selectors, services
from trustroom.vault.http import pdf_attachment
from trustroom.vault.models import Document


class DocumentSerializer(serializers.ModelSerializer):
    """A stored document's metadata; never its storage name or key."""

    uploaded_by = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = [
            "id",
            "title",
            "original_filename",
            "content_type",
            "size_bytes",
            "sha256",
            "page_count",
            "uploaded_by",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(NULLABLE_EMAIL)
    def get_uploaded_by(self, document: Document) -> str | None:
        return email_or_none(document.uploaded_by)


class VaultDocumentUploadSerializer(StrictInputMixin, serializers.Serializer):
    title = serializers.CharField(max_length=200)
    file = serializers.FileField(help_text="A PDF without a password, at most TRUSTROOM_VAULT_MAX_UPLOAD_MB.")

    def validate_file(self, upload: Any) -> Any:
        limit_mb = settings.TRUSTROOM_VAULT_MAX_UPLOAD_MB
        if upload.size > limit_mb * 1024 * 1024:  # refuse before reading it into memory
            raise serializers.ValidationError(
                f"The file is {upload.size / 1024 / 1024:.1f} MB; at most {limit_mb} MB is allowed."
            )
        return upload


@extend_schema_view(
    list=extend_schema(summary="List documents"),
    retrieve=extend_schema(summary="One document's metadata"),
    create=extend_schema(
        summary="Upload a document",
        description="Multipart upload of a PDF (`file`) with a `title`. Non-PDF, encrypted, damaged or "
        "oversized files are refused with 400 and a message on `file`. The file is stored encrypted.",
        request={"multipart/form-data": VaultDocumentUploadSerializer},
        responses={201: DocumentSerializer},
    ),
    destroy=extend_schema(summary="Delete a document", responses={204: None}),
    download=extend_schema(
        summary="Download a document",
        description="The PDF as an attachment with a server-made file name. Recorded in the audit log.",
        responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY)},
    ),
)
class DocumentsViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgResourceViewSet):
    policy_model = Document
    serializer_class = DocumentSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def scoped_queryset(self) -> QuerySet[Any]:
        return selectors.documents()

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = VaultDocumentUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        upload = body.validated_data["file"]
        document = services.store_document(
            actor=self.principal,
            title=body.validated_data["title"],
            content=upload.read(),
            filename=upload.name or "",
        )
        return Response(DocumentSerializer(document).data, status=status.HTTP_201_CREATED)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.delete_document(actor=self.principal, document=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @action(detail=True, methods=["get"])
    def download(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        document = self.get_object()
        content = selectors.document_bytes(document)
        services.record_download(actor=self.principal, document=document)
        return pdf_attachment(content, filename=document.download_filename)


def register(router: SimpleRouter) -> None:
    router.register(r"documents", DocumentsViewSet, basename="document")
