"""API of the disclosure program under /api/v1/orgs/<org_slug>/:

disclosure-policy/ (GET the policy, PUT it whole), disclosure-reports/ (list with filters status,
validity, severity; read; actions triage/, status/, updates/, link-finding/, rewards/),
disclosure-rewards/ (list, read; status/ moves proposed → approved → paid). Viewsets validate input and
call the services; reports still waiting for the researcher's e-mail confirmation are not listed.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as DrfValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from trustroom.assessments.models import Application, Finding, Severity
from trustroom.disclosure import services
from trustroom.disclosure.models import (
    DisclosurePolicy,
    DisclosureReport,
    ReportStatus,
    ReportUpdate,
    RewardEntry,
    RewardStatus,
    Validity,
)
from trustroom.tenancy.api import OrgResourceViewSet, StrictInputMixin


class PolicySerializer(serializers.ModelSerializer):
    hosts = serializers.SerializerMethodField()

    class Meta:
        model = DisclosurePolicy
        fields = [
            "published",
            "contacts",
            "scope",
            "policy_text",
            "preferred_languages",
            "acknowledgments_url",
            "hiring_url",
            "rewards",
            "expires_at",
            "openpgp_key_id",
            "hosts",
            "updated_at",
        ]
        read_only_fields = fields

    def get_hosts(self, policy: DisclosurePolicy) -> list[str]:
        return services.hosts_of(policy.organization)


class PolicyInputSerializer(StrictInputMixin, serializers.Serializer):
    published = serializers.BooleanField()
    contacts = serializers.ListField(child=serializers.CharField(max_length=500), max_length=20)
    scope = serializers.CharField(allow_blank=True, required=False, default="", max_length=20000)
    policy_text = serializers.CharField(allow_blank=True, required=False, default="", max_length=20000)
    preferred_languages = serializers.ListField(
        child=serializers.CharField(max_length=35), required=False, default=list, max_length=40
    )
    acknowledgments_url = serializers.CharField(allow_blank=True, required=False, default="", max_length=500)
    hiring_url = serializers.CharField(allow_blank=True, required=False, default="", max_length=500)
    rewards = serializers.DictField(required=False, default=dict)
    expires_at = serializers.DateTimeField(required=False, default=None)
    hosts = serializers.ListField(child=serializers.CharField(max_length=300), required=False, max_length=40)
    openpgp_key_id = serializers.CharField(allow_blank=True, required=False, default="", max_length=64)


class PolicyViewSet(OrgResourceViewSet):
    policy_model = DisclosurePolicy
    serializer_class = PolicySerializer

    def policy_action(self, request: Request) -> str:
        return "view" if request.method in ("GET", "HEAD", "OPTIONS") else "change"

    def scoped_queryset(self) -> QuerySet[Any]:
        return DisclosurePolicy.objects.all()

    @extend_schema(summary="The disclosure policy", responses=PolicySerializer)
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        current = services.policy_or_none()
        if current is None:
            raise NotFound("No disclosure policy yet.")
        return Response(PolicySerializer(current).data)

    @extend_schema(
        summary="Create or replace the disclosure policy (whole)",
        request=PolicyInputSerializer,
        responses=PolicySerializer,
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = PolicyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        policy = services.update_policy(actor=self.principal, **data.validated_data)
        return Response(PolicySerializer(policy).data)


class UpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReportUpdate
        fields = ["id", "public", "body", "created_at"]
        read_only_fields = fields


class ReportSerializer(serializers.ModelSerializer):
    updates = UpdateSerializer(many=True, read_only=True)
    reward_eligible = serializers.SerializerMethodField()

    class Meta:
        model = DisclosureReport
        fields = [
            "id",
            "reporter_name",
            "reporter_email",
            "title",
            "description",
            "affected_asset",
            "steps",
            "severity_guess",
            "status",
            "validity",
            "duplicate_of",
            "severity",
            "finding",
            "triaged_at",
            "email_verified_at",
            "created_at",
            "updates",
            "reward_eligible",
        ]
        read_only_fields = fields

    def get_reward_eligible(self, report: DisclosureReport) -> bool:
        return services.reward_eligibility(report).eligible


class TriageSerializer(StrictInputMixin, serializers.Serializer):
    validity = serializers.ChoiceField(choices=[v.value for v in Validity if v])
    severity = serializers.ChoiceField(choices=Severity.values, required=False, default="")
    duplicate_of = serializers.IntegerField(required=False, allow_null=True, default=None)


class StatusSerializer(StrictInputMixin, serializers.Serializer):
    status = serializers.ChoiceField(choices=[s.value for s in ReportStatus if s != ReportStatus.UNVERIFIED])


class UpdateInputSerializer(StrictInputMixin, serializers.Serializer):
    body = serializers.CharField(max_length=10000)
    public = serializers.BooleanField()


class LinkFindingSerializer(StrictInputMixin, serializers.Serializer):
    application = serializers.IntegerField(required=False, allow_null=True, default=None)
    finding = serializers.IntegerField(required=False, allow_null=True, default=None)


class RewardSerializer(serializers.ModelSerializer):
    class Meta:
        model = RewardEntry
        fields = [
            "id",
            "report",
            "severity",
            "amount",
            "currency",
            "status",
            "note",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class RewardInputSerializer(StrictInputMixin, serializers.Serializer):
    amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True, default=None
    )
    currency = serializers.CharField(max_length=3, required=False, default="", allow_blank=True)
    note = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)


class RewardStatusSerializer(StrictInputMixin, serializers.Serializer):
    status = serializers.ChoiceField(choices=[RewardStatus.APPROVED.value, RewardStatus.PAID.value])


def _scoped(model: type[Any], pk: int | None, field: str) -> Any:
    if pk is None:
        return None
    found = model.objects.filter(pk=pk).first()
    if found is None:
        raise DrfValidationError({field: ["No such record in this organization."]})
    return found


class ReportsViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgResourceViewSet):
    serializer_class = ReportSerializer
    CHANGE_ACTIONS = ("triage", "set_status", "link_finding")

    def policy_action(self, request: Request) -> str:
        if self.action in self.CHANGE_ACTIONS:
            return "change"
        if self.action in ("add_update", "propose_reward"):
            return "view"  # the service checks "add" on the update or the reward
        return super().policy_action(request)

    def scoped_queryset(self) -> QuerySet[Any]:
        queryset = DisclosureReport.objects.exclude(status=ReportStatus.UNVERIFIED).prefetch_related(
            "updates"
        )
        for field in ("status", "validity", "severity"):
            value = self.request.query_params.get(field)
            if value:
                queryset = queryset.filter(**{field: value})
        return queryset

    def _done(self, report: DisclosureReport) -> Response:
        report = self.scoped_queryset().get(pk=report.pk)
        return Response(ReportSerializer(report).data)

    @extend_schema(request=TriageSerializer, responses=ReportSerializer)
    @action(detail=True, methods=["post"])
    def triage(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        report = self.get_object()
        data = TriageSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        duplicate = _scoped(DisclosureReport, data.validated_data["duplicate_of"], "duplicate_of")
        services.triage_report(
            actor=self.principal,
            report=report,
            validity=data.validated_data["validity"],
            severity=data.validated_data["severity"],
            duplicate_of=duplicate,
        )
        return self._done(report)

    @extend_schema(request=StatusSerializer, responses=ReportSerializer)
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        report = self.get_object()
        data = StatusSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.set_report_status(actor=self.principal, report=report, status=data.validated_data["status"])
        return self._done(report)

    @extend_schema(request=UpdateInputSerializer, responses=UpdateSerializer)
    @action(detail=True, methods=["post"], url_path="updates")
    def add_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        report = self.get_object()
        data = UpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        update = services.add_update(actor=self.principal, report=report, **data.validated_data)
        return Response(UpdateSerializer(update).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=LinkFindingSerializer, responses=ReportSerializer)
    @action(detail=True, methods=["post"], url_path="link-finding")
    def link_finding(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        report = self.get_object()
        data = LinkFindingSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.link_finding(
            actor=self.principal,
            report=report,
            application=_scoped(Application, data.validated_data["application"], "application"),
            finding=_scoped(Finding, data.validated_data["finding"], "finding"),
        )
        return self._done(report)

    @extend_schema(request=RewardInputSerializer, responses=RewardSerializer)
    @action(detail=True, methods=["post"], url_path="rewards")
    def propose_reward(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        report = self.get_object()
        data = RewardInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry = services.propose_reward(actor=self.principal, report=report, **data.validated_data)
        return Response(RewardSerializer(entry).data, status=status.HTTP_201_CREATED)


class RewardsViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgResourceViewSet):
    serializer_class = RewardSerializer

    def policy_action(self, request: Request) -> str:
        return "change" if self.action == "set_status" else super().policy_action(request)

    def scoped_queryset(self) -> QuerySet[Any]:
        return RewardEntry.objects.all()

    @extend_schema(request=RewardStatusSerializer, responses=RewardSerializer)
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        entry = self.get_object()
        data = RewardStatusSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry = services.set_reward_status(
            actor=self.principal, entry=entry, status=data.validated_data["status"]
        )
        return Response(RewardSerializer(entry).data)


def register(router: SimpleRouter) -> None:
    router.register(r"disclosure-policy", PolicyViewSet, basename="disclosure-policy")
    router.register(r"disclosure-reports", ReportsViewSet, basename="disclosure-reports")
    router.register(r"disclosure-rewards", RewardsViewSet, basename="disclosure-rewards")
