"""Forms of the vault pages. They only validate input; the service functions do the writing."""

from __future__ import annotations

from django import forms
from django.conf import settings

from trustroom.vault.models import Document


class DocumentUploadForm(forms.Form):
    title = forms.CharField(
        label="Title",
        max_length=Document._meta.get_field("title").max_length,
        help_text="How the document is listed, e.g. “ISO/IEC 27001:2022 certificate”.",
    )
    file = forms.FileField(
        label="PDF file",
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["file"].help_text = (
            f"A PDF of at most {settings.TRUSTROOM_VAULT_MAX_UPLOAD_MB} MB, without a password. "
            "It is stored encrypted."
        )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        limit_mb = settings.TRUSTROOM_VAULT_MAX_UPLOAD_MB
        if upload.size > limit_mb * 1024 * 1024:  # refuse before reading it into memory
            raise forms.ValidationError(
                f"The file is {upload.size / 1024 / 1024:.1f} MB; at most {limit_mb} MB is allowed."
            )
        return upload
