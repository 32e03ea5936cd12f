"""Spreadsheet cells that would run as formulas (CSV injection), defused. Pure: the questionnaire reader's
sandboxed worker imports it too, without Django."""

from __future__ import annotations

# Spreadsheets run a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """`value`, with a leading apostrophe when a spreadsheet would read it as a formula."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value
