"""Answer bank: one organization's reviewed answers to security questions.

Entries marked public form the trust center's FAQ (later); every entry feeds questionnaire answering.
An entry links to the records that back it (`AnswerEvidence`); whether it is fresh, due for review or
stale is computed when read (`trustroom.answers.state`), never stored.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q

from trustroom.tenancy.models import OrgOwnedModel


class AnswerVisibility(models.TextChoices):
    PUBLIC = "public", "Public (trust center FAQ)"
    PRIVATE = "private", "Private"


class AnswerEntry(OrgOwnedModel):
    key = models.SlugField(max_length=80, help_text="Stable identifier, e.g. data-encryption-at-rest.")
    question = models.CharField(max_length=500, help_text="The main phrasing of the question.")
    variants = models.JSONField(default=list, blank=True, help_text="Other phrasings, one string each.")
    short_answer = models.CharField(max_length=300)
    detailed_answer = models.TextField(blank=True)
    tags = models.JSONField(default=list, blank=True, help_text="Lowercase tags, one string each.")
    visibility = models.CharField(
        max_length=10, choices=AnswerVisibility.choices, default=AnswerVisibility.PRIVATE
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    next_review_on = models.DateField(null=True, blank=True, help_text="UTC date of the next review.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering: ClassVar = ["key"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organization", "key"], name="answer_entry_unique_key"),
        ]

    def __str__(self) -> str:
        return self.key


EVIDENCE_FIELDS = ("statement", "certification", "sla_policy", "application")


class AnswerEvidence(OrgOwnedModel):
    """One record backing an entry: exactly one of the foreign keys is set."""

    entry = models.ForeignKey(AnswerEntry, on_delete=models.CASCADE, related_name="evidence")
    statement = models.ForeignKey(
        "compliance.ComplianceStatement", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    certification = models.ForeignKey(
        "compliance.Certification", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    sla_policy = models.ForeignKey(
        "assessments.SlaPolicy", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    application = models.ForeignKey(
        "assessments.Application", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["entry_id", "id"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=(
                    Q(statement__isnull=False, certification__isnull=True, sla_policy__isnull=True)
                    & Q(application__isnull=True)
                )
                | (
                    Q(statement__isnull=True, certification__isnull=False, sla_policy__isnull=True)
                    & Q(application__isnull=True)
                )
                | (
                    Q(statement__isnull=True, certification__isnull=True, sla_policy__isnull=False)
                    & Q(application__isnull=True)
                )
                | (
                    Q(statement__isnull=True, certification__isnull=True, sla_policy__isnull=True)
                    & Q(application__isnull=False)
                ),
                name="answer_evidence_exactly_one_record",
            ),
        ]

    @property
    def record(self) -> models.Model:
        for name in EVIDENCE_FIELDS:
            value = getattr(self, name)
            if value is not None:
                return value
        raise ValueError("Evidence without a record")

    @property
    def kind(self) -> str:
        return next(name for name in EVIDENCE_FIELDS if getattr(self, f"{name}_id") is not None)

    def __str__(self) -> str:
        return f"{self.entry_id}: {self.kind}"


# --- Questionnaires -----------------------------------------------------------------------------------


class QuestionnaireFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "Excel workbook (.xlsx)"
    VSAQ = "vsaq", "Google VSAQ (JSON)"


class Questionnaire(OrgOwnedModel):
    """A customer's security questionnaire as uploaded: its questions become items to answer and review.

    The original file is kept encrypted under the organization's data key (associated data binds the
    organization, this questionnaire's uid and the purpose), so export can write answers into it.
    """

    uid = models.UUIDField(unique=True, editable=False)
    title = models.CharField(max_length=200)
    customer = models.CharField(max_length=200, blank=True, help_text="Who sent it, e.g. Acme Bank.")
    due_on = models.DateField(null=True, blank=True, help_text="UTC date the answers are due.")
    filename = models.CharField(max_length=255, help_text="The uploaded file's name, for display only.")
    format = models.CharField(max_length=10, choices=QuestionnaireFormat.choices)
    source_ciphertext = models.BinaryField(editable=False)
    source_size = models.PositiveIntegerField(editable=False)
    source_sha256 = models.CharField(max_length=64, editable=False)
    data_key = models.ForeignKey(
        "vault.OrganizationKey", on_delete=models.PROTECT, related_name="questionnaires", editable=False
    )
    layouts = models.JSONField(default=list, blank=True, help_text="Where the questions were found.")
    skipped = models.JSONField(default=list, blank=True, help_text="Sheets without questions, and why.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class ItemStatus(models.TextChoices):
    GENERATED = "generated", "Generated"  # answered from the bank with confidence; not yet reviewed
    NEEDS_REVIEW = "needs_review", "Needs review"  # abstained, rejected, or backed by a stale answer
    APPROVED = "approved", "Approved"  # a reviewer accepted the answer as it stands
    MANUAL = "manual", "Manual"  # written or edited by a person


DONE_STATUSES = (ItemStatus.APPROVED, ItemStatus.MANUAL)


class QuestionnaireItem(OrgOwnedModel):
    """One question of a questionnaire, where it sits in the file, and its answer."""

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField(help_text="0-based order in the questionnaire.")
    sheet = models.CharField(max_length=100, blank=True)
    row = models.PositiveIntegerField(default=0)
    question_id = models.CharField(max_length=200, blank=True)
    section = models.CharField(max_length=300, blank=True)
    question = models.TextField()
    answer_cell = models.CharField(max_length=20, blank=True)
    existing_answer = models.TextField(blank=True)
    cells = models.JSONField(default=list, blank=True)
    answer = models.TextField(blank=True)
    entry = models.ForeignKey(
        AnswerEntry, null=True, blank=True, on_delete=models.SET_NULL, related_name="questionnaire_items"
    )
    entry_key = models.SlugField(max_length=80, blank=True, help_text="The cited entry's key when answered.")
    suggestion = models.ForeignKey(
        AnswerEntry, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confidence = models.FloatField(default=0.0)
    status = models.CharField(max_length=20, choices=ItemStatus.choices, default=ItemStatus.NEEDS_REVIEW)
    rejected_keys = models.JSONField(default=list, blank=True, help_text="Entries a reviewer rejected.")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["questionnaire_id", "position"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["questionnaire", "position"], name="questionnaire_item_position"),
        ]

    @property
    def is_done(self) -> bool:
        return self.status in DONE_STATUSES

    def __str__(self) -> str:
        return f"{self.questionnaire_id}#{self.position}"
