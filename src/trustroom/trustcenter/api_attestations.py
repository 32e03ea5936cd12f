"""API of the "safe to host" attestations, under /api/v1/orgs/<org_slug>/trust-center/safe-to-host/.

GET lists every application with whether its attestation is published and what the trust center shows
of it now; PUT <application id>/ with {"published": true|false} shows or withdraws it (owners and admins).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from trustroom.assessments.models import Application
from trustroom.tenancy.api import OrgResourceViewSet, StrictInputMixin
from trustroom.trustcenter import services
from trustroom.trustcenter.attestations import SafeToHostChoice, safe_to_host_choices
from trustroom.trustcenter.models import SafeToHostPublication


class AttestationSerializer(serializers.Serializer):
    application = serializers.CharField()
    criticality = serializers.CharField()
    cadence = serializers.CharField()
    last_tested = serializers.DateField()
    vendor = serializers.CharField()
    accreditation = serializers.CharField()
    valid_until = serializers.DateField()
    next_test_due = serializers.DateField()


class SafeToHostSerializer(serializers.Serializer):
    application_id = serializers.IntegerField(source="application.pk")
    application = serializers.CharField(source="application.name")
    published = serializers.BooleanField()
    safe_to_host = serializers.SerializerMethodField()
    shown = serializers.SerializerMethodField(help_text="Whether the public trust center shows it now.")
    attestation = AttestationSerializer(allow_null=True)
    reasons = serializers.ListField(child=serializers.CharField(), help_text="Why it is not safe to host.")

    def get_safe_to_host(self, choice: SafeToHostChoice) -> bool:
        return choice.attestation is not None

    def get_shown(self, choice: SafeToHostChoice) -> bool:
        return choice.published and choice.attestation is not None


class PublishSerializer(StrictInputMixin, serializers.Serializer):
    published = serializers.BooleanField()


_ANSWER = inline_serializer("SafeToHostList", {"results": SafeToHostSerializer(many=True)})


class _OneAnswerListSchema(AutoSchema):
    """The list answers one object ({"results": [...]}), not an array or a page: say so in the schema."""

    def _is_list_view(self, serializer: Any = None) -> bool:
        return False

    def get_operation_id(self) -> str:
        operation_id = super().get_operation_id()
        if getattr(self.view, "action", None) == "list":
            return operation_id.removesuffix("_retrieve") + "_list"
        return operation_id


@extend_schema_view(
    list=extend_schema(
        summary="Applications and their safe to host attestation",
        description="Every application: whether its attestation is published, whether it is safe to host "
        "as of the end of the current UTC day (the attestation the public trust center shows), and why not.",
        responses=_ANSWER,
    ),
    update=extend_schema(
        summary="Show or withdraw an application's attestation in the public trust center",
        description="Publishing is the choice to show it: the trust center shows it only while the "
        "application is safe to host (owners and admins).",
        request=PublishSerializer,
        responses=SafeToHostSerializer,
    ),
)
class SafeToHostViewSet(OrgResourceViewSet):
    """Publishing of "safe to host" attestations (read: every member; change: owners and admins)."""

    policy_model = SafeToHostPublication
    serializer_class = SafeToHostSerializer
    pagination_class = None  # one answer with every application (see list)
    schema = _OneAnswerListSchema()

    def scoped_queryset(self) -> QuerySet[Any]:
        return Application.objects.order_by("name")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response({"results": SafeToHostSerializer(safe_to_host_choices(), many=True).data})

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        application = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        body = PublishSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.set_safe_to_host_published(
            actor=self.principal, application=application, published=body.validated_data["published"]
        )
        choice = next(c for c in safe_to_host_choices() if c.application.pk == application.pk)
        return Response(SafeToHostSerializer(choice).data)

    def policy_action(self, request: Request) -> str:
        return "add" if request.method == "PUT" else "view"
