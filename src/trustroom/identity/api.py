"""API of the identity app: the organization's API tokens (api-tokens/ under /api/v1/orgs/<org_slug>/)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from trustroom.identity import services
from trustroom.identity.forms import DEFAULT_TOKEN_DAYS
from trustroom.identity.models import ApiToken, TokenScope
from trustroom.tenancy.api import OrgResourceViewSet, StrictInputMixin, email_or_none

# Statuses are computed when read; named so the OpenAPI enum can be given its own name.
API_TOKEN_STATUS_CHOICES = ("active", "expired", "revoked")


class ApiTokenSerializer(serializers.ModelSerializer):
    """A token as listed: never its secret or the secret's digest."""

    status = serializers.SerializerMethodField()
    created_by = serializers.SerializerMethodField()

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "name",
            "prefix",
            "scope",
            "status",
            "created_by",
            "created_at",
            "expires_at",
            "revoked_at",
            "last_used_at",
            "last_used_ip",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=API_TOKEN_STATUS_CHOICES))
    def get_status(self, token: ApiToken) -> str:
        return token.status()  # computed when read: expiry needs no background job

    @extend_schema_field(OpenApiTypes.EMAIL)
    def get_created_by(self, token: ApiToken) -> str | None:
        return email_or_none(token.created_by)


class ApiTokenCreateSerializer(StrictInputMixin, serializers.Serializer):
    name = serializers.CharField(max_length=100, help_text="What uses the token.")
    scope = serializers.ChoiceField(choices=TokenScope.choices, default=TokenScope.READ)
    expires_in_days = serializers.IntegerField(
        min_value=1,
        default=DEFAULT_TOKEN_DAYS,
        help_text="1 to API_TOKEN_MAX_DAYS (365 unless the operator changed it).",
    )

    def validate_expires_in_days(self, days: int) -> int:
        max_days = settings.API_TOKEN_MAX_DAYS
        if days > max_days:
            raise serializers.ValidationError(f"Tokens may live at most {max_days} days.")
        return days


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    token = serializers.CharField(read_only=True, help_text="The token itself. Returned once, only here.")

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "token"]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(summary="List API tokens"),
    retrieve=extend_schema(summary="One API token"),
    create=extend_schema(
        summary="Create an API token",
        description="The response carries the token once, as `token`; only its digest is stored.",
        request=ApiTokenCreateSerializer,
        responses={201: ApiTokenCreatedSerializer},
    ),
    destroy=extend_schema(
        summary="Revoke an API token",
        description="The token stops working at once and stays listed as revoked.",
        responses=ApiTokenSerializer,
    ),
)
class ApiTokensViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgResourceViewSet):
    policy_model = ApiToken
    serializer_class = ApiTokenSerializer

    def scoped_queryset(self) -> QuerySet[Any]:
        return ApiToken.objects.select_related("created_by")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = ApiTokenCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        token, plaintext = services.create_api_token(
            actor=self.principal,
            name=body.validated_data["name"],
            scope=body.validated_data["scope"],
            expires_at=timezone.now() + timedelta(days=body.validated_data["expires_in_days"]),
        )
        token.token = plaintext  # type: ignore[attr-defined]
        return Response(ApiTokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        token = services.revoke_api_token(actor=self.principal, token=self.get_object())
        return Response(ApiTokenSerializer(token).data)


def register(router: SimpleRouter) -> None:
    from trustroom.identity import allowlist_api

    router.register(r"api-tokens", ApiTokensViewSet, basename="api-token")
    allowlist_api.register(router)
