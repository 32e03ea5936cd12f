"""API of the IP allowlist: ip-allowlist/ under /api/v1/orgs/<org_slug>/ (list, read, add, add several
(`bulk/`), remove)."""

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

from trustroom.identity import ip_allowlist
from trustroom.identity.client_ip import client_ip
from trustroom.identity.models import AllowlistAudience, IpAllowlistEntry
from trustroom.tenancy.api import NULLABLE_EMAIL, OrgResourceViewSet, StrictInputMixin, email_or_none

CONFIRM_HELP = (
    "Set to true to save a change that would refuse the address this request comes from "
    "(without it such a change is refused with 400 on `confirm_lockout`)."
)


class IpAllowlistEntrySerializer(serializers.ModelSerializer):
    created_by = serializers.SerializerMethodField()

    class Meta:
        model = IpAllowlistEntry
        fields = ["id", "network", "label", "applies_to", "created_by", "created_at"]
        read_only_fields = fields

    @extend_schema_field(NULLABLE_EMAIL)
    def get_created_by(self, entry: IpAllowlistEntry) -> str | None:
        return email_or_none(entry.created_by)


class IpAllowlistEntryCreateSerializer(StrictInputMixin, serializers.Serializer):
    network = serializers.CharField(
        max_length=100,
        help_text="IPv4 or IPv6 network in CIDR notation, or a single address (saved as /32 or /128).",
    )
    label = serializers.CharField(  # type: ignore[assignment]  # a field named like Field.label
        max_length=100, required=False, allow_blank=True, default=""
    )
    applies_to = serializers.ChoiceField(choices=AllowlistAudience.choices, default=AllowlistAudience.BOTH)
    confirm_lockout = serializers.BooleanField(default=False, help_text=CONFIRM_HELP)


class IpAllowlistBulkSerializer(StrictInputMixin, serializers.Serializer):
    networks = serializers.ListField(
        child=serializers.CharField(max_length=300, allow_blank=True, trim_whitespace=False),
        allow_empty=False,
        max_length=ip_allowlist.MAX_ENTRIES * 2,
        help_text=(
            "One network or address per item, optionally followed by a label "
            '("203.0.113.0/24 Office VPN"); blank items and text after # are ignored. All are added or '
            'none: a bad or already-listed network is a 400 on `networks` naming the item ("line 3: ...").'
        ),
    )
    applies_to = serializers.ChoiceField(choices=AllowlistAudience.choices, default=AllowlistAudience.BOTH)
    confirm_lockout = serializers.BooleanField(default=False, help_text=CONFIRM_HELP)


def _truthy(value: Any) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "on")


@extend_schema_view(
    list=extend_schema(
        summary="List the IP allowlist",
        description="No entry for an audience (members, API tokens) means that audience is unrestricted.",
    ),
    retrieve=extend_schema(summary="One IP allowlist entry"),
    create=extend_schema(
        summary="Add a network to the IP allowlist",
        request=IpAllowlistEntryCreateSerializer,
        responses={201: IpAllowlistEntrySerializer},
    ),
    destroy=extend_schema(
        summary="Remove a network from the IP allowlist",
        parameters=[
            OpenApiParameter(
                "confirm_lockout", OpenApiTypes.BOOL, OpenApiParameter.QUERY, description=CONFIRM_HELP
            )
        ],
        responses={204: None},
    ),
)
class IpAllowlistViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgResourceViewSet):
    policy_model = IpAllowlistEntry
    serializer_class = IpAllowlistEntrySerializer

    def scoped_queryset(self) -> QuerySet[Any]:
        return IpAllowlistEntry.objects.select_related("created_by")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = IpAllowlistEntryCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        entry = ip_allowlist.add_allowlist_entry(
            actor=self.principal,
            network=body.validated_data["network"],
            label=body.validated_data["label"],
            applies_to=body.validated_data["applies_to"],
            current_ip=client_ip(request),
            confirm_lockout=body.validated_data["confirm_lockout"],
        )
        return Response(IpAllowlistEntrySerializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Add several networks to the IP allowlist (all or nothing)",
        request=IpAllowlistBulkSerializer,
        responses={201: IpAllowlistEntrySerializer(many=True)},
    )
    @action(detail=False, methods=["post"], url_path="bulk", url_name="bulk", pagination_class=None)
    def bulk(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = IpAllowlistBulkSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        added = ip_allowlist.add_allowlist_entries(
            actor=self.principal,
            lines=body.validated_data["networks"],
            applies_to=body.validated_data["applies_to"],
            current_ip=client_ip(request),
            confirm_lockout=body.validated_data["confirm_lockout"],
        )
        return Response(IpAllowlistEntrySerializer(added, many=True).data, status=status.HTTP_201_CREATED)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        ip_allowlist.remove_allowlist_entry(
            actor=self.principal,
            entry=self.get_object(),
            current_ip=client_ip(request),
            confirm_lockout=_truthy(request.query_params.get("confirm_lockout", "")),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


def register(router: SimpleRouter) -> None:
    router.register(r"ip-allowlist", IpAllowlistViewSet, basename="ip-allowlist")
