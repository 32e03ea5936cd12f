"""API of per-claim posture policies, under /api/v1/orgs/<org_slug>/trust-center/claim-policies/.

A claim with no policy here follows the organization's default (`claim_posture_policy` of
trust-center/settings/). GET lists the overrides (every member); POST {"claim_key", "policy"} sets one
claim's policy (creating or replacing its override), PATCH <id>/ {"policy"} changes it and DELETE <id>/
returns the claim to the default (owners and admins). `claim_policy` of claim-bindings/ is each bound
claim's effective policy.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from trustroom.tenancy.api import OrgResourceViewSet, StrictInputMixin
from trustroom.trustcenter.models import INHERIT, ClaimPolicy, ClaimPosturePolicy
from trustroom.trustcenter.services import set_claim_policy


class ClaimPolicySerializer(serializers.ModelSerializer):
    class Meta:
        model = ClaimPolicy
        fields = ["id", "claim_key", "policy", "updated_at"]
        read_only_fields = fields


class ClaimPolicyWriteSerializer(StrictInputMixin, serializers.Serializer):
    claim_key = serializers.CharField(max_length=120)
    policy = serializers.ChoiceField(choices=ClaimPosturePolicy.choices)


class ClaimPolicyChangeSerializer(StrictInputMixin, serializers.Serializer):
    policy = serializers.ChoiceField(choices=ClaimPosturePolicy.choices)


@extend_schema_view(
    list=extend_schema(summary="Claims whose posture policy overrides the organization's default"),
    retrieve=extend_schema(summary="One claim's posture policy"),
    create=extend_schema(
        summary="Set one claim's posture policy (owners and admins)",
        request=ClaimPolicyWriteSerializer,
        responses={200: ClaimPolicySerializer, 201: ClaimPolicySerializer},
    ),
    partial_update=extend_schema(
        summary="Change one claim's posture policy (owners and admins)",
        request=ClaimPolicyChangeSerializer,
        responses=ClaimPolicySerializer,
    ),
    destroy=extend_schema(summary="Return the claim to the organization's default (owners and admins)"),
)
class ClaimPolicyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgResourceViewSet):
    policy_model = ClaimPolicy
    serializer_class = ClaimPolicySerializer

    def scoped_queryset(self) -> QuerySet[Any]:
        return ClaimPolicy.objects.all()

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = ClaimPolicyWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        existed = ClaimPolicy.objects.filter(claim_key=body.validated_data["claim_key"]).exists()
        claim_policy = set_claim_policy(actor=self.principal, **body.validated_data)
        answer = status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        return Response(ClaimPolicySerializer(claim_policy).data, status=answer)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        claim_policy = self.get_object()
        body = ClaimPolicyChangeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        changed = set_claim_policy(
            actor=self.principal, claim_key=claim_policy.claim_key, policy=body.validated_data["policy"]
        )
        return Response(ClaimPolicySerializer(changed).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        claim_policy = self.get_object()
        set_claim_policy(actor=self.principal, claim_key=claim_policy.claim_key, policy=INHERIT)
        return Response(status=status.HTTP_204_NO_CONTENT)
