"""API of SSO connections: sso-connections/ under /api/v1/orgs/<org_slug>/ (owners change them)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from trustroom.identity.models import OidcPreset, SsoConnection, SsoProtocol
from trustroom.identity.sso import connections as sso_connections
from trustroom.identity.sso import services
from trustroom.tenancy.api import OrgResourceViewSet, StrictInputMixin


class SsoConnectionSerializer(serializers.ModelSerializer):
    has_client_secret = serializers.SerializerMethodField()
    endpoints = serializers.SerializerMethodField()

    class Meta:
        model = SsoConnection
        fields = [
            "id",
            "key",
            "name",
            "protocol",
            "enabled",
            "email_domains",
            "jit_provisioning",
            "default_role",
            "oidc_preset",
            "oidc_issuer",
            "oidc_client_id",
            "has_client_secret",
            "saml_idp_entity_id",
            "saml_idp_sso_url",
            "saml_idp_certificate",
            "saml_allow_idp_initiated",
            "endpoints",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_has_client_secret(self, connection: SsoConnection) -> bool:
        return bool(connection.oidc_client_secret_sealed)

    def get_endpoints(self, connection: SsoConnection) -> dict[str, str]:
        request = self.context.get("request")
        paths = sso_connections.endpoints(connection.organization, connection)
        return {name: request.build_absolute_uri(path) if request else path for name, path in paths.items()}


class SsoConnectionWriteSerializer(StrictInputMixin, serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False)
    enabled = serializers.BooleanField(required=False)
    email_domains = serializers.ListField(child=serializers.CharField(max_length=253), required=False)
    jit_provisioning = serializers.BooleanField(required=False)
    default_role = serializers.ChoiceField(choices=list(services.JIT_ROLES), required=False)
    oidc_preset = serializers.ChoiceField(choices=OidcPreset.choices, required=False)
    oidc_issuer = serializers.CharField(
        max_length=300,
        required=False,
        allow_blank=True,
        help_text="Issuer URL; the Okta domain for okta, the tenant id for entra; empty for google.",
    )
    oidc_client_id = serializers.CharField(max_length=300, required=False, allow_blank=True)
    oidc_client_secret = serializers.CharField(
        max_length=500, required=False, write_only=True, help_text="Stored encrypted; never returned."
    )
    saml_idp_entity_id = serializers.CharField(max_length=300, required=False, allow_blank=True)
    saml_idp_sso_url = serializers.CharField(max_length=500, required=False, allow_blank=True)
    saml_idp_certificate = serializers.CharField(required=False, allow_blank=True)
    saml_allow_idp_initiated = serializers.BooleanField(required=False)


class SsoConnectionCreateSerializer(SsoConnectionWriteSerializer):
    protocol = serializers.ChoiceField(choices=SsoProtocol.choices)
    name = serializers.CharField(max_length=100)
    email_domains = serializers.ListField(child=serializers.CharField(max_length=253))


@extend_schema_view(
    list=extend_schema(summary="List the SSO connections"),
    retrieve=extend_schema(summary="One SSO connection, with the URLs to configure at the identity provider"),
    create=extend_schema(
        summary="Add an SSO connection (owners)",
        request=SsoConnectionCreateSerializer,
        responses={201: SsoConnectionSerializer},
    ),
    partial_update=extend_schema(
        summary="Change an SSO connection (owners)",
        request=SsoConnectionWriteSerializer,
        responses={200: SsoConnectionSerializer},
    ),
    destroy=extend_schema(summary="Delete an SSO connection (owners)", responses={204: None}),
)
class SsoConnectionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgResourceViewSet):
    policy_model = SsoConnection
    serializer_class = SsoConnectionSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def scoped_queryset(self) -> QuerySet[Any]:
        return SsoConnection.objects.select_related("organization")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = SsoConnectionCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        values = dict(body.validated_data)
        protocol = values.pop("protocol")
        secret = values.pop("oidc_client_secret", None)
        connection = services.create_sso_connection(
            actor=self.principal, protocol=protocol, oidc_client_secret=secret, **values
        )
        data = SsoConnectionSerializer(connection, context={"request": request}).data
        return Response(data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        connection = self.get_object()
        body = SsoConnectionWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        values = dict(body.validated_data)
        secret = values.pop("oidc_client_secret", None)
        connection = services.update_sso_connection(
            actor=self.principal, connection=connection, oidc_client_secret=secret, **values
        )
        return Response(SsoConnectionSerializer(connection, context={"request": request}).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.delete_sso_connection(actor=self.principal, connection=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


def register(router: SimpleRouter) -> None:
    router.register(r"sso-connections", SsoConnectionViewSet, basename="sso-connection")
