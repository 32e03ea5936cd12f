"""Forms of the questionnaire pages. They only read input; the services validate and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from trustroom.answers.models import AnswerEntry, ItemStatus
from trustroom.answers.questionnaires.services import MAX_ANSWER_CHARS, MAX_UPLOAD_BYTES
from trustroom.tenancy.forms import add_service_errors

ACCEPTED_EXTENSIONS = (".csv", ".xlsx", ".json")
ACCEPTED_TYPES_LABEL = "CSV (.csv), Excel workbook (.xlsx) or Google VSAQ (.json)"


class DateInput(forms.DateInput):
    input_type = "date"


class QuestionnaireDetailsForm(forms.Form):
    title = forms.CharField(label="Title", max_length=200)
    customer = forms.CharField(
        label="Customer", max_length=200, required=False, help_text="Who sent it, e.g. Acme Bank."
    )
    due_on = forms.DateField(
        label="Due date", required=False, widget=DateInput, help_text="The UTC date the answers are due."
    )

    @classmethod
    def initial_for(cls, questionnaire: Any) -> dict[str, Any]:
        return {name: getattr(questionnaire, name) for name in cls.base_fields}


class QuestionnaireUploadForm(QuestionnaireDetailsForm):
    file = forms.FileField(
        label="Questionnaire file",
        help_text=f"{ACCEPTED_TYPES_LABEL}, at most {MAX_UPLOAD_BYTES // 1024 // 1024} MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ACCEPTED_EXTENSIONS)}),
    )
    field_order = ("file", "title", "customer", "due_on")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        title = self.fields["title"]
        title.required = False
        title.help_text = "Optional: the file's name is used when left empty."

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:  # refused before it is read into memory
            raise ValidationError(
                f"The file is {upload.size / 1024 / 1024:.1f} MB; at most "
                f"{MAX_UPLOAD_BYTES // 1024 // 1024} MB is allowed."
            )
        return upload


class ItemFilterForm(forms.Form):
    """Filters of the review page (GET). An unknown sheet or status is a form error, not ignored."""

    status = forms.ChoiceField(label="Status", required=False)
    sheet = forms.ChoiceField(label="Sheet", required=False)

    def __init__(self, *args: Any, sheets: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        status = self.fields["status"]
        sheet = self.fields["sheet"]
        assert isinstance(status, forms.ChoiceField)  # noqa: S101 - narrowing for mypy
        assert isinstance(sheet, forms.ChoiceField)  # noqa: S101
        status.choices = [("", "All statuses"), *ItemStatus.choices]
        named = [name for name in sheets if name]
        sheet.choices = [("", "All sheets"), *((name, name) for name in named)]
        if not named:
            del self.fields["sheet"]


SAVE_TO_BANK_CHOICES = [
    ("", "No: only this questionnaire"),
    ("update", "Update the cited bank answer (this question becomes one of its phrasings)"),
    ("new", "Save as a new bank entry"),
]


class ItemEditForm(forms.Form):
    answer = forms.CharField(
        label="Answer",
        max_length=MAX_ANSWER_CHARS,
        widget=forms.Textarea(attrs={"rows": 6, "cols": 80}),
        help_text="The first paragraph becomes the bank's short answer if you save it back.",
    )
    save_to_bank = forms.ChoiceField(
        label="Save back to the answer bank",
        choices=SAVE_TO_BANK_CHOICES,
        required=False,
        widget=forms.RadioSelect,
        initial="",
    )
    new_key = forms.SlugField(
        label="Key of the new entry",
        max_length=80,
        required=False,
        help_text="Lowercase words joined by hyphens, e.g. parental-leave. Only for a new entry.",
    )
    public = forms.BooleanField(label="Public: show the new entry in the trust center FAQ", required=False)

    def __init__(self, *args: Any, can_update: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not can_update:
            choice = self.fields["save_to_bank"]
            assert isinstance(choice, forms.ChoiceField)  # noqa: S101
            choice.choices = [c for c in SAVE_TO_BANK_CHOICES if c[0] != "update"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("save_to_bank") == "new" and not cleaned.get("new_key"):
            self.add_error("new_key", "Give the new entry a key, e.g. parental-leave.")
        return cleaned

    def add_service_errors(self, error: ValidationError) -> None:
        """The services name bank fields (`key`, `short_answer`): shown on this form's own fields."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        renamed = {"key": "new_key", "short_answer": "answer", "detailed_answer": "answer", "entry": None}
        for name, errors in error.error_dict.items():
            target = renamed.get(name, name)
            self.add_error(target if target in self.fields else None, errors)


class UseEntryForm(forms.Form):
    """Answer with a bank entry (e.g. the matcher's suggestion); only this organization's entries."""

    entry: forms.ModelChoiceField[AnswerEntry] = forms.ModelChoiceField(
        label="Bank answer", queryset=None, widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        entry = self.fields["entry"]
        assert isinstance(entry, forms.ModelChoiceField)  # noqa: S101
        entry.queryset = AnswerEntry.objects.all()  # built in the organization's scope


__all__ = [
    "ACCEPTED_EXTENSIONS",
    "ItemEditForm",
    "ItemFilterForm",
    "QuestionnaireDetailsForm",
    "QuestionnaireUploadForm",
    "UseEntryForm",
    "add_service_errors",
]
