"""API serializers of findings: the finding as read (status and SLA state computed at the request's
clock, context `now`), a manual finding's input, each transition's input and the list's filters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from trustroom.assessments.finding_filters import SLA_STATES
from trustroom.assessments.models import Application, Engagement, Finding, FindingStatus, Severity
from trustroom.assessments.serializers import (
    MemberUserField,
    NamedRefSerializer,
    OrgObjectField,
    UserRefSerializer,
)
from trustroom.assessments.state import effective_status, sla_state
from trustroom.tenancy.api import NULLABLE_EMAIL, StrictInputMixin, email_or_none


class FindingSerializer(serializers.ModelSerializer):
    application = NamedRefSerializer(read_only=True)
    engagement = NamedRefSerializer(read_only=True, allow_null=True)
    assignee = UserRefSerializer(read_only=True, allow_null=True)
    status = serializers.SerializerMethodField(
        help_text="As read now: an expired risk acceptance is reopened."
    )
    stored_status = serializers.ChoiceField(
        source="status", choices=FindingStatus.choices, read_only=True, help_text="As last recorded."
    )
    sla_state = serializers.SerializerMethodField()
    cvss_score = serializers.DecimalField(
        max_digits=3, decimal_places=1, coerce_to_string=False, read_only=True, allow_null=True
    )
    sla_policy_version = serializers.IntegerField(source="sla_policy.version", read_only=True)
    risk_accepted_by = serializers.SerializerMethodField()

    class Meta:
        model = Finding
        fields = [
            "id",
            "application",
            "engagement",
            "title",
            "description",
            "severity",
            "cvss_vector",
            "cvss_version",
            "cvss_score",
            "cwe_id",
            "asset",
            "status",
            "stored_status",
            "sla_state",
            "assignee",
            "evidence",
            "detected_at",
            "sla_policy_version",
            "due_at",
            "target_at",
            "fixed_at",
            "retest_due_at",
            "closed_at",
            "risk_reason",
            "risk_accepted_by",
            "risk_expires_at",
            "fingerprint",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def _now(self) -> datetime:
        now: datetime = self.context.get("now") or timezone.now()
        return now

    @extend_schema_field(serializers.ChoiceField(choices=FindingStatus.choices))
    def get_status(self, finding: Finding) -> str:
        return str(effective_status(finding, now=self._now()))

    @extend_schema_field(serializers.ChoiceField(choices=[(s, s) for s in SLA_STATES]))
    def get_sla_state(self, finding: Finding) -> str:
        return sla_state(finding, now=self._now())

    @extend_schema_field(NULLABLE_EMAIL)
    def get_risk_accepted_by(self, finding: Finding) -> str | None:
        return email_or_none(finding.risk_accepted_by)


class FindingCreateSerializer(StrictInputMixin, serializers.Serializer):
    """A finding recorded by hand (scanner results come through imports)."""

    application = OrgObjectField(Application, help_text="Application id.")
    engagement = OrgObjectField(
        Engagement, required=False, allow_null=True, default=None, help_text="Engagement id (same app)."
    )
    title = serializers.CharField(max_length=500)
    severity = serializers.ChoiceField(choices=Severity.choices)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    cvss_vector = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default="", help_text="CVSS 3.0, 3.1 or 4.0."
    )
    cwe_id = serializers.CharField(
        max_length=12,
        required=False,
        allow_blank=True,
        allow_null=True,
        default=None,
        help_text="79 or CWE-79.",
    )
    asset = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    assignee = MemberUserField(
        required=False, allow_null=True, default=None, help_text="User id of a member."
    )
    evidence = serializers.CharField(required=False, allow_blank=True, default="")
    detected_at = serializers.DateTimeField(
        required=False, allow_null=True, default=None, help_text="Default now; the SLA clock starts here."
    )


class FindingUpdateSerializer(FindingCreateSerializer):
    """An edit: PUT replaces every describing field (an omitted optional one becomes empty), PATCH
    changes only those it names. The application, detection time and assignee do not change here
    (assign/ reassigns); a new severity re-triages the deadlines from detection."""

    application = None  # type: ignore[assignment]
    assignee = None  # type: ignore[assignment]
    detected_at = None  # type: ignore[assignment]


class AssignSerializer(StrictInputMixin, serializers.Serializer):
    assignee = MemberUserField(allow_null=True, help_text="User id of a member; null unassigns.")


class RetestSerializer(StrictInputMixin, serializers.Serializer):
    passed = serializers.BooleanField(help_text="True closes the finding; false reopens it (same deadline).")
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class AcceptRiskSerializer(StrictInputMixin, serializers.Serializer):
    reason = serializers.CharField(max_length=5000)
    expires_at = serializers.DateTimeField(help_text="At most 365 days ahead; then it reads as reopened.")


class ReasonSerializer(StrictInputMixin, serializers.Serializer):
    reason = serializers.CharField(max_length=5000)


class ReopenSerializer(StrictInputMixin, serializers.Serializer):
    reason = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class FindingFilters(serializers.Serializer):
    application = serializers.IntegerField(required=False, min_value=1)
    engagement = serializers.IntegerField(required=False, min_value=1)
    severity = serializers.ChoiceField(choices=Severity.choices, required=False)
    status = serializers.ChoiceField(choices=FindingStatus.choices, required=False)
    sla_state = serializers.ChoiceField(choices=[(s, s) for s in SLA_STATES], required=False)
    assignee = serializers.RegexField(r"^([0-9]+|none)$", required=False, max_length=12)
    search = serializers.CharField(required=False, max_length=200)


def filter_parameters() -> list[Any]:
    """The list's query parameters for the OpenAPI schema."""
    from drf_spectacular.utils import OpenApiParameter

    return [
        OpenApiParameter("application", int, description="Only this application's findings."),
        OpenApiParameter("engagement", int, description="Only this engagement's findings."),
        OpenApiParameter("severity", str, enum=Severity.values, description="Only this severity."),
        OpenApiParameter(
            "status", str, enum=FindingStatus.values, description="Only this status as read now."
        ),
        OpenApiParameter("sla_state", str, enum=list(SLA_STATES), description="Only this SLA state now."),
        OpenApiParameter("assignee", str, description="A member's user id, or `none` for unassigned."),
        OpenApiParameter("search", str, description="Text in the title, asset, description or CWE."),
    ]
