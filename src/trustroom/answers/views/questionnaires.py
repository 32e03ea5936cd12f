"""Pages: questionnaires (filled in by its own change)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
