"""API of need-to-know requests, under /api/v1/orgs/<org_slug>/access-requests/: list (?show=mine,
waiting or all), read (with the approval chain), submit, and approve/, deny/, cancel/, provision/.
People are named by e-mail address. Only the named approver of the pending step may decide it."""

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

from trustroom.access import selectors_requests as selectors
from trustroom.access import state
from trustroom.access.api.grants import AccessGrantSerializer
from trustroom.access.api.requests_common import AccessViewSet, member_by_email
from trustroom.access.models import AccessApproval, AccessGrant, AccessRequest, Environment, PrivilegeLevel
from trustroom.access.services import requests as request_services
from trustroom.tenancy.api import NULLABLE_EMAIL, StrictInputMixin, email_or_none

SHOW = ("mine", "waiting", "all")


class NeedToKnowApprovalSerializer(serializers.ModelSerializer):
    approver = serializers.EmailField(source="approver.email", read_only=True)

    class Meta:
        model = AccessApproval
        fields = ["step", "approver", "decision", "comment", "decided_at"]
        read_only_fields = fields


class NeedToKnowRequestSerializer(serializers.ModelSerializer):
    requester = serializers.EmailField(source="requester.email", read_only=True)
    line_manager = serializers.EmailField(source="line_manager.email", read_only=True)
    business_unit_head = serializers.SerializerMethodField()
    environment_name = serializers.CharField(source="environment.__str__", read_only=True)
    pending_step = serializers.SerializerMethodField()
    approvals = NeedToKnowApprovalSerializer(many=True, read_only=True)
    grant = serializers.SerializerMethodField()
    provisioned_by = serializers.SerializerMethodField()

    class Meta:
        model = AccessRequest
        fields = [
            "id", "requester", "environment", "environment_name", "privilege", "justification",
            "duration_days",
            "line_manager", "business_unit_head", "needs_business_unit_head", "status", "pending_step",
            "approvals", "created_at", "decided_at", "provisioned_at", "provisioned_by", "grant",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(NULLABLE_EMAIL)
    def get_business_unit_head(self, request: AccessRequest) -> str | None:
        return email_or_none(request.business_unit_head)

    @extend_schema_field(NULLABLE_EMAIL)
    def get_provisioned_by(self, request: AccessRequest) -> str | None:
        return email_or_none(request.provisioned_by)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_pending_step(self, request: AccessRequest) -> str | None:
        return state.pending_step(request)

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_grant(self, request: AccessRequest) -> int | None:
        return AccessGrant.objects.filter(request=request).values_list("pk", flat=True).first()


class NeedToKnowRequestCreateSerializer(StrictInputMixin, serializers.Serializer):
    environment = serializers.IntegerField(help_text="The environment's id.")
    privilege = serializers.ChoiceField(choices=PrivilegeLevel.choices)
    justification = serializers.CharField(
        help_text=f"At least {request_services.MIN_JUSTIFICATION} characters."
    )
    duration_days = serializers.IntegerField(help_text=f"1 to {request_services.MAX_DURATION_DAYS}.")
    line_manager = serializers.EmailField(help_text="E-mail address of a member; approves first.")
    business_unit_head = serializers.EmailField(
        required=False,
        allow_null=True,
        default=None,
        help_text="E-mail address of a member; required for production and high/critical sensitivity.",
    )


class NeedToKnowDecisionSerializer(StrictInputMixin, serializers.Serializer):
    comment = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=2000, help_text="Required to deny."
    )


class NeedToKnowActionSerializer(StrictInputMixin, serializers.Serializer):
    pass


