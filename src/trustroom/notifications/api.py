"""API of the notifications app (notifications/ under /api/v1/orgs/<org_slug>/): the caller's own inbox.

With an API token, the inbox is that of the member who created the token.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from trustroom.notifications import selectors, services
from trustroom.notifications.models import Notification
from trustroom.tenancy.api import OrgResourceViewSet


class NotificationSerializer(serializers.ModelSerializer):
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "key", "subject", "body", "url", "created_at", "read_at", "read"]
        read_only_fields = fields

    def get_read(self, notification: Notification) -> bool:
        return notification.read_at is not None


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField(read_only=True)


@extend_schema_view(
    list=extend_schema(
        summary="List your notifications",
        parameters=[OpenApiParameter("unread", bool, description="Only unread ones when true.")],
    ),
    retrieve=extend_schema(summary="One of your notifications"),
    read=extend_schema(summary="Mark one notification read", request=None, responses=NotificationSerializer),
    read_all=extend_schema(
        summary="Mark all your notifications read", request=None, responses=MarkedSerializer
    ),
)
class NotificationsViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgResourceViewSet):
    policy_model = Notification
    serializer_class = NotificationSerializer

    def scoped_queryset(self) -> QuerySet[Any]:
        queryset = selectors.inbox(self.principal.user)
        if self.action == "list" and self.request.query_params.get("unread") in ("1", "true"):
            queryset = queryset.filter(read_at__isnull=True)
        return queryset

    def policy_action(self, request: Request) -> str:
        if self.action in ("read", "read_all"):
            return "change"
        return super().policy_action(request)

    @action(detail=True, methods=["post"])
    def read(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        notification = services.mark_read(actor=self.principal, notification=self.get_object())
        return Response(NotificationSerializer(notification).data)

    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response({"marked": services.mark_all_read(actor=self.principal)})


def register(router: SimpleRouter) -> None:
    router.register(r"notifications", NotificationsViewSet, basename="notification")
