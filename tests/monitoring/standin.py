"""A local HTTP server on 127.0.0.1 standing in for PagerDuty's Events API v2 and Slack incoming webhooks.

Real sockets, real HTTP: our code under test talks to it exactly as it talks to the real services. The
PagerDuty side checks EVERY request against the Events API v2 rules and answers 400 like PagerDuty does
when one is broken (and records why); valid events get 202 with PagerDuty's answer body. Either side can
be told to answer a scripted sequence first (429 with Retry-After, 500, 400...).
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PD_PATH = "/v2/enqueue"
SLACK_PATH = "/services/T000/B000/slack-secret-path"
PD_TOP_LEVEL = {
    "routing_key",
    "event_action",
    "dedup_key",
    "payload",
    "images",
    "links",
    "client",
    "client_url",
}
PD_PAYLOAD = {"summary", "source", "severity", "timestamp", "component", "group", "class", "custom_details"}
PD_SEVERITIES = {"critical", "error", "warning", "info"}


def pagerduty_problems(content_type: str, raw: bytes) -> list[str]:
    """What is wrong with this request under the Events API v2 rules (empty: it is valid)."""
    if content_type.split(";")[0].strip().lower() != "application/json":
        return [f"content type {content_type!r} is not application/json"]
    try:
        body = json.loads(raw)
    except ValueError:
        return ["the body is not JSON"]
    if not isinstance(body, dict):
        return ["the body is not a JSON object"]
    problems = [f"unknown top-level key {key!r}" for key in sorted(set(body) - PD_TOP_LEVEL)]
    key = body.get("routing_key")
    if not isinstance(key, str) or len(key) != 32:
        problems.append("routing_key must be a 32-character string")
    action = body.get("event_action")
    if action not in ("trigger", "acknowledge", "resolve"):
        problems.append(f"event_action {action!r} is not trigger, acknowledge or resolve")
    dedup_key = body.get("dedup_key")
    if action in ("acknowledge", "resolve") and not dedup_key:
        problems.append("dedup_key is required to acknowledge or resolve")
    if dedup_key is not None and (not isinstance(dedup_key, str) or not 1 <= len(dedup_key) <= 255):
        problems.append("dedup_key must be a string of 1-255 characters")
    if action == "trigger":
        payload = body.get("payload")
        if not isinstance(payload, dict):
            return [*problems, "payload is required to trigger"]
        problems += [f"unknown payload key {key!r}" for key in sorted(set(payload) - PD_PAYLOAD)]
        summary = payload.get("summary")
        if not isinstance(summary, str) or not 1 <= len(summary) <= 1024:
            problems.append("payload.summary must be 1-1024 characters")
        source = payload.get("source")
        if not isinstance(source, str) or not source.strip():
            problems.append("payload.source must be a non-empty string")
        if payload.get("severity") not in PD_SEVERITIES:
            problems.append(
                f"payload.severity {payload.get('severity')!r} is not one of {sorted(PD_SEVERITIES)}"
            )
        if "timestamp" in payload:
            try:
                parsed = datetime.fromisoformat(str(payload["timestamp"]))
                if parsed.tzinfo is None:
                    problems.append("payload.timestamp has no time zone")
            except ValueError:
                problems.append("payload.timestamp is not ISO 8601")
        if "custom_details" in payload and not isinstance(payload["custom_details"], dict | str):
            problems.append("payload.custom_details must be an object")
    elif "payload" in body:
        problems.append(f"{action} takes no payload")
    return problems


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    raw: bytes
    status: int
    problems: list[str] = field(default_factory=list)
    client_port: int = 0  # which connection it came on (the stand-in keeps connections alive)

    @property
    def json(self) -> Any:
        return json.loads(self.raw)


@dataclass
class Scripted:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


class _QuietServer(ThreadingHTTPServer):
    """Connections are kept alive; a client dropping one (as pooled clients do) is not an error."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class StandIn:
    def __init__(self) -> None:
        self.received: list[Received] = []
        self.script: deque[Scripted] = deque()
        self.delay = 0.0  # seconds to wait before answering (to hold a request in flight)
        self.lock = threading.Lock()
        self.server = _QuietServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def pagerduty_url(self) -> str:
        return self.base + PD_PATH

    @property
    def slack_url(self) -> str:
        return self.base + SLACK_PATH

    def answer(self, *responses: Scripted) -> None:
        """Answer these first (in order), then as the real service would."""
        self.script.extend(responses)

    def to(self, path: str) -> list[Received]:
        return [one for one in self.received if one.path == path]

    @property
    def pagerduty(self) -> list[Received]:
        return self.to(PD_PATH)

    @property
    def slack(self) -> list[Received]:
        return self.to(SLACK_PATH)

    @property
    def invalid(self) -> list[Received]:
        return [one for one in self.received if one.problems]

    def start(self) -> StandIn:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as the real services speak

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def _send(self, status: int, body: bytes, headers: dict[str, str], content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if standin.delay:
                    time.sleep(standin.delay)
                problems: list[str] = []
                if self.path == PD_PATH:
                    problems = pagerduty_problems(self.headers.get("Content-Type", ""), raw)
                elif self.path != SLACK_PATH:
                    self._send(404, b"no_service", {}, "text/plain")
                    return
                with standin.lock:
                    scripted = standin.script.popleft() if standin.script and not problems else None
                    if problems:
                        status, headers = 400, {}
                        body = json.dumps(
                            {
                                "status": "invalid event",
                                "message": "Event object is invalid",
                                "errors": problems,
                            }
                        ).encode()
                        content_type = "application/json"
                    elif scripted is not None:
                        status, headers, body = scripted.status, scripted.headers, scripted.body
                        content_type = "application/json" if self.path == PD_PATH else "text/plain"
                    elif self.path == PD_PATH:
                        status, headers = 202, {}
                        body = json.dumps(
                            {
                                "status": "success",
                                "message": "Event processed",
                                "dedup_key": json.loads(raw).get("dedup_key") or "generated",
                            }
                        ).encode()
                        content_type = "application/json"
                    else:
                        status, headers, body, content_type = 200, {}, b"ok", "text/plain"
                    standin.received.append(
                        Received(
                            self.path,
                            dict(self.headers.items()),
                            raw,
                            status,
                            problems,
                            client_port=self.client_address[1],
                        )
                    )
                self._send(status, body, headers, content_type)

        return Handler
