"""Reads of scanner imports (inside `org_scope`)."""

from __future__ import annotations

from django.db.models import QuerySet

from trustroom.assessments.models import FindingImport


def finding_imports() -> QuerySet[FindingImport]:
    return FindingImport.objects.select_related("application", "engagement", "created_by").order_by(
        "-created_at", "-pk"
    )
