"""The normalized finding record, errors, fingerprints, size limit and byte counting shared by parsers.

This module must not import Django at import time: the sandbox child process does not set it up.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from typing import IO, Any

SEVERITIES = ("critical", "high", "medium", "low", "info")
DEFAULT_MAX_MB = 200
EVIDENCE_MAX_CHARS = 2000

Progress = Callable[[int, int], None]


class ImportFormatError(Exception):
    """A scanner report that cannot be read: the message names the format and where it broke."""


@dataclass(frozen=True)
class ParsedFinding:
    tool: str
    title: str
    severity: str
    rule_id: str
    location: str
    description: str = ""
    cvss_vector: str = ""
    cwe: int | None = None
    evidence: str = ""
    fingerprint: str = field(default="", compare=False)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ParsedFinding:
        return cls(**data)


def fingerprint(tool: str, rule_id: str, location: str, *distinguishing: object) -> str:
    """sha256 over the stable identity of an issue: never timestamps, scan ids or other volatile data."""
    parts = [tool.strip().lower(), rule_id.strip(), normalize_location(location)]
    parts += ["" if part is None else str(part).strip() for part in distinguishing]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def normalize_location(location: str) -> str:
    loc = location.strip()
    loc = re.sub(r"^file://", "", loc)
    loc = loc.replace("\\", "/")
    return re.sub(r"^(https?://[^/]+?)(?::(?:80|443))?(/|$)", _lower_origin, loc)


def _lower_origin(match: re.Match[str]) -> str:
    return match.group(1).lower() + match.group(2)


def make_finding(
    *,
    tool: str,
    title: str,
    severity: str,
    rule_id: str,
    location: str,
    distinguishing: tuple[object, ...] = (),
    description: str = "",
    cvss_vector: str = "",
    cwe: int | None = None,
    evidence: str = "",
) -> ParsedFinding:
    if severity not in SEVERITIES:
        raise ValueError(f"unknown severity {severity!r}")
    return ParsedFinding(
        tool=tool,
        title=(title or rule_id or "Untitled finding").strip()[:500],
        severity=severity,
        rule_id=str(rule_id or ""),
        location=location,
        description=(description or "").strip(),
        cvss_vector=(cvss_vector or "").strip(),
        cwe=cwe,
        evidence=(evidence or "").strip()[:EVIDENCE_MAX_CHARS],
        fingerprint=fingerprint(tool, str(rule_id or ""), location, *distinguishing),
    )


_CWE_RE = re.compile(r"cwe[-_/ :]*(\d+)", re.IGNORECASE)


def parse_cwe(value: object) -> int | None:
    """First CWE number in a value: 79, "79", "CWE-79: ...", "external/cwe/cwe-79", or a list of those."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, list | tuple):
        for item in value:
            found = parse_cwe(item)
            if found is not None:
                return found
        return None
    text = str(value).strip()
    if text.isdigit():
        return int(text) if int(text) > 0 else None
    match = _CWE_RE.search(text)
    return int(match.group(1)) if match else None


def severity_from_score(score: float) -> str:
    """CVSS-style qualitative rating of a 0-10 score."""
    if score >= 9.0:
        return "critical"
    if score >= 7.0:
        return "high"
    if score >= 4.0:
        return "medium"
    if score >= 0.1:
        return "low"
    return "info"


def default_max_bytes() -> int:
    """TRUSTROOM_IMPORT_MAX_MB from Django settings when configured, else 200 MB."""
    mb: object = DEFAULT_MAX_MB
    try:
        from django.conf import settings

        mb = getattr(settings, "TRUSTROOM_IMPORT_MAX_MB", DEFAULT_MAX_MB)
    except Exception:  # Django not installed or not configured (the sandbox child)
        mb = DEFAULT_MAX_MB
    return int(float(str(mb)) * 1024 * 1024)


def file_size(file: IO[bytes]) -> int:
    try:
        return os.fstat(file.fileno()).st_size
    except (AttributeError, OSError, ValueError):
        pass
    try:
        here = file.tell()
        end = file.seek(0, os.SEEK_END)
        file.seek(here)
        return end - here
    except (AttributeError, OSError, ValueError):
        return 0


class CountingReader:
    """A binary reader that counts bytes, enforces the size limit and reports progress."""

    def __init__(
        self, file: IO[bytes], *, label: str, progress: Progress | None = None, max_bytes: int | None = None
    ) -> None:
        self._file = file
        self.label = label
        self.total = file_size(file)
        self.bytes_read = 0
        self._progress = progress
        self.max_bytes = default_max_bytes() if max_bytes is None else max_bytes
        if self.total > self.max_bytes:
            raise ImportFormatError(
                f"{label}: the file is {self.total} bytes; the limit is {self.max_bytes} bytes "
                "(TRUSTROOM_IMPORT_MAX_MB)."
            )

    def read(self, size: int = -1) -> bytes:
        data = self._file.read(size)
        self._account(len(data))
        return data

    def readline(self, size: int = -1) -> bytes:
        data = self._file.readline(size)
        self._account(len(data))
        return data

    def _account(self, n: int) -> None:
        self.bytes_read += n
        if self.bytes_read > self.max_bytes:
            raise ImportFormatError(
                f"{self.label}: the file is larger than the limit of {self.max_bytes} bytes "
                "(TRUSTROOM_IMPORT_MAX_MB)."
            )
        if self._progress is not None and n:
            self._progress(self.bytes_read, max(self.total, self.bytes_read))

    def __iter__(self) -> Iterator[bytes]:
        while True:
            line = self.readline()
            if not line:
                return
            yield line


def text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        for key in ("text", "markdown", "#text", "value"):
            if key in value:
                return text(value[key])
        return ""
    return str(value)
