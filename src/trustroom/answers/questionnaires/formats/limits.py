"""The limits every questionnaire file is read under, whatever its format.

A file past one of them is refused with a message that names the limit; nothing is read half-way. The
sandbox (`sandbox.py`) adds CPU-time, memory and wall-clock limits around the whole parse.
"""

from __future__ import annotations

MAX_FILE_BYTES = 10 * 1024 * 1024  # the uploaded file itself
MAX_QUESTIONS = 10_000  # in the whole questionnaire, all sheets together
MAX_SHEETS = 100  # sheets in a workbook (hidden and chart sheets count)
MAX_ROWS = 50_000  # rows read per sheet or CSV file
MAX_COLUMNS = 150  # columns read per sheet (cells further right are ignored)
MAX_CELL_CHARS = 20_000  # longer cell text is cut here (questions, answers, every cell kept)
MAX_TEXT_CHARS = 20_000_000  # all kept cell text of all questions together
HEADER_SCAN_ROWS = 30  # the header row must be within the first this many rows of a table

# XLSX (zip) archive checks, made before openpyxl opens the file (see safety.py)
MAX_ZIP_MEMBERS = 2_000
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024  # declared and, while reading, actual
MAX_COMPRESSION_RATIO = 100  # uncompressed : compressed, for members larger than RATIO_MIN_BYTES
RATIO_MIN_BYTES = 1024 * 1024

# Export
MAX_XLSX_CELL_CHARS = 32_767  # Excel's own limit for a cell's text


def clip(text: str, limit: int = MAX_CELL_CHARS) -> str:
    """`text`, cut to `limit` characters (an ellipsis marks the cut)."""
    if len(text) <= limit:
        return text
    return text[: limit - 1] + "…"
