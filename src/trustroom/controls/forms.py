from __future__ import annotations

from typing import Any

from django import forms

from trustroom.controls.models import EvidenceKind
from trustroom.vault.models import Document


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind", choices=[(EvidenceKind.LINK, "Link"), (EvidenceKind.FILE, "File in the vault")]
    )
    url = forms.URLField(label="Link", required=False, max_length=500, assume_scheme="https")
    document: forms.ModelChoiceField[Document] = forms.ModelChoiceField(
        label="Document from the vault", required=False, queryset=Document._base_manager.none()
    )
    effective_at = forms.DateTimeField(
        label="Effective from (UTC)", required=False, help_text="Empty: now. Example: 2026-03-01 09:00."
    )
    expires_at = forms.DateTimeField(
        label="Expires (UTC)", required=False, help_text="Empty: the control's freshness window."
    )
    note = forms.CharField(
        label="Note", required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["document"].queryset = Document.objects.all()  # type: ignore[attr-defined]


class SnapshotForm(forms.Form):
    snapshot = forms.FileField(label="AWS Config snapshot (JSON)")
