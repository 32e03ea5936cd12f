"""Compliance register: frameworks, compliance statements, certifications and audit reports."""

from __future__ import annotations

from django.db import models


class Visibility(models.TextChoices):
    """Who may see an item on the trust center (shared by every published record)."""

    PUBLIC = "public", "Public"
    GATED = "gated", "Access required"
    PRIVATE = "private", "Private"
