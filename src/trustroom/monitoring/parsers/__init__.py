"""Pure parsers: a decoded JSON document from a sender -> normalized alerts (no database, no clock).

`parse(kind, document)` dispatches on the source's kind. Every parser raises `ParseError` naming what
is missing or wrong ("missing fields: detail.id, detail.severity"), so the intake can answer 400.
"""

from __future__ import annotations

from typing import Any

from trustroom.monitoring.parsers.asff import parse_asff
from trustroom.monitoring.parsers.common import MAX_ALERTS_PER_REQUEST, NormalizedAlert, ParseError
from trustroom.monitoring.parsers.generic import parse_generic
from trustroom.monitoring.parsers.guardduty import parse_guardduty

PARSERS = {"guardduty": parse_guardduty, "asff": parse_asff, "generic": parse_generic}

__all__ = ["MAX_ALERTS_PER_REQUEST", "PARSERS", "NormalizedAlert", "ParseError", "parse"]


def parse(kind: str, document: Any) -> list[NormalizedAlert]:
    parser = PARSERS.get(kind)
    if parser is None:
        raise ParseError(f"unknown source kind {kind!r}")
    alerts = parser(document)
    if not alerts:
        raise ParseError("the document holds no alert")
    if len(alerts) > MAX_ALERTS_PER_REQUEST:
        raise ParseError(f"at most {MAX_ALERTS_PER_REQUEST} alerts per request; this one holds {len(alerts)}")
    return alerts
