"""Forms of the answer bank's pages. They only read and shape input; `answers.services` validates and
writes (its field errors are shown on these forms by `add_service_errors`)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from trustroom.answers.models import EVIDENCE_FIELDS, AnswerEntry, AnswerVisibility
from trustroom.answers.services import EVIDENCE_MODELS
from trustroom.answers.state import FreshnessState
from trustroom.tenancy.models import Organization
from trustroom.tenancy.selectors import members_of

EVIDENCE_KIND_LABELS = {
    "statement": "Compliance statement",
    "certification": "Certification or report",
    "sla_policy": "SLA policy version",
    "application": "Application (safe to host)",
}


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name} <{obj.email}>" if getattr(obj, "full_name", "") else obj.email


def members(organization: Organization) -> QuerySet[Any]:
    return (
        get_user_model()
        .objects.filter(pk__in=members_of(organization).values_list("user_id", flat=True))
        .order_by("email")
    )


class BankFilterForm(forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Key, question, variant, answer"}),
    )
    tag = forms.ChoiceField(label="Tag", required=False)
    visibility = forms.ChoiceField(
        label="Visibility", required=False, choices=[("", "Any visibility"), *AnswerVisibility.choices]
    )
    freshness = forms.ChoiceField(
        label="Freshness", required=False, choices=[("", "Any freshness"), *FreshnessState.choices]
    )

    def __init__(self, *args: Any, organization: Organization, tags: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        tag_field = cast(forms.ChoiceField, self.fields["tag"])
        tag_field.choices = [("", "Any tag"), *((tag, tag) for tag in tags)]
        self.fields["owner"] = MemberChoiceField(
            queryset=members(organization), required=False, label="Owner", empty_label="Any owner"
        )


class EntryForm(forms.Form):
    key = forms.CharField(
        label="Key",
        max_length=80,
        help_text="Stable identifier cited by questionnaire answers: letters, digits and hyphens, "
        "e.g. encryption-at-rest.",
    )
    question = forms.CharField(label="Question", max_length=500, help_text="The main phrasing.")
    variants = forms.CharField(
        label="Other phrasings",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One per line: how customers' questionnaires ask the same thing.",
    )
    short_answer = forms.CharField(
        label="Short answer",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="At most 300 characters: what goes into a questionnaire's answer cell.",
    )
    detailed_answer = forms.CharField(
        label="Detailed answer", required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    tags = forms.CharField(
        label="Tags", required=False, max_length=1000, help_text="Comma-separated, e.g. encryption, storage."
    )
    visibility = forms.ChoiceField(
        label="Visibility",
        choices=AnswerVisibility.choices,
        initial=AnswerVisibility.PRIVATE,
        help_text="Public answers appear in the trust center's Security FAQ while what backs them is "
        "current.",
    )
    next_review_on = forms.DateField(
        label="Next review (UTC date)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="After this day the answer shows as review due.",
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"] = MemberChoiceField(
            queryset=members(organization),
            required=False,
            label="Owner",
            help_text="The member who keeps this answer current.",
        )
        self.order_fields(
            ["key", "question", "variants", "short_answer", "detailed_answer", "tags", "visibility", "owner"]
        )

    @staticmethod
    def initial_for(entry: AnswerEntry) -> dict[str, Any]:
        return {
            "key": entry.key,
            "question": entry.question,
            "variants": "\n".join(entry.variants or []),
            "short_answer": entry.short_answer,
            "detailed_answer": entry.detailed_answer,
            "tags": ", ".join(entry.tags or []),
            "visibility": entry.visibility,
            "owner": entry.owner_id,
            "next_review_on": entry.next_review_on,
        }


def _record_label(kind: str, record: Any) -> str:
    if kind == "certification":
        from trustroom.compliance.state import certification_state

        return f"{record.title} ({certification_state(record).label.lower()})"
    if kind == "statement":
        return f"{record.framework} ({record.get_status_display().lower()})"
    if kind == "sla_policy":
        return f"{record} (in force from {record.effective_from:%Y-%m-%d})"
    return str(record)


def record_choices(kind: str, *, exclude: set[int] | None = None) -> list[tuple[str, str]]:
    """The organization's records of one kind, as (id, label), without those in `exclude`."""
    model = EVIDENCE_MODELS[kind]
    records = model._default_manager.all()
    if kind == "statement":
        records = records.select_related("framework").order_by("framework__name")
    elif kind == "sla_policy":
        records = records.order_by("-effective_from")
    elif kind == "certification":
        records = records.order_by("title", "-valid_from")
    else:
        records = records.order_by("name")
    return [(str(r.pk), _record_label(kind, r)) for r in records if r.pk not in (exclude or set())]


class EvidenceKindForm(forms.Form):
    """Step one (GET): which kind of record backs the answer."""

    kind = forms.ChoiceField(
        label="Kind of record", choices=[(k, EVIDENCE_KIND_LABELS[k]) for k in EVIDENCE_FIELDS]
    )


class EvidenceForm(forms.Form):
    """Step two (POST): the record of that kind (the organization's own, not yet linked)."""

    kind = forms.ChoiceField(choices=[(k, EVIDENCE_KIND_LABELS[k]) for k in EVIDENCE_FIELDS])
    record = forms.ChoiceField(label="Record")

    def __init__(self, *args: Any, kind: str, linked: set[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.record_kind = kind
        self.fields["kind"].widget = forms.HiddenInput()
        self.fields["kind"].initial = kind
        record_field = cast(forms.ChoiceField, self.fields["record"])
        record_field.label = EVIDENCE_KIND_LABELS[kind]
        record_field.choices = [("", "Choose one"), *record_choices(kind, exclude=linked)]

    def record_object(self) -> Any:
        """The chosen record (the choices only hold the organization's records)."""
        model = EVIDENCE_MODELS[self.record_kind]
        return model._default_manager.get(pk=int(self.cleaned_data["record"]))
