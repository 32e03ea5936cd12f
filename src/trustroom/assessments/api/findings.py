"""API of findings, under /api/v1/orgs/<org_slug>/findings/: list (filters on the status and SLA state
as read now, in SQL), a manual finding, an edit (PUT/PATCH of what describes it; a new severity
re-triages the deadlines from detection under the finding's own SLA policy version), and the
transitions assign/, fix/, retest/, accept-risk/, false-positive/ and reopen/. The viewset validates
input and calls `trustroom.assessments.services`.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from trustroom.assessments import services
from trustroom.assessments.api.common import ProgrammeViewSet, query_filters
from trustroom.assessments.finding_filters import with_effective_status, with_sla_state
from trustroom.assessments.models import Finding
from trustroom.assessments.serializers_findings import (
    AcceptRiskSerializer,
    AssignSerializer,
    FindingCreateSerializer,
    FindingFilters,
    FindingSerializer,
    FindingUpdateSerializer,
    ReasonSerializer,
    ReopenSerializer,
    RetestSerializer,
    filter_parameters,
)

EDITABLE = (
    "title",
    "description",
    "severity",
    "cvss_vector",
    "cwe_id",
    "asset",
    "evidence",
    "engagement",
)


def _transition(summary: str, request: Any = None) -> Any:
    return extend_schema(summary=summary, request=request, responses=FindingSerializer)


@extend_schema_view(
    list=extend_schema(
        summary="List findings (status and SLA state computed when read)", parameters=filter_parameters()
    ),
    retrieve=extend_schema(summary="One finding"),
    create=extend_schema(
        summary="Record a finding by hand (deadlines fixed now from the SLA policy in force)",
        request=FindingCreateSerializer,
        responses={201: FindingSerializer},
    ),
    update=extend_schema(
        summary="Replace what describes a finding (a new severity recomputes its deadlines from detection)",
        request=FindingUpdateSerializer,
        responses=FindingSerializer,
    ),
    partial_update=extend_schema(
        summary="Change some of what describes a finding (the fields not given keep their value)",
        request=FindingUpdateSerializer,
        responses=FindingSerializer,
    ),
    assign=_transition("Assign the finding to a member (or unassign)", AssignSerializer),
    fix=_transition("Mark fixed: the SLA clock stops and the vendor's retest is due within 30 days"),
    retest=_transition("Record the vendor's retest: passed closes, failed reopens", RetestSerializer),
    accept_risk=_transition(
        "Accept the risk until an expiry (owners and admins; API tokens cannot)", AcceptRiskSerializer
    ),
    false_positive=_transition("Mark as a false positive", ReasonSerializer),
    reopen=_transition("Reopen a closed, false-positive or risk-accepted finding", ReopenSerializer),
)
class FindingsViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ProgrammeViewSet):
    policy_model = Finding
    serializer_class = FindingSerializer
    change_actions = frozenset({"assign", "fix", "retest", "accept_risk", "false_positive", "reopen"})

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        self.now = timezone.now()  # one clock for the filters and every row of the response

    def get_serializer_context(self) -> dict[str, Any]:
        return super().get_serializer_context() | {"now": getattr(self, "now", None)}

    def scoped_queryset(self) -> QuerySet[Any]:
        # Applications and SLA policies come in their own small queries, not as inner joins: under
        # row-level security an inner join to a table filtered to one organization makes PostgreSQL
        # underestimate the findings it keeps (it assumes the organizations are unrelated), so it sorted
        # every open finding instead of reading the newest in index order (bench/scale.py: 83 ms → 6 ms).
        queryset = Finding.objects.select_related("engagement", "assignee", "risk_accepted_by")
        queryset = queryset.prefetch_related("application", "sla_policy")
        if self.action == "list":
            queryset = self._filtered(queryset, query_filters(self.request, FindingFilters))
        return queryset

    def _filtered(self, queryset: QuerySet[Finding], filters: dict[str, Any]) -> QuerySet[Finding]:
        for name in ("application", "engagement", "severity"):
            if name in filters:
                queryset = queryset.filter(**{name: filters[name]})
        assignee = filters.get("assignee")
        if assignee == "none":
            queryset = queryset.filter(assignee__isnull=True)
        elif assignee:
            queryset = queryset.filter(assignee_id=int(assignee))
        if "status" in filters:
            queryset = with_effective_status(queryset, filters["status"], now=self.now)
        if "sla_state" in filters:
            queryset = with_sla_state(queryset, filters["sla_state"], now=self.now)
        search = (filters.get("search") or "").strip()
        if search:
            text = Q(title__icontains=search) | Q(asset__icontains=search) | Q(description__icontains=search)
            cwe = search.upper().removeprefix("CWE-")
            if cwe.isdigit():
                text |= Q(cwe_id=int(cwe))
            queryset = queryset.filter(text)
        return queryset

    def _fresh(self, finding: Finding, code: int = status.HTTP_200_OK) -> Response:
        finding = self.scoped_queryset().get(pk=finding.pk)
        return Response(FindingSerializer(finding, context=self.get_serializer_context()).data, status=code)

    def _body(self, serializer_class: type[Any]) -> dict[str, Any]:
        body = serializer_class(data=self.request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        return dict(body.validated_data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        finding = services.create_finding(actor=self.principal, **self._body(FindingCreateSerializer))
        return self._fresh(finding, status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        finding = self.get_object()
        body = FindingUpdateSerializer(
            data=request.data, partial=kwargs.get("partial", False), context=self.get_serializer_context()
        )
        body.is_valid(raise_exception=True)
        given = body.validated_data
        # The service takes every field: what a PATCH does not name keeps its stored value.
        values = {name: given[name] if name in given else getattr(finding, name) for name in EDITABLE}
        finding = services.update_finding(actor=self.principal, finding=finding, **values)
        return self._fresh(finding)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.update(request, *args, partial=True, **kwargs)

    @action(detail=True, methods=["post"])
    def assign(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        finding = self.get_object()
        finding = services.assign_finding(
            actor=self.principal, finding=finding, **self._body(AssignSerializer)
        )
        return self._fresh(finding)

    @action(detail=True, methods=["post"])
    def fix(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        finding = services.mark_fixed(actor=self.principal, finding=self.get_object(), now=self.now)
        return self._fresh(finding)

    @action(detail=True, methods=["post"])
    def retest(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        finding = self.get_object()
        values = self._body(RetestSerializer)
        finding = services.record_retest(actor=self.principal, finding=finding, now=self.now, **values)
        return self._fresh(finding)

    @action(detail=True, methods=["post"], url_path="accept-risk")
    def accept_risk(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        finding = self.get_object()
        values = self._body(AcceptRiskSerializer)
        finding = services.accept_risk(actor=self.principal, finding=finding, now=self.now, **values)
        return self._fresh(finding)

    @action(detail=True, methods=["post"], url_path="false-positive")
    def false_positive(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        finding = self.get_object()
        values = self._body(ReasonSerializer)
        finding = services.mark_false_positive(actor=self.principal, finding=finding, now=self.now, **values)
        return self._fresh(finding)

    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        finding = self.get_object()
        values = self._body(ReopenSerializer)
        finding = services.reopen_finding(actor=self.principal, finding=finding, now=self.now, **values)
        return self._fresh(finding)


def register(router: SimpleRouter) -> None:
    router.register(r"findings", FindingsViewSet, basename="finding")