@extend_schema_view(
    list=extend_schema(
        summary="List access requests",
        parameters=[OpenApiParameter("show", OpenApiTypes.STR, enum=list(SHOW), description="Default: all.")],
    ),
    retrieve=extend_schema(summary="One access request with its approval chain"),
    create=extend_schema(
        summary="Request access for yourself",
        request=NeedToKnowRequestCreateSerializer,
        responses={201: NeedToKnowRequestSerializer},
    ),
)
class AccessRequestsViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, AccessViewSet):
    policy_model = AccessRequest
    serializer_class = NeedToKnowRequestSerializer
    change_actions = frozenset({"approve", "deny", "cancel", "provision"})

    def scoped_queryset(self) -> QuerySet[Any]:
        found = AccessRequest.objects.select_related(
            "requester", "line_manager", "business_unit_head", "provisioned_by", "environment__system"
        ).prefetch_related("approvals__approver")
        if self.action == "list":
            show = self.request.query_params.get("show", "all")
            if show not in SHOW:
                raise serializers.ValidationError({"show": [f"Give one of: {', '.join(SHOW)}."]})
            user = self.principal.user if self.principal.is_member else None
            if show == "mine":
                found = found.filter(requester_id=getattr(user, "pk", None))
            elif show == "waiting":
                found = found.filter(pk__in=selectors.waiting_for(user).values("pk"))
        return found

    def _answer(self, request: AccessRequest, code: int = status.HTTP_200_OK) -> Response:
        return Response(
            NeedToKnowRequestSerializer(self.scoped_queryset().get(pk=request.pk)).data, status=code
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = NeedToKnowRequestCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        environment = Environment.objects.filter(pk=data.pop("environment")).first()
        if environment is None:
            raise serializers.ValidationError({"environment": ["No such environment."]})
        data["line_manager"] = member_by_email(data["line_manager"], "line_manager")
        data["business_unit_head"] = member_by_email(data["business_unit_head"], "business_unit_head")
        created = request_services.submit_request(actor=self.principal, environment=environment, **data)
        return self._answer(created, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Approve the pending step (its named approver only)",
        request=NeedToKnowDecisionSerializer,
        responses=NeedToKnowRequestSerializer,
    )
    @action(detail=True, methods=["post"], url_path="approve", url_name="approve")
    def approve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        found = self.get_object()
        body = NeedToKnowDecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        request_services.approve_request(
            actor=self.principal, request=found, comment=body.validated_data["comment"]
        )
        return self._answer(found)

    @extend_schema(
        summary="Deny the pending step, saying why (its named approver only)",
        request=NeedToKnowDecisionSerializer,
        responses=NeedToKnowRequestSerializer,
    )
    @action(detail=True, methods=["post"], url_path="deny", url_name="deny")
    def deny(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        found = self.get_object()
        body = NeedToKnowDecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        request_services.deny_request(
            actor=self.principal, request=found, comment=body.validated_data["comment"]
        )
        return self._answer(found)

    @extend_schema(
        summary="Cancel your own pending request",
        request=NeedToKnowActionSerializer,
        responses=NeedToKnowRequestSerializer,
    )
    @action(detail=True, methods=["post"], url_path="cancel", url_name="cancel")
    def cancel(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        found = self.get_object()
        NeedToKnowActionSerializer(data=request.data).is_valid(raise_exception=True)
        request_services.cancel_request(actor=self.principal, request=found)
        return self._answer(found)

    @extend_schema(
        summary="Record an approved request as provisioned (editors; not the requester): creates the grant",
        request=NeedToKnowActionSerializer,
        responses=AccessGrantSerializer,
    )
    @action(detail=True, methods=["post"], url_path="provision", url_name="provision")
    def provision(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        found = self.get_object()
        NeedToKnowActionSerializer(data=request.data).is_valid(raise_exception=True)
        grant = request_services.provision_request(actor=self.principal, request=found)
        grant = AccessGrant.objects.select_related("environment__system", "granted_by", "revoked_by").get(
            pk=grant.pk
        )
        return Response(AccessGrantSerializer(grant).data, status=status.HTTP_201_CREATED)


def register(router: SimpleRouter) -> None:
    router.register(r"access-requests", AccessRequestsViewSet, basename="access-requests")
