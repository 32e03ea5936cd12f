"""The upload form of a scanner import (querysets are the current organization's: build it in scope)."""

from __future__ import annotations

from typing import Any

from django import forms

from trustroom.assessments.importers import FORMATS
from trustroom.assessments.models import Application, Engagement

FORMAT_LABELS = {
    "sarif": "SARIF 2.1 (CodeQL, Semgrep, and others)",
    "zap-xml": "OWASP ZAP, XML report",
    "zap-json": "OWASP ZAP, JSON report",
    "burp-xml": "Burp Suite, XML issues export",
    "nessus": "Nessus (.nessus)",
    "trivy": "Trivy JSON",
    "nuclei-jsonl": "Nuclei JSON lines",
    "nuclei-json": "Nuclei JSON array",
    "semgrep": "Semgrep JSON",
}
FORMAT_CHOICES = [("auto", "Detect from the file"), *((f, FORMAT_LABELS.get(f, f)) for f in FORMATS)]


class EngagementChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.application.name})"


class FindingImportForm(forms.Form):
    # The real querysets are set per instance, inside the organization's scope.
    application: forms.ModelChoiceField[Application] = forms.ModelChoiceField(
        label="Application", queryset=None, empty_label="Choose an application"
    )
    format = forms.ChoiceField(label="Report format", choices=FORMAT_CHOICES, initial="auto")
    engagement = EngagementChoiceField(
        label="Engagement",
        queryset=None,
        required=False,
        empty_label="None",
        help_text="Optional: the VAPT engagement the new findings belong to (of the same application).",
    )
    close_missing = forms.BooleanField(
        label="This is a full scan: close this scanner's open findings that are not in the report",
        required=False,
    )
    file = forms.FileField(label="Report file", help_text="The report as the scanner exported it.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        application = self.fields["application"]
        engagement = self.fields["engagement"]
        assert isinstance(application, forms.ModelChoiceField)  # noqa: S101 - narrowing for mypy
        assert isinstance(engagement, forms.ModelChoiceField)  # noqa: S101
        application.queryset = Application.objects.order_by("name")
        engagement.queryset = Engagement.objects.select_related("application").order_by("-window_start")
