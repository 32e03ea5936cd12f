"""Reads of scanner imports (inside `org_scope`)."""

from __future__ import annotations

from django.db.models import QuerySet

from trustroom.assessments.models import FindingImport


def finding_imports() -> QuerySet[FindingImport]:
    related = ("application", "engagement", "created_by", "created_by_token")
    return FindingImport.objects.select_related(*related).order_by("-created_at", "-pk")
