"""API endpoints of this app, registered on the organization router by `register`.

`audit-events/` lists and reads events with the same filters as the audit log page, and
`audit-events/verify/` runs the chain check, as the page's "Check the chain" button does.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from trustroom.api.base import OrgScopedViewSet
from trustroom.audit import selectors
from trustroom.audit.forms import AuditEventFilterForm
from trustroom.audit.models import AuditEvent
from trustroom.audit.verify import verify_chain


class AuditEventSerializer(serializers.ModelSerializer[AuditEvent]):
    class Meta:
        model = AuditEvent
        fields = (
            "id",
            "seq",
            "occurred_at",
            "actor_user",
            "actor_token_id",
            "actor_label",
            "action",
            "target_type",
            "target_id",
            "target_label",
            "changes",
            "ip",
            "user_agent",
            "prev_hash",
            "hash",
        )
        read_only_fields = fields


class ChainReportSerializer(serializers.Serializer[Any]):
    ok = serializers.BooleanField(help_text="True when every event and the chain head check out.")
    events_checked = serializers.IntegerField(help_text="Events verified before the first break (or all).")
    head_seq = serializers.IntegerField(help_text="Sequence number the chain head records.")
    head_hash = serializers.CharField(help_text="Hash the chain head records.")
    broken_seq = serializers.IntegerField(allow_null=True, help_text="Sequence number of the first break.")
    broken_event_id = serializers.IntegerField(
        allow_null=True, help_text="Id of the first broken event; null when it is missing (cut-off tail)."
    )
    reason = serializers.CharField(allow_blank=True, help_text="Why the chain is broken; empty when ok.")


FILTER_PARAMETERS = [
    OpenApiParameter(
        "action",
        OpenApiTypes.STR,
        description="An action (invitation.created, also matching its sub-actions), a group of actions "
        "(invitation) or a prefix ending in * (invit*).",
    ),
    OpenApiParameter("actor", OpenApiTypes.STR, description="Part of the actor's e-mail or token name."),
    OpenApiParameter("target_type", OpenApiTypes.STR, description="Record type, e.g. tenancy.invitation."),
    OpenApiParameter(
        "occurred_from", OpenApiTypes.DATE, description="First day (UTC, inclusive), YYYY-MM-DD."
    ),
    OpenApiParameter("occurred_to", OpenApiTypes.DATE, description="Last day (UTC, inclusive), YYYY-MM-DD."),
    OpenApiParameter("q", OpenApiTypes.STR, description="Text in the record name or in the change."),
]


@extend_schema_view(
    list=extend_schema(
        summary="List audit events, newest first",
        parameters=FILTER_PARAMETERS,
        description="Bad filter values answer 400 with the field and the reason.",
    ),
    retrieve=extend_schema(summary="Read one audit event"),
)
class AuditEventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgScopedViewSet):
    """The organization's audit log: read-only (events are only ever appended by the services)."""

    policy_model = AuditEvent
    serializer_class = AuditEventSerializer

    def get_queryset(self) -> QuerySet[AuditEvent]:
        if self.action != "list":
            return selectors.events()
        form = AuditEventFilterForm(self.request.query_params)
        if not form.is_valid():
            raise exceptions.ValidationError(
                {field: [str(message) for message in messages] for field, messages in form.errors.items()}
            )
        return selectors.events(form.filters())

    @extend_schema(
        summary="Verify the organization's audit chain",
        description="Walks the whole chain and reports the first broken event, if any. "
        "Answers 200 in both cases; read `ok`.",
        responses=ChainReportSerializer,
    )
    @action(detail=False, methods=["get"], url_path="verify")
    def verify(self, request: Request, **kwargs: Any) -> Response:
        report = verify_chain()
        return Response(ChainReportSerializer(report.as_dict()).data)


def register(router: SimpleRouter) -> None:
    router.register("audit-events", AuditEventViewSet, basename="audit-events")
