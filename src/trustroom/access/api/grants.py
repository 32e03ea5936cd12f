"""API of access grants and revocation tasks, under /api/v1/orgs/<org_slug>/: access-grants/ (filters,
state computed when read; POST records one by hand; PATCH changes the privilege; revoke/) and
revocation-tasks/ (complete/ confirms the access was taken away)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from trustroom.access import selectors_requests as selectors
from trustroom.access import state
from trustroom.access.api.requests_common import AccessViewSet
from trustroom.access.models import AccessGrant, Environment, EnvironmentKind, PrivilegeLevel, RevocationTask
from trustroom.access.services import grants
from trustroom.access.services.revocations import complete_revocation_task
from trustroom.tenancy.api import NULLABLE_EMAIL, StrictInputMixin, email_or_none

GRANT_STATES = (state.GrantState.ACTIVE, state.GrantState.EXPIRED, state.GrantState.REVOKED)


class AccessGrantSerializer(serializers.ModelSerializer):
    system = serializers.CharField(source="environment.system.name", read_only=True)
    environment_label = serializers.CharField(source="environment.label", read_only=True)
    environment_kind = serializers.CharField(source="environment.kind", read_only=True)
    state = serializers.SerializerMethodField()
    granted_by = serializers.SerializerMethodField()
    revoked_by = serializers.SerializerMethodField()

    class Meta:
        model = AccessGrant
        fields = [
            "id", "environment", "system", "environment_label", "environment_kind", "person_email",
            "person_name",
            "privilege", "source", "request", "state", "granted_by", "granted_at", "expires_at",
            "revoked_at", "revoked_by", "revocation_reason",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=GRANT_STATES))
    def get_state(self, grant: AccessGrant) -> str:
        return state.grant_state(grant)  # computed when read: an expired grant needs no job to say so

    @extend_schema_field(NULLABLE_EMAIL)
    def get_granted_by(self, grant: AccessGrant) -> str | None:
        return email_or_none(grant.granted_by)

    @extend_schema_field(NULLABLE_EMAIL)
    def get_revoked_by(self, grant: AccessGrant) -> str | None:
        return email_or_none(grant.revoked_by)


class AccessGrantCreateSerializer(StrictInputMixin, serializers.Serializer):
    environment = serializers.IntegerField(help_text="The environment's id.")
    person_email = serializers.CharField(max_length=254)
    person_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    privilege = serializers.ChoiceField(choices=PrivilegeLevel.choices)
    expires_at = serializers.DateTimeField(
        required=False, allow_null=True, default=None, help_text="In the future, or null."
    )


class AccessGrantUpdateSerializer(StrictInputMixin, serializers.Serializer):
    privilege = serializers.ChoiceField(choices=PrivilegeLevel.choices)


class AccessGrantRevokeSerializer(StrictInputMixin, serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="Why the access is taken away.")


class GrantQuerySerializer(serializers.Serializer):
    system = serializers.IntegerField(required=False)
    kind = serializers.ChoiceField(choices=EnvironmentKind.choices, required=False)
    person = serializers.CharField(required=False, max_length=254)
    state = serializers.ChoiceField(choices=GRANT_STATES, required=False)


def _query(request: Request) -> dict[str, Any]:
    params = {
        key: request.query_params.get(key)
        for key in request.query_params
        if key in GrantQuerySerializer().fields
    }
    body = GrantQuerySerializer(data=params)
    body.is_valid(raise_exception=True)
    return dict(body.validated_data)


@extend_schema_view(
    list=extend_schema(
        summary="List access grants",
        parameters=[
            OpenApiParameter("system", OpenApiTypes.INT),
            OpenApiParameter("kind", OpenApiTypes.STR, enum=EnvironmentKind.values),
            OpenApiParameter("person", OpenApiTypes.STR, description="Part of the e-mail address or name."),
            OpenApiParameter("state", OpenApiTypes.STR, enum=list(GRANT_STATES)),
        ],
    ),
    retrieve=extend_schema(summary="One access grant"),
    create=extend_schema(
        summary="Record a grant by hand",
        request=AccessGrantCreateSerializer,
        responses={201: AccessGrantSerializer},
    ),
    partial_update=extend_schema(
        summary="Change an active grant's privilege",
        request=AccessGrantUpdateSerializer,
        responses=AccessGrantSerializer,
    ),
)
class AccessGrantsViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, AccessViewSet):
    policy_model = AccessGrant
    serializer_class = AccessGrantSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    change_actions = frozenset({"revoke"})

    def scoped_queryset(self) -> QuerySet[Any]:
        if self.action == "list":
            query = _query(self.request)
            filters = selectors.GrantFilters(
                system_id=query.get("system"),
                kind=query.get("kind", ""),
                person=query.get("person", "").strip(),
                state=query.get("state", ""),
            )
            return selectors.grants(filters, now=timezone.now()).select_related("granted_by", "revoked_by")
        return AccessGrant.objects.select_related("environment__system", "granted_by", "revoked_by")

    def _fresh(self, grant: AccessGrant) -> AccessGrant:
        return AccessGrant.objects.select_related("environment__system", "granted_by", "revoked_by").get(
            pk=grant.pk
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = AccessGrantCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        environment = Environment.objects.filter(pk=data.pop("environment")).first()
        if environment is None:
            raise serializers.ValidationError({"environment": ["No such environment."]})
        grant = grants.record_grant(actor=self.principal, environment=environment, **data)
        return Response(AccessGrantSerializer(self._fresh(grant)).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        grant = self.get_object()
        body = AccessGrantUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        grants.change_privilege(actor=self.principal, grant=grant, privilege=body.validated_data["privilege"])
        return Response(AccessGrantSerializer(self._fresh(grant)).data)

    @extend_schema(
        summary="Revoke a grant now (also confirms its open revocation tasks)",
        request=AccessGrantRevokeSerializer,
        responses=AccessGrantSerializer,
    )
    @action(detail=True, methods=["post"], url_path="revoke", url_name="revoke")
    def revoke(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        grant = self.get_object()
        body = AccessGrantRevokeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        grants.revoke_grant(actor=self.principal, grant=grant, reason=body.validated_data["reason"])
        return Response(AccessGrantSerializer(self._fresh(grant)).data)


# --- Revocation tasks --------------------------------------------------------------------------------


class RevocationTaskSerializer(serializers.ModelSerializer):
    person_email = serializers.CharField(source="grant.person_email", read_only=True)
    environment = serializers.CharField(source="grant.environment", read_only=True)
    overdue = serializers.SerializerMethodField()
    completed_by = serializers.SerializerMethodField()

    class Meta:
        model = RevocationTask
        fields = [
            "id",
            "grant",
            "person_email",
            "environment",
            "reason",
            "note",
            "created_at",
            "due_at",
            "overdue",
            "completed_at",
            "completed_by",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_overdue(self, task: RevocationTask) -> bool:
        return state.is_overdue(task.due_at, task.completed_at)

    @extend_schema_field(NULLABLE_EMAIL)
    def get_completed_by(self, task: RevocationTask) -> str | None:
        return email_or_none(task.completed_by)


class RevocationTaskCompleteSerializer(StrictInputMixin, serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


@extend_schema_view(
    list=extend_schema(
        summary="List revocation tasks",
        parameters=[
            OpenApiParameter("open", OpenApiTypes.BOOL, description="true: only open; false: only confirmed.")
        ],
    ),
    retrieve=extend_schema(summary="One revocation task"),
)
class RevocationTasksViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, AccessViewSet):
    policy_model = RevocationTask
    serializer_class = RevocationTaskSerializer
    change_actions = frozenset({"complete"})

    def scoped_queryset(self) -> QuerySet[Any]:
        found = RevocationTask.objects.select_related("grant__environment__system", "completed_by")
        wanted = self.request.query_params.get("open", "").lower()
        if self.action == "list" and wanted:
            if wanted not in ("true", "false"):
                raise serializers.ValidationError({"open": ["Give true or false."]})
            found = found.filter(completed_at__isnull=wanted == "true")
        return found

    @extend_schema(
        summary="Confirm the access was taken away",
        request=RevocationTaskCompleteSerializer,
        responses=RevocationTaskSerializer,
    )
    @action(detail=True, methods=["post"], url_path="complete", url_name="complete")
    def complete(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        task = self.get_object()
        body = RevocationTaskCompleteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        task = complete_revocation_task(actor=self.principal, task=task, note=body.validated_data["note"])
        return Response(RevocationTaskSerializer(self.scoped_queryset().get(pk=task.pk)).data)


def register(router: SimpleRouter) -> None:
    router.register(r"access-grants", AccessGrantsViewSet, basename="access-grants")
    router.register(r"revocation-tasks", RevocationTasksViewSet, basename="revocation-tasks")
