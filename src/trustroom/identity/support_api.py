"""API of support access: support-access/ under /api/v1/orgs/<org_slug>/ (list, read, grant, revoke).

Every member (and every API token) may read the grants; only owners signed in with a session grant or
revoke (a token never acts as an owner). Writes go through `trustroom.identity.support_access`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from trustroom.identity import support_access
from trustroom.identity.models import SUPPORT_ACCESS_MAX_DAYS, SupportAccessGrant, SupportScope
from trustroom.tenancy.api import NULLABLE_EMAIL, OrgResourceViewSet, StrictInputMixin, email_or_none

# Statuses are computed when read; named so the OpenAPI enum can be given its own name.
SUPPORT_GRANT_STATUS_CHOICES = ("active", "expired", "revoked")
MAX_HOURS = SUPPORT_ACCESS_MAX_DAYS * 24


class SupportAccessGrantSerializer(serializers.ModelSerializer):
    staff_email = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()
    granted_by = serializers.SerializerMethodField()
    revoked_by = serializers.SerializerMethodField()

    class Meta:
        model = SupportAccessGrant
        fields = [
            "id",
            "staff_email",
            "scope",
            "reason",
            "status",
            "granted_by",
            "created_at",
            "expires_at",
            "revoked_at",
            "revoked_by",
        ]
        read_only_fields = fields

    @extend_schema_field(NULLABLE_EMAIL)
    def get_staff_email(self, grant: SupportAccessGrant) -> str | None:
        return email_or_none(grant.staff_user)

    @extend_schema_field(serializers.ChoiceField(choices=SUPPORT_GRANT_STATUS_CHOICES))
    def get_status(self, grant: SupportAccessGrant) -> str:
        return grant.status()  # computed when read: expiry needs no background job

    @extend_schema_field(NULLABLE_EMAIL)
    def get_granted_by(self, grant: SupportAccessGrant) -> str | None:
        return email_or_none(grant.granted_by)

    @extend_schema_field(NULLABLE_EMAIL)
    def get_revoked_by(self, grant: SupportAccessGrant) -> str | None:
        return email_or_none(grant.revoked_by)


class SupportAccessGrantCreateSerializer(StrictInputMixin, serializers.Serializer):
    staff_email = serializers.EmailField(max_length=254, help_text="A platform staff account's e-mail.")
    scope = serializers.ChoiceField(
        choices=SupportScope.choices,
        help_text="read: acts as an auditor, writes nothing; admin: acts as an admin (never manages "
        "members, API tokens, the security policy, the IP allowlist or support access).",
    )
    reason = serializers.CharField(
        max_length=support_access.MAX_REASON_CHARS, help_text="Why, e.g. a ticket."
    )
    duration_hours = serializers.IntegerField(
        min_value=1,
        max_value=MAX_HOURS,
        help_text=f"How long the access lasts, 1 to {MAX_HOURS} hours ({SUPPORT_ACCESS_MAX_DAYS} days).",
    )


@extend_schema_view(
    list=extend_schema(summary="List support access grants"),
    retrieve=extend_schema(summary="One support access grant"),
    create=extend_schema(
        summary="Grant support access",
        description="Owners only, signed in (not with an API token). Lets one platform staff member into "
        "the organization until the expiry; every request they make is audit-logged.",
        request=SupportAccessGrantCreateSerializer,
        responses={201: SupportAccessGrantSerializer},
    ),
    destroy=extend_schema(
        summary="Revoke support access",
        description="Owners only. Ends the grant at once; it stays listed, as revoked.",
        responses=SupportAccessGrantSerializer,
    ),
)
class SupportAccessViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgResourceViewSet):
    policy_model = SupportAccessGrant
    serializer_class = SupportAccessGrantSerializer

    def scoped_queryset(self) -> QuerySet[Any]:
        return support_access.grants()

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = SupportAccessGrantCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        grant = support_access.grant_support_access(
            actor=self.principal,
            staff_email=data["staff_email"],
            scope=data["scope"],
            reason=data["reason"],
            expires_at=timezone.now() + timedelta(hours=data["duration_hours"]),
        )
        return Response(SupportAccessGrantSerializer(grant).data, status=status.HTTP_201_CREATED)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        grant = support_access.revoke_support_access(actor=self.principal, grant=self.get_object())
        return Response(SupportAccessGrantSerializer(grant).data)


def register(router: SimpleRouter) -> None:
    router.register(r"support-access", SupportAccessViewSet, basename="support-access")
