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
