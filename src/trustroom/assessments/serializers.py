"""API serializers of the VAPT programme: vendors, applications, engagements, SLA policy versions.

Output serializers are read-only; input serializers are strict (an unknown or read-only field is a 400)
and only validate shapes and ids: the services validate the rest. Related objects are taken by id from
the caller's organization only (the default managers are scoped), so another organization's id answers
"does not exist" on that field, exactly like a missing one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from trustroom.assessments.models import (
    Application,
    Cadence,
    Criticality,
    Engagement,
    EngagementStatus,
    ScopeArea,
    SlaPolicy,
    Vendor,
)
from trustroom.assessments.services import SLA_HOUR_FIELDS
from trustroom.assessments.state import VaptSchedule
from trustroom.tenancy.api import StrictInputMixin
from trustroom.tenancy.selectors import members_of
from trustroom.vault.models import Document

# --- Fields shared by the programme and findings -------------------------------------------------------


@extend_schema_field(OpenApiTypes.INT)
class OrgObjectField(serializers.PrimaryKeyRelatedField):
    """An object of the caller's organization by id (the model's scoped manager sees no other)."""

    def __init__(self, model: type[Any], **kwargs: Any) -> None:
        self.model = model
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet[Any]:
        return self.model._default_manager.all()


@extend_schema_field(OpenApiTypes.INT)
class MemberUserField(serializers.PrimaryKeyRelatedField):
    """A member of the organization, by user id."""

    def get_queryset(self) -> QuerySet[Any]:
        organization = getattr(self.context.get("view"), "organization", None)
        if organization is None:
            return get_user_model().objects.none()
        return get_user_model().objects.filter(
            pk__in=members_of(organization).values_list("user_id", flat=True)
        )


class NamedRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class DocumentRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)


class UserRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    email = serializers.EmailField(read_only=True)


# --- Vendors ------------------------------------------------------------------------------------------


class VendorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Vendor
        fields = ["id", "name", "accreditation", "contacts", "created_at"]
        read_only_fields = fields


class VendorWriteSerializer(StrictInputMixin, serializers.Serializer):
    name = serializers.CharField(max_length=200)
    accreditation = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default="", help_text="E.g. CERT-In empanelment."
    )
    contacts = serializers.CharField(required=False, allow_blank=True, default="")


# --- Applications -------------------------------------------------------------------------------------


class ApplicationSerializer(serializers.ModelSerializer):
    """`last_tested_at` … `safe_to_host_reasons` are computed when read, from the view's clock and the
    states it read for the whole page (context `states`: application id → (schedule, safe, reasons))."""

    last_tested_at = serializers.SerializerMethodField()
    next_test_due_at = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()
    safe_to_host = serializers.SerializerMethodField()
    safe_to_host_reasons = serializers.SerializerMethodField()

    class Meta:
        model = Application
        fields = [
            "id",
            "name",
            "description",
            "criticality",
            "test_cadence",
            "last_tested_at",
            "next_test_due_at",
            "overdue",
            "safe_to_host",
            "safe_to_host_reasons",
            "created_at",
        ]
        read_only_fields = fields

    def _state(self, application: Application) -> tuple[VaptSchedule, bool, list[str]]:
        state: tuple[VaptSchedule, bool, list[str]] = self.context["states"][application.pk]
        return state

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_last_tested_at(self, application: Application) -> datetime | None:
        return self._state(application)[0].last_tested_at

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_next_test_due_at(self, application: Application) -> datetime:
        return self._state(application)[0].next_due_at

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_overdue(self, application: Application) -> bool:
        return self._state(application)[0].overdue

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_safe_to_host(self, application: Application) -> bool:
        return self._state(application)[1]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_safe_to_host_reasons(self, application: Application) -> list[str]:
        return self._state(application)[2]


class ApplicationWriteSerializer(StrictInputMixin, serializers.Serializer):
    name = serializers.CharField(max_length=200)
    criticality = serializers.ChoiceField(choices=Criticality.choices)
    test_cadence = serializers.ChoiceField(
        choices=Cadence.choices,
        required=False,
        allow_null=True,
        default=None,
        help_text="Omitted: twice a year for critical applications, yearly for the others.",
    )
    description = serializers.CharField(required=False, allow_blank=True, default="")


# --- Engagements --------------------------------------------------------------------------------------

# The statuses an edit may set (named for the OpenAPI enum); completion is its own action.
ENGAGEMENT_PLAN_STATUSES = (EngagementStatus.PLANNED.value, EngagementStatus.IN_PROGRESS.value)


class EngagementSerializer(serializers.ModelSerializer):
    vendor = NamedRefSerializer(read_only=True)
    application = NamedRefSerializer(read_only=True)
    report_documents = DocumentRefSerializer(many=True, read_only=True)
    scope_areas = serializers.ListField(
        child=serializers.ChoiceField(choices=ScopeArea.choices), read_only=True
    )

    class Meta:
        model = Engagement
        fields = [
            "id",
            "name",
            "vendor",
            "application",
            "window_start",
            "window_end",
            "scope_areas",
            "status",
            "completed_at",
            "report_documents",
            "created_at",
        ]
        read_only_fields = fields


def _documents_field() -> Any:
    return OrgObjectField(
        Document, many=True, required=False, help_text="Ids of reports stored in the organization's vault."
    )


class EngagementUpdateSerializer(StrictInputMixin, serializers.Serializer):
    """The plan of an engagement; vendor and application are fixed once it is recorded."""

    name = serializers.CharField(max_length=200)
    window_start = serializers.DateTimeField()
    window_end = serializers.DateTimeField()
    scope_areas = serializers.ListField(
        child=serializers.ChoiceField(choices=ScopeArea.choices), required=False, max_length=20
    )
    report_documents = _documents_field()
    status = serializers.ChoiceField(
        choices=ENGAGEMENT_PLAN_STATUSES,
        required=False,
        help_text="Planned or in progress; complete an engagement with its `complete` action.",
    )


class EngagementCreateSerializer(EngagementUpdateSerializer):
    vendor = OrgObjectField(Vendor, help_text="Vendor id.")
    application = OrgObjectField(Application, help_text="Application id.")
    status = None  # type: ignore[assignment]  # a new engagement is planned


class EngagementCompleteSerializer(StrictInputMixin, serializers.Serializer):
    window_end = serializers.DateTimeField(
        required=False, help_text="When testing actually ended (default: the planned end)."
    )
    report_documents = OrgObjectField(
        Document, many=True, required=False, help_text="Report ids to add (those attached stay)."
    )


# --- SLA policy ---------------------------------------------------------------------------------------


class SlaPolicySerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="Null: the default version, not yet recorded."
    )
    created_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = SlaPolicy
        fields = ["id", "version", "effective_from", *SLA_HOUR_FIELDS, "created_at"]
        read_only_fields = fields


class SlaPolicyCreateSerializer(StrictInputMixin, serializers.Serializer):
    effective_from = serializers.DateTimeField(
        required=False, help_text="When it starts to apply to new findings (default now; not in the past)."
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        for name in SLA_HOUR_FIELDS:
            fields[name] = serializers.IntegerField(
                required=False, min_value=1, help_text="Hours; omitted: copied from the version in force."
            )
        return fields
