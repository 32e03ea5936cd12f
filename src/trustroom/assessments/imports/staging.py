"""Parse a report completely, under the sandbox, before anything is written.

The sandboxed child streams its records to us one line at a time; we spool them to a private temporary
JSONL file, so a malformed file fails here with nothing written, and neither the parse nor the later
write holds more than one batch of records in memory, whatever the size of the report.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice

from trustroom.assessments.importers import (
    FORMATS,
    ImportFormatError,
    ParsedFinding,
    Progress,
    detect_format,
    parse_in_sandbox,
)
from trustroom.assessments.importers.base import default_max_bytes


@dataclass
class StagedReport:
    """A fully parsed report waiting to be written: its records in `records_path` (one JSON per line)."""

    records_path: str
    format: str
    total: int
    size_bytes: int
    sha256: str
    tools: set[str] = field(default_factory=set)

    def batches(self, size: int) -> Iterator[list[ParsedFinding]]:
        with open(self.records_path, encoding="utf-8") as handle:
            records = (ParsedFinding.from_dict(json.loads(line)) for line in handle)
            while batch := list(islice(records, size)):
                yield batch

    def discard(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.records_path)


def clean_format(value: str | None) -> str | None:
    """None/"" or "auto" → detect; a known format name; anything else → ImportFormatError."""
    value = (value or "").strip().lower()
    if value in ("", "auto"):
        return None
    if value not in FORMATS:
        raise ImportFormatError(f"Unknown format {value!r}: expected one of {', '.join(FORMATS)}.")
    return value


def _digest(path: str, max_bytes: int) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(1024 * 1024):
            size += len(chunk)
            if size > max_bytes:
                raise ImportFormatError(
                    f"The file is larger than the limit of {max_bytes} bytes (TRUSTROOM_IMPORT_MAX_MB)."
                )
            digest.update(chunk)
    return size, digest.hexdigest()


def stage_report(path: str, format: str | None = None, *, progress: Progress | None = None) -> StagedReport:
    """Detect (when `format` is None), check the size, and parse `path` in the sandbox to a JSONL spool.

    Raises ImportFormatError naming where the report broke; nothing is left behind then.
    """
    max_bytes = default_max_bytes()
    size, sha256 = _digest(path, max_bytes)
    if format is None:
        with open(path, "rb") as handle:
            format = detect_format(handle)
    fd, records_path = tempfile.mkstemp(prefix="trustroom-import-", suffix=".jsonl")
    staged = StagedReport(records_path=records_path, format=format, total=0, size_bytes=size, sha256=sha256)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            for record in parse_in_sandbox(path, format, progress=progress, max_bytes=max_bytes):
                out.write(json.dumps(vars(record)) + "\n")  # vars: asdict's deep copy is slow
                staged.total += 1
                staged.tools.add(record.tool)
    except BaseException:
        staged.discard()
        raise
    return staged
