"""API of claim bindings, under /api/v1/orgs/<org_slug>/trust-center/claim-bindings/.

GET lists the bindings (every member) with the claim's posture now and its effective policy;
POST {"claim_key", "control"} binds a control to a public claim and DELETE <id>/ unbinds it (owners and
admins). The policy for claims whose controls are not all ready is `claim_posture_policy` of
trust-center/settings/, overridden per claim by trust-center/claim-policies/.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from trustroom.controls.models import ClaimBinding, Control
from trustroom.controls.services.posture import bind_claim, unbind_claim
from trustroom.tenancy.api import OrgResourceViewSet, ScopedField, StrictInputMixin
from trustroom.trustcenter.models import ClaimPosturePolicy
from trustroom.trustcenter.posture_claims import public_posture


class ClaimBindingSerializer(serializers.ModelSerializer):
    control_key = serializers.CharField(source="control.key", read_only=True)
    control_status = serializers.SerializerMethodField(help_text="ready, stale, missing or failing, now.")
    claim_verified = serializers.SerializerMethodField(
        help_text="Whether every control bound to the claim is ready now."
    )
    claim_policy = serializers.SerializerMethodField(
        help_text="What the public page does with the claim when it is not verified (its own policy, "
        "else the organization's default)."
    )

    class Meta:
        model = ClaimBinding
        fields = [
            "id",
            "claim_key",
            "control",
            "control_key",
            "control_status",
            "claim_verified",
            "claim_policy",
            "created_at",
        ]
        read_only_fields = fields

    def _posture(self) -> Any:
        current = self.context.get("posture")
        if current is None:
            current = self.context["posture"] = public_posture()
        return current

    def _claim(self, binding: ClaimBinding) -> Any:
        return self._posture().for_claim(binding.claim_key)

    def get_control_status(self, binding: ClaimBinding) -> str:
        claim = self._claim(binding)
        return next(c.status for c in claim.controls if c.key == binding.control.key)

    def get_claim_verified(self, binding: ClaimBinding) -> bool:
        return bool(self._claim(binding).verified)

    @extend_schema_field(serializers.ChoiceField(choices=ClaimPosturePolicy.choices))
    def get_claim_policy(self, binding: ClaimBinding) -> str:
        return str(self._posture().policy_of(binding.claim_key))


class ClaimBindingWriteSerializer(StrictInputMixin, serializers.Serializer):
    claim_key = serializers.CharField(max_length=120)
    control = ScopedField(Control)


@extend_schema_view(
    list=extend_schema(summary="Claims bound to controls, with their state now"),
    retrieve=extend_schema(summary="One claim binding"),
    create=extend_schema(
        summary="Bind a control to a public trust center claim (owners and admins)",
        request=ClaimBindingWriteSerializer,
        responses={201: ClaimBindingSerializer},
    ),
    destroy=extend_schema(summary="Unbind a control from a claim (owners and admins)"),
)
class ClaimBindingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgResourceViewSet):
    policy_model = ClaimBinding
    serializer_class = ClaimBindingSerializer

    def scoped_queryset(self) -> QuerySet[Any]:
        return ClaimBinding.objects.select_related("control")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = ClaimBindingWriteSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        binding = bind_claim(actor=self.principal, **body.validated_data)
        return Response(ClaimBindingSerializer(binding).data, status=status.HTTP_201_CREATED)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        unbind_claim(actor=self.principal, binding=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
