"""API of the identity app, under /api/v1/orgs/<org_slug>/: api-tokens/ and security-policy/."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from trustroom.identity import services
from trustroom.identity.forms import DEFAULT_TOKEN_DAYS
from trustroom.identity.models import (
    SESSION_LIFETIME_MAX_MINUTES,
    SESSION_LIFETIME_MIN_MINUTES,
    ApiToken,
    SecurityPolicy,
    TokenScope,
)
from trustroom.identity.selectors import security_policy_for
from trustroom.tenancy.api import NULLABLE_EMAIL, OrgResourceViewSet, StrictInputMixin, email_or_none

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

    @extend_schema_field(NULLABLE_EMAIL)
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


class SecurityPolicySerializer(StrictInputMixin, serializers.ModelSerializer):
    session_lifetime_minutes = serializers.IntegerField(
        min_value=SESSION_LIFETIME_MIN_MINUTES,
        max_value=SESSION_LIFETIME_MAX_MINUTES,
        required=False,
        help_text="Minutes from sign-in after which a member's session ends (5 to 43200, i.e. 30 days).",
    )
    allowed_email_domains = serializers.ListField(
        child=serializers.CharField(max_length=253),
        required=False,
        help_text="Invitations may only go to these domains (lowercase). Empty: any domain.",
    )
    updated_by = serializers.SerializerMethodField()

    class Meta:
        model = SecurityPolicy
        fields = [
            "require_mfa",
            "session_lifetime_minutes",
            "allowed_email_domains",
            "sso_only",
            "updated_by",
            "updated_at",
        ]
        read_only_fields = ["updated_by", "updated_at"]
        extra_kwargs = {
            "require_mfa": {"help_text": "Every member must set up TOTP or a security key."},
            "sso_only": {"help_text": "Members sign in through SSO only; needs an SSO connection."},
        }

    @extend_schema_field(NULLABLE_EMAIL)
    def get_updated_by(self, policy: SecurityPolicy) -> str | None:
        return email_or_none(policy.updated_by)


@extend_schema_view(
    security_policy=extend_schema(
        summary="The organization's security policy",
        description="GET reads it (every member; defaults when it was never changed); PATCH changes "
        "any of its fields (owners and admins). sso_only cannot be turned on without an SSO connection.",
        request=SecurityPolicySerializer,
        responses=SecurityPolicySerializer,
    )
)
class SecurityPolicyViewSet(OrgResourceViewSet):
    policy_model = SecurityPolicy
    serializer_class = SecurityPolicySerializer

    @action(detail=False, methods=["get", "patch"], url_path="security-policy", url_name="detail")
    def security_policy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        policy = security_policy_for(self.organization)
        if request.method == "PATCH":
            serializer = SecurityPolicySerializer(policy, data=request.data, partial=True)
            serializer.is_valid(raise_exception=True)
            policy = services.update_security_policy(actor=self.principal, **serializer.validated_data)
        return Response(SecurityPolicySerializer(policy).data)


def register(router: SimpleRouter) -> None:
    from trustroom.identity import allowlist_api, support_api
    from trustroom.identity.sso import api as sso_api

    router.register(r"api-tokens", ApiTokensViewSet, basename="api-token")
    allowlist_api.register(router)
    sso_api.register(router)
    support_api.register(router)
    # One policy per organization: an empty prefix puts its action at security-policy/.
    router.register(r"", SecurityPolicyViewSet, basename="security-policy")
