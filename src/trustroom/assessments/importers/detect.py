"""Format registry and auto-detection from the first bytes of a report."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import IO

from .base import ImportFormatError, ParsedFinding, Progress
from .jsonformats import (
    parse_nuclei_json,
    parse_nuclei_jsonl,
    parse_sarif,
    parse_semgrep,
    parse_trivy,
    parse_zap_json,
)
from .xmlformats import parse_burp_xml, parse_nessus, parse_zap_xml

Parser = Callable[..., Iterator[ParsedFinding]]

PARSERS: dict[str, Parser] = {
    "sarif": parse_sarif,
    "zap-xml": parse_zap_xml,
    "zap-json": parse_zap_json,
    "burp-xml": parse_burp_xml,
    "nessus": parse_nessus,
    "trivy": parse_trivy,
    "nuclei-jsonl": parse_nuclei_jsonl,
    "nuclei-json": parse_nuclei_json,
    "semgrep": parse_semgrep,
}
FORMATS = tuple(PARSERS)

HEAD_BYTES = 64 * 1024
_XML_ROOTS = {"OWASPZAPReport": "zap-xml", "issues": "burp-xml", "NessusClientData_v2": "nessus"}
_XML_TAG = re.compile(rb"<([A-Za-z_][\w:.-]*)")


def _sniff(head: bytes) -> str | None:
    body = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if body.startswith(b"<"):
        for match in _XML_TAG.finditer(body):  # the first tag that is not <?…?>, <!…> or a comment
            return _XML_ROOTS.get(match.group(1).decode("ascii", "replace"))
        return None
    if body.startswith(b"{"):
        if b'"runs"' in body and (b"sarif" in body.lower() or b'"version"' in body):
            return "sarif"
        if b'"@version"' in body and b'"site"' in body:
            return "zap-json"
        if b'"SchemaVersion"' in body or b'"ArtifactName"' in body:
            return "trivy"
        if b'"check_id"' in body or (b'"results"' in body and b'"errors"' in body and b'"paths"' in body):
            return "semgrep"
        if b'"template-id"' in body or b'"templateID"' in body:
            return "nuclei-jsonl"
        return None
    if body.startswith(b"["):
        if b'"template-id"' in body or b'"templateID"' in body:
            return "nuclei-json"
        if b'"Target"' in body and (b'"Vulnerabilities"' in body or b'"Misconfigurations"' in body):
            return "trivy"
        return None
    return None


def detect_format(file: IO[bytes]) -> str:
    """Name of the report format (a key of PARSERS), read from the first bytes; the position is kept."""
    start = file.tell()
    head = file.read(HEAD_BYTES)
    file.seek(start)
    if not head.strip():
        raise ImportFormatError("The file is empty.")
    found = _sniff(head)
    if found is None:
        raise ImportFormatError(
            "Unknown report format: expected one of " + ", ".join(FORMATS) + ". Pass the format explicitly "
            "if the file is one of these."
        )
    return found


def parse_report(
    file: IO[bytes],
    format: str | None = None,
    *,
    progress: Progress | None = None,
    max_bytes: int | None = None,
) -> Iterator[ParsedFinding]:
    """Stream the findings of a report (format detected when None)."""
    fmt = format or detect_format(file)
    try:
        parser = PARSERS[fmt]
    except KeyError:
        raise ImportFormatError(f"Unknown format {fmt!r}: expected one of {', '.join(FORMATS)}.") from None
    return parser(file, progress=progress, max_bytes=max_bytes)
