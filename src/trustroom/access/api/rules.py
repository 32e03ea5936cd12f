"""API of policy rules: access-policy-rules/ (CRUD), violations/ (computed when read) and
open-revocations/ (revocation tasks for the grants outside a rule's group)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from trustroom.access import rules_state
from trustroom.access.api.reviews import ChangeActionsViewSet
from trustroom.access.models import AccessGroup, AccessPolicyRule, EnvironmentKind, System
from trustroom.access.services import rules
from trustroom.tenancy.api import StrictInputMixin


class RuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = AccessPolicyRule
        fields = [
            "id",
            "name",
            "environment_kind",
            "system",
            "allowed_group",
            "max_people",
            "enabled",
            "created_at",
        ]
        read_only_fields = fields


class RuleInputSerializer(StrictInputMixin, serializers.Serializer):
    name = serializers.CharField(max_length=200)
    environment_kind = serializers.ChoiceField(
        choices=EnvironmentKind.choices, required=False, allow_blank=True, default=""
    )
    system = serializers.IntegerField(required=False, allow_null=True, default=None, help_text="System id.")
    allowed_group = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="Access group id."
    )
    max_people = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=0)
    enabled = serializers.BooleanField(default=True)

    def validate_system(self, value: int | None) -> System | None:
        if value is None:
            return None
        system = System.objects.filter(pk=value).first()
        if system is None:
            raise serializers.ValidationError("No such system.")
        return system

    def validate_allowed_group(self, value: int | None) -> AccessGroup | None:
        if value is None:
            return None
        group = AccessGroup.objects.filter(pk=value).first()
        if group is None:
            raise serializers.ValidationError("No such group.")
        return group


class GrantRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    person_email = serializers.EmailField()
    system = serializers.CharField(source="environment.system.name")
    environment = serializers.CharField(source="environment.label")
    privilege = serializers.CharField()


class ViolationSerializer(serializers.Serializer):
    rule = RuleSerializer()
    out_of_group = GrantRefSerializer(many=True)
    people = serializers.IntegerField()
    over_max = serializers.IntegerField()


@extend_schema_view(
    list=extend_schema(summary="List policy rules"),
    retrieve=extend_schema(summary="One policy rule"),
    create=extend_schema(
        summary="Add a policy rule",
        description="Must name an allowed group or a maximum number of people (or both). Owners and admins.",
        request=RuleInputSerializer,
        responses={201: RuleSerializer},
    ),
    update=extend_schema(
        summary="Change a policy rule", request=RuleInputSerializer, responses=RuleSerializer
    ),
    destroy=extend_schema(summary="Delete a policy rule", responses={204: None}),
)
class AccessPolicyRuleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ChangeActionsViewSet):
    policy_model = AccessPolicyRule
    serializer_class = RuleSerializer
    change_actions = frozenset({"open_revocations"})

    def scoped_queryset(self) -> QuerySet[Any]:
        return AccessPolicyRule.objects.all()

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = RuleInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        rule = rules.create_rule(actor=self.principal, **body.validated_data)
        return Response(RuleSerializer(rule).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rule = self.get_object()
        body = RuleInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        rule = rules.update_rule(actor=self.principal, rule=rule, **body.validated_data)
        return Response(RuleSerializer(rule).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rules.delete_rule(actor=self.principal, rule=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Violations of the enabled rules, now",
        description="Per violated rule: the active grants held by people outside its group, the number of "
        "distinct people, and how many above its maximum.",
        responses=ViolationSerializer(many=True),
    )
    @action(
        detail=False, methods=["get"], url_path="violations", url_name="violations", pagination_class=None
    )
    def violations(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        found = rules_state.violations()
        return Response(
            ViolationSerializer(
                [
                    {
                        "rule": v.rule,
                        "out_of_group": v.out_of_group,
                        "people": v.people,
                        "over_max": v.over_max,
                    }
                    for v in found
                ],
                many=True,
            ).data
        )

    @extend_schema(
        summary="Open revocation tasks for the grants outside the rule's group",
        request=None,
        responses={200: {"type": "object", "properties": {"opened": {"type": "integer"}}}},
    )
    @action(detail=True, methods=["post"], url_path="open-revocations", url_name="open-revocations")
    def open_revocations(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        opened = rules.open_policy_revocations(actor=self.principal, rule=self.get_object())
        return Response({"opened": len(opened)})


def register(router: SimpleRouter) -> None:
    router.register(r"access-policy-rules", AccessPolicyRuleViewSet, basename="access-policy-rule")
