"""API of the VAPT programme, under /api/v1/orgs/<org_slug>/:

vendors/, applications/ (next test due, overdue and safe to host computed when read), engagements/
(with a complete/ action) and sla-policies/ (versions; POST publishes a new one; current/ is the one in
force now). The viewsets validate input and call `trustroom.assessments.services`.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from trustroom.assessments import selectors, services
from trustroom.assessments.api.common import ProgrammeViewSet, query_filters
from trustroom.assessments.models import (
    Application,
    Criticality,
    Engagement,
    EngagementStatus,
    SlaPolicy,
    Vendor,
)
from trustroom.assessments.serializers import (
    ApplicationSerializer,
    ApplicationWriteSerializer,
    EngagementCompleteSerializer,
    EngagementCreateSerializer,
    EngagementSerializer,
    EngagementUpdateSerializer,
    SlaPolicyCreateSerializer,
    SlaPolicySerializer,
    VendorSerializer,
    VendorWriteSerializer,
)

# A refused delete answers 400 with the reasons under "__all__"; nothing is deleted.
DELETE_RESPONSES = {204: None, 400: OpenApiResponse(description="Refused: the reasons, under __all__.")}


def _merged(instance: Any, validated: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """A PATCH changes what it names; the rest keeps its current value (the services take it all)."""
    return {name: validated[name] if name in validated else getattr(instance, name) for name in names}


# --- Vendors ------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List VAPT vendors"),
    retrieve=extend_schema(summary="One vendor"),
    create=extend_schema(
        summary="Add a vendor", request=VendorWriteSerializer, responses={201: VendorSerializer}
    ),
    update=extend_schema(
        summary="Replace a vendor", request=VendorWriteSerializer, responses=VendorSerializer
    ),
    partial_update=extend_schema(
        summary="Change a vendor", request=VendorWriteSerializer, responses=VendorSerializer
    ),
    destroy=extend_schema(
        summary="Delete a vendor entered by mistake (refused, 400, while engagements were held with it)",
        responses=DELETE_RESPONSES,
    ),
)
class VendorsViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ProgrammeViewSet):
    policy_model = Vendor
    serializer_class = VendorSerializer

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = VendorWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        vendor = services.create_vendor(actor=self.principal, **body.validated_data)
        return Response(VendorSerializer(vendor).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        vendor = self.get_object()
        partial = kwargs.get("partial", False)
        body = VendorWriteSerializer(data=request.data, partial=partial)
        body.is_valid(raise_exception=True)
        values = _merged(vendor, body.validated_data, ("name", "accreditation", "contacts"))
        vendor = services.update_vendor(actor=self.principal, vendor=vendor, **values)
        return Response(VendorSerializer(vendor).data)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.update(request, *args, partial=True, **kwargs)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.delete_vendor(actor=self.principal, vendor=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Applications -------------------------------------------------------------------------------------


class ApplicationFilters(serializers.Serializer):
    criticality = serializers.ChoiceField(choices=Criticality.choices, required=False)


def application_states(applications: list[Application]) -> dict[int, Any]:
    """Schedule and safe to host of each application on the page, read in bulk (see the selector)."""
    states = selectors.application_states(applications)
    return {s.application.pk: (s.schedule, s.safe_to_host, s.reasons) for s in states}


@extend_schema_view(
    list=extend_schema(
        summary="List applications (next test due, overdue and safe to host computed when read)",
        parameters=[
            OpenApiParameter(
                "criticality", str, enum=Criticality.values, description="Only this criticality."
            )
        ],
    ),
    retrieve=extend_schema(summary="One application"),
    create=extend_schema(
        summary="Add an application",
        request=ApplicationWriteSerializer,
        responses={201: ApplicationSerializer},
    ),
    update=extend_schema(
        summary="Replace an application", request=ApplicationWriteSerializer, responses=ApplicationSerializer
    ),
    partial_update=extend_schema(
        summary="Change an application", request=ApplicationWriteSerializer, responses=ApplicationSerializer
    ),
    destroy=extend_schema(
        summary="Delete an application entered by mistake (refused, 400, while it has engagements, "
        "findings, scanner imports or a trust center publication)",
        responses=DELETE_RESPONSES,
    ),
)
class ApplicationsViewSet(ProgrammeViewSet):
    policy_model = Application
    serializer_class = ApplicationSerializer

    def scoped_queryset(self) -> QuerySet[Any]:
        queryset = selectors.applications_with_last_test()
        if self.action == "list":
            queryset = queryset.filter(**query_filters(self.request, ApplicationFilters))
        return queryset

    def _render(self, applications: list[Application], **kwargs: Any) -> Any:
        context = self.get_serializer_context() | {"states": application_states(applications)}
        return ApplicationSerializer(applications, context=context, **kwargs).data

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self._render(list(page or []), many=True))

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(self._render([self.get_object()], many=True)[0])

    def _fresh(self, application: Application, code: int = status.HTTP_200_OK) -> Response:
        application = self.scoped_queryset().get(pk=application.pk)
        return Response(self._render([application], many=True)[0], status=code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = ApplicationWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        application = services.create_application(actor=self.principal, **body.validated_data)
        return self._fresh(application, status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        application = self.get_object()
        partial = kwargs.get("partial", False)
        body = ApplicationWriteSerializer(data=request.data, partial=partial)
        body.is_valid(raise_exception=True)
        values = _merged(
            application, body.validated_data, ("name", "criticality", "test_cadence", "description")
        )
        application = services.update_application(actor=self.principal, application=application, **values)
        return self._fresh(application)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.update(request, *args, partial=True, **kwargs)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.delete_application(actor=self.principal, application=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Engagements --------------------------------------------------------------------------------------


class EngagementFilters(serializers.Serializer):
    application = serializers.IntegerField(required=False, min_value=1)
    vendor = serializers.IntegerField(required=False, min_value=1)
    status = serializers.ChoiceField(choices=EngagementStatus.choices, required=False)


@extend_schema_view(
    list=extend_schema(
        summary="List engagements (newest window first)",
        parameters=[
            OpenApiParameter("application", int, description="Only this application's."),
            OpenApiParameter("vendor", int, description="Only this vendor's."),
            OpenApiParameter("status", str, enum=EngagementStatus.values, description="Only this status."),
        ],
    ),
    retrieve=extend_schema(summary="One engagement"),
    create=extend_schema(
        summary="Plan an engagement (one application, one vendor)",
        request=EngagementCreateSerializer,
        responses={201: EngagementSerializer},
    ),
    update=extend_schema(
        summary="Replace an engagement's plan",
        request=EngagementUpdateSerializer,
        responses=EngagementSerializer,
    ),
    partial_update=extend_schema(
        summary="Change an engagement's plan",
        request=EngagementUpdateSerializer,
        responses=EngagementSerializer,
    ),
    destroy=extend_schema(
        summary="Delete an engagement entered by mistake (refused, 400, once completed or while findings "
        "or scanner imports point at it)",
        responses=DELETE_RESPONSES,
    ),
    complete=extend_schema(
        summary="Mark the engagement completed (the application's cadence counts from its end)",
        request=EngagementCompleteSerializer,
        responses=EngagementSerializer,
    ),
)
class EngagementsViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ProgrammeViewSet):
    """PUT and PATCH change what they give; scope areas and reports not given stay as they are."""

    policy_model = Engagement
    serializer_class = EngagementSerializer
    change_actions = frozenset({"complete"})

    def scoped_queryset(self) -> QuerySet[Any]:
        queryset = Engagement.objects.select_related("vendor", "application").prefetch_related(
            "report_documents"
        )
        if self.action == "list":
            filters = query_filters(self.request, EngagementFilters)
            for name in ("application", "vendor"):
                if name in filters:
                    filters[f"{name}_id"] = filters.pop(name)
            queryset = queryset.filter(**filters)
        return queryset

    def _fresh(self, engagement: Engagement, code: int = status.HTTP_200_OK) -> Response:
        engagement = self.scoped_queryset().get(pk=engagement.pk)
        return Response(EngagementSerializer(engagement).data, status=code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = EngagementCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        engagement = services.create_engagement(actor=self.principal, **body.validated_data)
        return self._fresh(engagement, status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        engagement = self.get_object()
        partial = kwargs.get("partial", False)
        body = EngagementUpdateSerializer(data=request.data, partial=partial)
        body.is_valid(raise_exception=True)
        given = body.validated_data
        values = _merged(engagement, given, ("name", "window_start", "window_end", "scope_areas"))
        values["report_documents"] = (
            given["report_documents"] if "report_documents" in given else engagement.report_documents.all()
        )
        if "status" in given:
            values["status"] = given["status"]
        engagement = services.update_engagement(actor=self.principal, engagement=engagement, **values)
        return self._fresh(engagement)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.update(request, *args, partial=True, **kwargs)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.delete_engagement(actor=self.principal, engagement=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @action(detail=True, methods=["post"])
    def complete(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        engagement = self.get_object()
        body = EngagementCompleteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        engagement = services.complete_engagement(
            actor=self.principal, engagement=engagement, **body.validated_data
        )
        return self._fresh(engagement)


# --- SLA policy ---------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List SLA policy versions (newest first)"),
    retrieve=extend_schema(summary="One SLA policy version"),
    create=extend_schema(
        summary="Publish a new SLA policy version (owners and admins); findings keep their deadlines",
        request=SlaPolicyCreateSerializer,
        responses={201: SlaPolicySerializer},
    ),
    current=extend_schema(
        summary="The version in force now (id null: the default, recorded with the first finding)",
        responses=SlaPolicySerializer,
    ),
)
class SlaPoliciesViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ProgrammeViewSet):
    policy_model = SlaPolicy
    serializer_class = SlaPolicySerializer

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = SlaPolicyCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        policy = services.create_sla_policy_version(actor=self.principal, **body.validated_data)
        return Response(SlaPolicySerializer(policy).data, status=status.HTTP_201_CREATED)

    @action(detail=False, methods=["get"])
    def current(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # Read only: `services.policy_in_force` would record the default version, a write on a GET.
        now = timezone.now()
        policy = selectors.stored_policy_in_force(now) or SlaPolicy(
            version=1, effective_from=services.DEFAULT_POLICY_EFFECTIVE_FROM
        )
        return Response(SlaPolicySerializer(policy).data)


def register(router: SimpleRouter) -> None:
    router.register(r"vendors", VendorsViewSet, basename="vendor")
    router.register(r"applications", ApplicationsViewSet, basename="application")
    router.register(r"engagements", EngagementsViewSet, basename="engagement")
    router.register(r"sla-policies", SlaPoliciesViewSet, basename="sla-policy")
