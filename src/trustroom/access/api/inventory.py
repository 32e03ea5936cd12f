"""API of the inventory and access groups, under /api/v1/orgs/<org_slug>/: systems/, environments/ and
access-groups/ (with members/ to add several addresses, all or nothing, or remove one). The viewsets
validate input and call `trustroom.access.services.inventory`."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from trustroom.access.api.requests_common import AccessViewSet, member_by_email
from trustroom.access.models import AccessGroup, Environment, EnvironmentKind, Sensitivity, System
from trustroom.access.services import inventory
from trustroom.tenancy.api import NULLABLE_EMAIL, StrictInputMixin, email_or_none


def _merged(instance: Any, validated: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """A PATCH changes what it names; the rest keeps its current value (the services take it all)."""
    return {name: validated[name] if name in validated else getattr(instance, name) for name in names}


# --- Systems ----------------------------------------------------------------------------------------


class EnvironmentSerializer(serializers.ModelSerializer):
    system_name = serializers.CharField(source="system.name", read_only=True)
    label = serializers.CharField(read_only=True)  # type: ignore[assignment]  # a field named like Field.label
    effective_sensitivity = serializers.CharField(read_only=True)

    class Meta:
        model = Environment
        fields = [
            "id",
            "system",
            "system_name",
            "kind",
            "name",
            "label",
            "sensitivity",
            "effective_sensitivity",
            "created_at",
        ]
        read_only_fields = fields


class SystemSerializer(serializers.ModelSerializer):
    owner = serializers.SerializerMethodField()
    environments = EnvironmentSerializer(many=True, read_only=True)

    class Meta:
        model = System
        fields = [
            "id",
            "name",
            "description",
            "sensitivity",
            "owner",
            "environments",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(NULLABLE_EMAIL)
    def get_owner(self, system: System) -> str | None:
        return email_or_none(system.owner)


class SystemWriteSerializer(StrictInputMixin, serializers.Serializer):
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    sensitivity = serializers.ChoiceField(choices=Sensitivity.choices, default=Sensitivity.MODERATE)
    owner = serializers.EmailField(
        required=False, allow_null=True, default=None, help_text="E-mail address of a member, or null."
    )


@extend_schema_view(
    list=extend_schema(summary="List systems with their environments"),
    retrieve=extend_schema(summary="One system"),
    create=extend_schema(
        summary="Add a system", request=SystemWriteSerializer, responses={201: SystemSerializer}
    ),
    partial_update=extend_schema(
        summary="Change a system", request=SystemWriteSerializer, responses=SystemSerializer
    ),
    destroy=extend_schema(
        summary="Delete a system and its environments (400 while grants or requests refer to it)",
        responses={204: None},
    ),
)
class SystemsViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, AccessViewSet):
    policy_model = System
    serializer_class = SystemSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def scoped_queryset(self) -> QuerySet[Any]:
        return System.objects.select_related("owner").prefetch_related("environments__system")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = SystemWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        data["owner"] = member_by_email(data["owner"], "owner")
        system = inventory.create_system(actor=self.principal, **data)
        return Response(
            SystemSerializer(self.scoped_queryset().get(pk=system.pk)).data, status=status.HTTP_201_CREATED
        )

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        system = self.get_object()
        body = SystemWriteSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        if "owner" in data:
            data["owner"] = member_by_email(data["owner"], "owner")
        merged = _merged(system, data, ("name", "description", "sensitivity", "owner"))
        inventory.update_system(actor=self.principal, system=system, **merged)
        return Response(SystemSerializer(self.scoped_queryset().get(pk=system.pk)).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        inventory.delete_system(actor=self.principal, system=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Environments ----------------------------------------------------------------------------------


class EnvironmentCreateSerializer(StrictInputMixin, serializers.Serializer):
    system = serializers.IntegerField(help_text="The system's id.")
    kind = serializers.ChoiceField(choices=EnvironmentKind.choices)
    name = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default="", help_text="Required for custom."
    )
    sensitivity = serializers.ChoiceField(
        choices=[("", "As the system"), *Sensitivity.choices], required=False, default=""
    )


class EnvironmentUpdateSerializer(StrictInputMixin, serializers.Serializer):
    kind = serializers.ChoiceField(choices=EnvironmentKind.choices, required=False)
    name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    sensitivity = serializers.ChoiceField(
        choices=[("", "As the system"), *Sensitivity.choices], required=False
    )


@extend_schema_view(
    list=extend_schema(
        summary="List environments",
        parameters=[OpenApiParameter("system", OpenApiTypes.INT, description="Only this system's.")],
    ),
    retrieve=extend_schema(summary="One environment"),
    create=extend_schema(
        summary="Add an environment to a system",
        request=EnvironmentCreateSerializer,
        responses={201: EnvironmentSerializer},
    ),
    partial_update=extend_schema(
        summary="Change an environment", request=EnvironmentUpdateSerializer, responses=EnvironmentSerializer
    ),
    destroy=extend_schema(
        summary="Delete an environment (400 while grants or requests refer to it)", responses={204: None}
    ),
)
class EnvironmentsViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, AccessViewSet):
    policy_model = Environment
    serializer_class = EnvironmentSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def scoped_queryset(self) -> QuerySet[Any]:
        found = Environment.objects.select_related("system")
        system = self.request.query_params.get("system", "")
        if self.action == "list" and system:
            if not system.isdigit():
                raise serializers.ValidationError({"system": ["Give a system id."]})
            found = found.filter(system_id=int(system))
        return found

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = EnvironmentCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        system = System.objects.filter(pk=data.pop("system")).first()
        if system is None:
            raise serializers.ValidationError({"system": ["No such system."]})
        environment = inventory.create_environment(actor=self.principal, system=system, **data)
        return Response(EnvironmentSerializer(environment).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        environment = self.get_object()
        body = EnvironmentUpdateSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        merged = _merged(environment, body.validated_data, ("kind", "name", "sensitivity"))
        environment = inventory.update_environment(actor=self.principal, environment=environment, **merged)
        return Response(EnvironmentSerializer(environment).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        inventory.delete_environment(actor=self.principal, environment=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Groups ------------------------------------------------------------------------------------------


class AccessGroupSerializer(serializers.ModelSerializer):
    members = serializers.SerializerMethodField()

    class Meta:
        model = AccessGroup
        fields = ["id", "name", "description", "members", "created_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.EmailField()))
    def get_members(self, group: AccessGroup) -> list[str]:
        return [member.email for member in group.members.all()]


class AccessGroupWriteSerializer(StrictInputMixin, serializers.Serializer):
    name = serializers.CharField(max_length=100)
    description = serializers.CharField(required=False, allow_blank=True, default="")


class GroupMembersSerializer(StrictInputMixin, serializers.Serializer):
    emails = serializers.ListField(
        child=serializers.CharField(max_length=254, allow_blank=True),
        allow_empty=False,
        max_length=inventory.MAX_BULK_MEMBERS,
        help_text="All are added or none: a bad address or one already in the group is a 400 on `emails` "
        '("line 2: ...").',
    )


class GroupMemberRemoveSerializer(StrictInputMixin, serializers.Serializer):
    email = serializers.CharField(max_length=254)


@extend_schema_view(
    list=extend_schema(summary="List access groups with their members"),
    retrieve=extend_schema(summary="One access group"),
    create=extend_schema(
        summary="Create an access group",
        request=AccessGroupWriteSerializer,
        responses={201: AccessGroupSerializer},
    ),
    partial_update=extend_schema(
        summary="Rename or describe a group",
        request=AccessGroupWriteSerializer,
        responses=AccessGroupSerializer,
    ),
    destroy=extend_schema(summary="Delete a group (400 while a policy rule names it)", responses={204: None}),
)
class AccessGroupsViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, AccessViewSet):
    policy_model = AccessGroup
    serializer_class = AccessGroupSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    change_actions = frozenset({"members", "remove_member"})

    def scoped_queryset(self) -> QuerySet[Any]:
        return AccessGroup.objects.prefetch_related("members")

    def _fresh(self, group: AccessGroup) -> AccessGroup:
        return self.scoped_queryset().get(pk=group.pk)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = AccessGroupWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        group = inventory.create_group(actor=self.principal, **body.validated_data)
        return Response(AccessGroupSerializer(self._fresh(group)).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        group = self.get_object()
        body = AccessGroupWriteSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        merged = _merged(group, body.validated_data, ("name", "description"))
        group = inventory.update_group(actor=self.principal, group=group, **merged)
        return Response(AccessGroupSerializer(self._fresh(group)).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        inventory.delete_group(actor=self.principal, group=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Add members by e-mail address (all or nothing)",
        request=GroupMembersSerializer,
        responses=AccessGroupSerializer,
    )
    @action(detail=True, methods=["post"], url_path="members", url_name="members")
    def members(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        group = self.get_object()
        body = GroupMembersSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        inventory.add_group_members(actor=self.principal, group=group, emails=body.validated_data["emails"])
        return Response(AccessGroupSerializer(self._fresh(group)).data)

    @extend_schema(
        summary="Remove one member by e-mail address",
        request=GroupMemberRemoveSerializer,
        responses=AccessGroupSerializer,
    )
    @action(detail=True, methods=["post"], url_path="remove-member", url_name="remove-member")
    def remove_member(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        group = self.get_object()
        body = GroupMemberRemoveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        inventory.remove_group_member_by_email(
            actor=self.principal, group=group, email=body.validated_data["email"]
        )
        return Response(AccessGroupSerializer(self._fresh(group)).data)


def register(router: SimpleRouter) -> None:
    router.register(r"systems", SystemsViewSet, basename="access-systems")
    router.register(r"environments", EnvironmentsViewSet, basename="access-environments")
    router.register(r"access-groups", AccessGroupsViewSet, basename="access-groups")
