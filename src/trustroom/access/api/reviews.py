"""API of access reviews: access-review-schedule/, access-reviews/ (+ close/, assign-reviewer/, export/)
and access-review-items/ (+ decide/). The viewsets validate input and call
`trustroom.access.services.reviews`; completion and overdue are computed when read."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from trustroom.access import review_state
from trustroom.access.models import (
    AccessReviewCampaign,
    AccessReviewItem,
    AccessReviewSchedule,
    PrivilegeLevel,
    ReviewDecision,
    System,
)
from trustroom.access.services import review_exports, reviews
from trustroom.tenancy.api import NULLABLE_EMAIL, OrgResourceViewSet, StrictInputMixin, email_or_none
from trustroom.web.exports import CsvRenderer, PdfRenderer, attachment


class ScheduleSerializer(serializers.Serializer):
    saved = serializers.BooleanField(
        read_only=True, help_text="False: no schedule saved yet (defaults shown)."
    )
    rule = serializers.CharField(read_only=True)
    starts_at = serializers.DateTimeField(read_only=True, allow_null=True)
    days_to_complete = serializers.IntegerField(read_only=True)
    enabled = serializers.BooleanField(read_only=True)
    next_occurrence = serializers.DateTimeField(read_only=True, allow_null=True)


class ScheduleInputSerializer(StrictInputMixin, serializers.Serializer):
    rule = serializers.CharField(
        max_length=200,
        default=reviews.DEFAULT_RULE,
        help_text="RFC 5545 RRULE, e.g. FREQ=MONTHLY;INTERVAL=3.",
    )
    starts_at = serializers.DateTimeField(help_text="First occurrence, with a time zone.")
    days_to_complete = serializers.IntegerField(default=reviews.DEFAULT_DAYS_TO_COMPLETE)
    enabled = serializers.BooleanField(default=True)


def schedule_data(schedule: AccessReviewSchedule | None) -> dict[str, Any]:
    if schedule is None:
        return {
            "saved": False,
            "rule": reviews.DEFAULT_RULE,
            "starts_at": None,
            "days_to_complete": reviews.DEFAULT_DAYS_TO_COMPLETE,
            "enabled": False,
            "next_occurrence": None,
        }
    return {
        "saved": True,
        "rule": schedule.rule,
        "starts_at": schedule.starts_at,
        "days_to_complete": schedule.days_to_complete,
        "enabled": schedule.enabled,
        "next_occurrence": reviews.next_occurrence(schedule, timezone.now()) if schedule.enabled else None,
    }


class AccessReviewScheduleViewSet(OrgResourceViewSet):
    policy_model = AccessReviewSchedule
    serializer_class = ScheduleSerializer

    def get_object(self) -> AccessReviewSchedule:
        """The one schedule of the organization (OPTIONS asks for it to describe PUT)."""
        schedule = reviews.current_schedule()
        if schedule is None:
            raise NotFound("No access review schedule was saved yet.")
        self.check_object_permissions(self.request, schedule)
        return schedule

    @extend_schema(
        summary="The access review schedule",
        description="GET reads it (every member); PUT saves it (owners and admins). Campaigns are opened by "
        "the daily job at each occurrence of the rule.",
        request=ScheduleInputSerializer,
        responses=ScheduleSerializer,
        methods=["GET", "PUT"],
    )
    @action(detail=False, methods=["get", "put"], url_path="access-review-schedule", url_name="detail")
    def schedule(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if request.method == "PUT":
            body = ScheduleInputSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            saved = reviews.update_review_schedule(actor=self.principal, **body.validated_data)
            return Response(ScheduleSerializer(schedule_data(saved)).data)
        return Response(ScheduleSerializer(schedule_data(reviews.current_schedule())).data)


class AssignmentSerializer(serializers.Serializer):
    system = serializers.IntegerField(source="system_id", read_only=True)
    system_name = serializers.CharField(source="system.name", read_only=True)
    reviewer = serializers.EmailField(source="reviewer.email", read_only=True)


class CampaignSerializer(serializers.ModelSerializer):
    progress = serializers.SerializerMethodField()
    assignments = AssignmentSerializer(many=True, read_only=True)
    created_by = serializers.SerializerMethodField()

    class Meta:
        model = AccessReviewCampaign
        fields = [
            "id",
            "name",
            "opened_at",
            "due_at",
            "closed_at",
            "occurrence",
            "created_by",
            "progress",
            "assignments",
        ]
        read_only_fields = fields

    @extend_schema_field(
        {
            "type": "object",
            "properties": {
                "total": {"type": "integer"},
                "decided": {"type": "integer"},
                "percent": {"type": "integer"},
                "overdue": {"type": "boolean"},
                "closed": {"type": "boolean"},
                "revocations_outstanding": {"type": "integer"},
                "by_decision": {"type": "object", "additionalProperties": {"type": "integer"}},
            },
        }
    )
    def get_progress(self, campaign: AccessReviewCampaign) -> dict[str, Any]:
        progress = review_state.campaign_progress(campaign)
        return {
            "total": progress.total,
            "decided": progress.decided,
            "percent": progress.percent,
            "overdue": progress.overdue,
            "closed": progress.closed,
            "revocations_outstanding": progress.revocations_outstanding,
            "by_decision": progress.by_decision,
        }

    @extend_schema_field(NULLABLE_EMAIL)
    def get_created_by(self, campaign: AccessReviewCampaign) -> str | None:
        return email_or_none(campaign.created_by)


class CampaignCreateSerializer(StrictInputMixin, serializers.Serializer):
    name = serializers.CharField(max_length=200)
    due_at = serializers.DateTimeField()


class AssignReviewerSerializer(StrictInputMixin, serializers.Serializer):
    system = serializers.IntegerField(help_text="Id of a system with grants in the campaign.")
    reviewer = serializers.EmailField(help_text="E-mail of a member who is not an auditor.")


class ExportQuerySerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=review_exports.FORMATS, default="csv")


class ChangeActionsViewSet(OrgResourceViewSet):
    """POST actions on an existing object change it: the policy is asked for "change", not "add"."""

    change_actions: frozenset[str] = frozenset()

    def policy_action(self, request: Request) -> str:
        if self.action in self.change_actions:
            return "change"
        return super().policy_action(request)


class AccessReviewViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ChangeActionsViewSet):
    policy_model = AccessReviewCampaign
    serializer_class = CampaignSerializer
    change_actions = frozenset({"close", "assign_reviewer"})

    def scoped_queryset(self) -> QuerySet[Any]:
        return AccessReviewCampaign.objects.select_related("created_by").prefetch_related(
            "assignments__system", "assignments__reviewer"
        )

    @extend_schema(
        summary="Open an access review campaign",
        description="Every grant active now becomes an item; each system's reviewer is its owner "
        "(or, without one, the person opening it). Owners and admins.",
        request=CampaignCreateSerializer,
        responses={201: CampaignSerializer},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = CampaignCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        campaign = reviews.open_campaign(actor=self.principal, **body.validated_data)
        return Response(CampaignSerializer(campaign).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Close a campaign",
        description="Only when every item is decided (400 with the count otherwise).",
        request=None,
        responses=CampaignSerializer,
    )
    @action(detail=True, methods=["post"], url_path="close", url_name="close")
    def close(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        campaign = reviews.close_campaign(actor=self.principal, campaign=self.get_object())
        return Response(CampaignSerializer(campaign).data)

    @extend_schema(
        summary="Assign a system's reviewer", request=AssignReviewerSerializer, responses=CampaignSerializer
    )
    @action(detail=True, methods=["post"], url_path="assign-reviewer", url_name="assign-reviewer")
    def assign_reviewer(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        campaign = self.get_object()
        body = AssignReviewerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        system = System.objects.filter(pk=body.validated_data["system"]).first()
        if system is None:
            raise serializers.ValidationError({"system": ["No such system."]})
        user = get_user_model().objects.filter(email__iexact=body.validated_data["reviewer"]).first()
        reviews.assign_reviewer(actor=self.principal, campaign=campaign, system=system, reviewer=user)
        return Response(CampaignSerializer(self.get_object()).data)

    @extend_schema(
        summary="Evidence export (CSV or PDF)",
        description="One row per item: system, environment, person, privilege, decision, new privilege, "
        "reviewer, decided at, comment, revocation task status and completion. The PDF adds a summary. "
        "Served as an attachment; audit-logged.",
        parameters=[OpenApiParameter("format", str, enum=list(review_exports.FORMATS), default="csv")],
        responses={(200, "text/csv"): OpenApiTypes.BINARY, (200, "application/pdf"): OpenApiTypes.BINARY},
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="export",
        url_name="export",
        renderer_classes=[JSONRenderer, CsvRenderer, PdfRenderer],
    )
    def export(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        campaign = self.get_object()
        query = ExportQuerySerializer(data={"format": request.query_params.get("format", "csv")})
        query.is_valid(raise_exception=True)
        exported = review_exports.export_campaign(
            actor=self.principal, campaign=campaign, fmt=query.validated_data["format"]
        )
        return attachment(exported)


class ItemSerializer(serializers.ModelSerializer):
    decided_by = serializers.SerializerMethodField()
    system = serializers.IntegerField(source="grant.environment.system_id", read_only=True)

    class Meta:
        model = AccessReviewItem
        fields = [
            "id",
            "campaign",
            "grant",
            "system",
            "system_name",
            "environment_label",
            "person_email",
            "privilege",
            "decision",
            "new_privilege",
            "comment",
            "decided_at",
            "decided_by",
        ]
        read_only_fields = fields

    @extend_schema_field(NULLABLE_EMAIL)
    def get_decided_by(self, item: AccessReviewItem) -> str | None:
        return email_or_none(item.decided_by)


class DecideSerializer(StrictInputMixin, serializers.Serializer):
    decision = serializers.ChoiceField(choices=ReviewDecision.choices)
    comment = serializers.CharField(
        max_length=5000,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required to revoke or change.",
    )
    new_privilege = serializers.ChoiceField(
        choices=PrivilegeLevel.choices, required=False, allow_blank=True, default="", help_text="With change."
    )


class ItemFilterSerializer(serializers.Serializer):
    campaign = serializers.IntegerField(required=False)
    decision = serializers.ChoiceField(choices=[("", "undecided"), *ReviewDecision.choices], required=False)


@extend_schema(
    parameters=[
        OpenApiParameter("campaign", int, description="Only this campaign's items."),
        OpenApiParameter("decision", str, description="keep, revoke, change, or empty for undecided."),
    ],
    methods=["GET"],
)
class AccessReviewItemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ChangeActionsViewSet):
    policy_model = AccessReviewItem
    serializer_class = ItemSerializer
    change_actions = frozenset({"decide"})

    def scoped_queryset(self) -> QuerySet[Any]:
        queryset = AccessReviewItem.objects.select_related("decided_by", "grant__environment")
        if self.action == "list":
            params = {key: self.request.query_params.get(key) for key in ("campaign", "decision")}
            body = ItemFilterSerializer(data={k: v for k, v in params.items() if v is not None})
            body.is_valid(raise_exception=True)
            if "campaign" in body.validated_data:
                queryset = queryset.filter(campaign_id=body.validated_data["campaign"])
            if "decision" in body.validated_data:
                queryset = queryset.filter(decision=body.validated_data["decision"])
        return queryset

    @extend_schema(
        summary="Decide an item: keep, revoke or change",
        description="Only the system's reviewer in the campaign, or an owner or admin. Revoke opens a "
        "revocation task; change sets the grant's privilege. May be changed until the campaign closes.",
        request=DecideSerializer,
        responses={200: ItemSerializer, 400: OpenApiResponse(description="Bad input, or campaign closed")},
    )
    @action(detail=True, methods=["post"], url_path="decide", url_name="decide")
    def decide(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        item = self.get_object()
        body = DecideSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        item = reviews.decide_item(actor=self.principal, item=item, **body.validated_data)
        return Response(ItemSerializer(item).data)


def register(router: SimpleRouter) -> None:
    router.register(r"", AccessReviewScheduleViewSet, basename="access-review-schedule")
    router.register(r"access-reviews", AccessReviewViewSet, basename="access-review")
    router.register(r"access-review-items", AccessReviewItemViewSet, basename="access-review-item")
