"""Streaming parsers for scanner reports (SARIF, ZAP, Burp, Nessus, Trivy, Nuclei, Semgrep).

Pure parsing, no database: each parser is a generator over a binary file object yielding
`ParsedFinding` records. Importing them into findings is the job of the assessments services.
"""

from .base import SEVERITIES, ImportFormatError, ParsedFinding, Progress, default_max_bytes, fingerprint
from .detect import FORMATS, PARSERS, detect_format, parse_report
from .jsonformats import (
    parse_nuclei_json,
    parse_nuclei_jsonl,
    parse_sarif,
    parse_semgrep,
    parse_trivy,
    parse_zap_json,
)
from .sandbox import parse_in_sandbox
from .xmlformats import parse_burp_xml, parse_nessus, parse_zap_xml

__all__ = [
    "FORMATS",
    "PARSERS",
    "SEVERITIES",
    "ImportFormatError",
    "ParsedFinding",
    "Progress",
    "default_max_bytes",
    "detect_format",
    "fingerprint",
    "parse_burp_xml",
    "parse_in_sandbox",
    "parse_nessus",
    "parse_nuclei_json",
    "parse_nuclei_jsonl",
    "parse_report",
    "parse_sarif",
    "parse_semgrep",
    "parse_trivy",
    "parse_zap_json",
    "parse_zap_xml",
]
