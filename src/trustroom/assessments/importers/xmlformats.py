"""Streaming parsers for XML scanner reports: OWASP ZAP XML, Burp Suite XML, Nessus (.nessus).

XML goes through defusedxml's iterparse: entity declarations (billion laughs), external entities and
external DTDs are refused. Each report item is handled when its end tag arrives and is then removed
from the tree, so memory holds at most one item.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import IO, Any
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DefusedXmlException, DTDForbidden
from defusedxml.ElementTree import DefusedXMLParser, iterparse

from .base import CountingReader, ImportFormatError, ParsedFinding, Progress, make_finding, parse_cwe
from .jsonformats import zap_alert


class _ReportParser(DefusedXMLParser):
    """defusedxml's parser, also refusing a DOCTYPE that points outside the file (SYSTEM/PUBLIC).

    An internal DTD subset without entities is allowed: Burp Suite exports start with one. Entity
    declarations (billion laughs) and external entities are refused by defusedxml itself.
    """

    def __init__(self) -> None:
        super().__init__(target=TreeBuilder(), forbid_dtd=True, forbid_entities=True, forbid_external=True)

    def defused_start_doctype_decl(
        self, name: str, sysid: str | None, pubid: str | None, has_internal_subset: bool
    ) -> None:
        if sysid or pubid:
            raise DTDForbidden(name, sysid, pubid)


def _iter_items(
    reader: CountingReader, root_tag: str, item_tag: str, on_start: Callable[[Element, list[str]], None]
) -> Iterator[Element]:
    """Yield each complete `item_tag` element, then detach it; on_start sees every start tag."""
    stack: list[Element] = []
    path: list[str] = []
    inside_item = 0
    try:
        for event, elem in iterparse(reader, events=("start", "end"), parser=_ReportParser()):
            if event == "start":
                if not stack and elem.tag != root_tag:
                    raise ImportFormatError(
                        f"{reader.label}: the root element is <{elem.tag}>, expected <{root_tag}>."
                    )
                stack.append(elem)
                path.append(elem.tag)
                if elem.tag == item_tag:
                    inside_item += 1
                on_start(elem, path)
                continue
            stack.pop()
            path.pop()
            if elem.tag == item_tag:
                inside_item -= 1
                yield elem
            if not inside_item and stack:
                stack[-1].remove(elem)  # done with it: keep memory flat
    except ImportFormatError:
        raise
    except ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        where = "/".join(path) or "document start"
        raise ImportFormatError(
            f"{reader.label}: invalid XML at line {line}, column {column} (inside <{where}>): {exc}"
        ) from exc
    except DefusedXmlException as exc:
        raise ImportFormatError(
            f"{reader.label}: refused unsafe XML (entity declarations, external entities and "
            f"external DTDs are not allowed), at <{'/'.join(path) or 'document start'}>: {exc}"
        ) from exc


def _text(elem: Element, tag: str) -> str:
    child = elem.find(tag)
    return (child.text or "").strip() if child is not None and child.text else ""


def _strip_html(value: str) -> str:
    return re.sub(r"<[^>]+>", " ", value).replace("&nbsp;", " ").strip()


# --- OWASP ZAP XML ----------------------------------------------------------------------------------


def parse_zap_xml(
    file: IO[bytes], *, progress: Progress | None = None, max_bytes: int | None = None
) -> Iterator[ParsedFinding]:
    reader = CountingReader(file, label="ZAP XML", progress=progress, max_bytes=max_bytes)
    site = {"name": ""}

    def on_start(elem: Element, path: list[str]) -> None:
        if elem.tag == "site" and len(path) == 2:
            site["name"] = elem.get("name", "")

    for item in _iter_items(reader, "OWASPZAPReport", "alertitem", on_start):
        alert: dict[str, Any] = {child.tag: (child.text or "").strip() for child in item if len(child) == 0}
        instances = item.find("instances")
        alert["instances"] = [
            {child.tag: (child.text or "").strip() for child in inst}
            for inst in (instances.findall("instance") if instances is not None else [])
        ]
        if not alert["instances"] and alert.get("uri"):  # ZAP < 2.8 put one instance on the alert
            alert["instances"] = [{k: alert.get(k, "") for k in ("uri", "method", "param", "evidence")}]
        alert["desc"] = _strip_html(alert.get("desc", ""))
        yield zap_alert(alert, site["name"], "OWASP ZAP")


# --- Burp Suite XML ---------------------------------------------------------------------------------

BURP_SEVERITY = {"high": "high", "medium": "medium", "low": "low", "information": "info", "info": "info"}


def parse_burp_xml(
    file: IO[bytes], *, progress: Progress | None = None, max_bytes: int | None = None
) -> Iterator[ParsedFinding]:
    reader = CountingReader(file, label="Burp XML", progress=progress, max_bytes=max_bytes)
    for item in _iter_items(reader, "issues", "issue", lambda elem, path: None):
        host = _text(item, "host")
        path = _text(item, "path")
        location = _text(item, "location")
        issue_type = _text(item, "type")
        detail = _strip_html(_text(item, "issueDetail"))
        yield make_finding(
            tool="Burp Suite",
            title=_text(item, "name") or issue_type,
            severity=BURP_SEVERITY.get(_text(item, "severity").lower(), "info"),
            rule_id=issue_type,
            location=f"{host.rstrip('/')}{path}",
            distinguishing=(location,),
            description=_strip_html(_text(item, "issueBackground")) + ("\n\n" + detail if detail else ""),
            cwe=parse_cwe(_text(item, "vulnerabilityClassifications")),
            evidence=detail or location,
        )


# --- Nessus -----------------------------------------------------------------------------------------

# Plugins whose output changes on every scan (scan time, duration…): not part of their identity.
VOLATILE_PLUGINS = {"19506", "10287", "10180", "45590", "110095", "117886"}
NESSUS_SEVERITY = {"4": "critical", "3": "high", "2": "medium", "1": "low", "0": "info"}


def parse_nessus(
    file: IO[bytes], *, progress: Progress | None = None, max_bytes: int | None = None
) -> Iterator[ParsedFinding]:
    reader = CountingReader(file, label="Nessus", progress=progress, max_bytes=max_bytes)
    host = {"name": ""}

    def on_start(elem: Element, path: list[str]) -> None:
        if elem.tag == "ReportHost":
            host["name"] = elem.get("name", "")

    for item in _iter_items(reader, "NessusClientData_v2", "ReportItem", on_start):
        plugin = item.get("pluginID", "")
        port = item.get("port", "0")
        protocol = item.get("protocol", "")
        service = item.get("svc_name", "")
        location = f"{host['name']}:{port}/{protocol}" if port != "0" else host["name"]
        description = "\n\n".join(
            part for part in (_text(item, "synopsis"), _text(item, "description")) if part
        )
        yield make_finding(
            tool="Nessus",
            title=item.get("pluginName", "") or _text(item, "plugin_name"),
            severity=NESSUS_SEVERITY.get(item.get("severity", "0"), "info"),
            rule_id=plugin,
            location=location,
            # one plugin can report several distinct outputs on a port; a few plugins' output is volatile
            distinguishing=(
                port,
                protocol,
                service,
                "" if plugin in VOLATILE_PLUGINS else _text(item, "plugin_output"),
            ),
            description=description,
            cvss_vector=_text(item, "cvss3_vector") or _text(item, "cvss_vector"),
            cwe=parse_cwe(_text(item, "cwe")),
            evidence=_text(item, "plugin_output"),
        )
