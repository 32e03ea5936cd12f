"""docs/security/controls.md states the values the code really has (its "Checked values" lists)."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path
from typing import Any

from django.conf import settings

DOC = Path(__file__).resolve().parents[3] / "docs" / "security" / "controls.md"
CHECKED = re.compile(r"^- `(?P<name>[^`]+)` = `(?P<value>[^`]+)`$", re.MULTILINE)


def actual(name: str) -> Any:
    """`settings.X`, `settings.X["key"]` or `package.module.NAME`."""
    match = re.fullmatch(r"settings\.(\w+)(?:\[(.+)\])?", name)
    if match:
        value = getattr(settings, match.group(1))
        return value[ast.literal_eval(match.group(2))] if match.group(2) else value
    module, _, attribute = name.rpartition(".")
    return getattr(importlib.import_module(module), attribute)


def test_the_page_checks_values() -> None:
    assert len(CHECKED.findall(DOC.read_text(encoding="utf-8"))) >= 20


def test_every_checked_value_matches_the_code() -> None:
    wrong = [
        f"{found['name']}: the page says {found['value']}, the code has {actual(found['name'])!r}"
        for found in CHECKED.finditer(DOC.read_text(encoding="utf-8"))
        if actual(found["name"]) != ast.literal_eval(found["value"])
    ]
    assert wrong == []
