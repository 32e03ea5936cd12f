"""Talking to notifiers: what a valid target is (the one SSRF guard), and sending one message.

- PagerDuty Events API v2 (`TRUSTROOM_PAGERDUTY_EVENTS_URL`): answers 202 when it took the event, 400
  when the event is invalid (never worth sending again), 429 when rate limited, 5xx when in trouble.
- Slack incoming webhooks: 200 "ok"; 400/403/404/410 mean the webhook or the payload is wrong for good.
- E-mail through Django's mail backend.

Outcome rules, the same for every HTTP notifier: 2xx delivered; 429, 5xx, timeouts and connection errors
are retried later (honouring Retry-After); any other answer is a permanent failure. Redirects are not
followed (a webhook host could otherwise send us anywhere). Error texts never contain the target URL,
which for Slack is itself the secret. A refusal keeps a short excerpt of what the receiver said
(PagerDuty's `message` and `errors`, Slack's error word), so the deliveries page tells why.

Each worker thread keeps one HTTP session, so consecutive deliveries to the same host reuse the
connection (and its TLS handshake) instead of opening a new one per message; it keeps no cookies.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from http.cookiejar import DefaultCookiePolicy
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import EmailValidator
from django.utils import timezone

CONNECT_TIMEOUT = 5
READ_TIMEOUT = 10
MAX_RECIPIENTS = 20
MAX_URL = 500
MAX_ANSWER_READ = 4096  # bytes of a refusal's body we read; a receiver cannot make us buffer more
MAX_ANSWER_SHOWN = 200  # characters of it kept in the error
ROUTING_KEY = re.compile(r"^[A-Za-z0-9]{32}$")


# --- Validation -----------------------------------------------------------------------------------------


def allowed_hosts() -> set[str]:
    return {host.strip().lower() for host in settings.TRUSTROOM_NOTIFIER_ALLOWED_HOSTS if host.strip()}


def check_webhook_url(url: str, *, field: str = "webhook_url") -> str:
    """The URL if Trustroom may post to it: https (http only with the test-only setting
    TRUSTROOM_NOTIFIER_ALLOW_HTTP), no credentials, a host in TRUSTROOM_NOTIFIER_ALLOWED_HOSTS. Checked
    when the URL is saved and again before every send (the allow-list may have changed)."""
    url = (url or "").strip()
    if not url:
        raise ValidationError({field: "Give the webhook URL."})
    if len(url) > MAX_URL or any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise ValidationError({field: f"Give a single URL of at most {MAX_URL} characters."})
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ValidationError({field: "This is not a valid URL."}) from None
    schemes = {"https", "http"} if settings.TRUSTROOM_NOTIFIER_ALLOW_HTTP else {"https"}
    if parts.scheme.lower() not in schemes:
        raise ValidationError({field: "The webhook URL must start with https://."})
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise ValidationError({field: "The webhook URL must not carry a user name or password."})
    host = (parts.hostname or "").lower()
    if host not in allowed_hosts():
        raise ValidationError(
            {field: f"Trustroom only posts to these hosts: {', '.join(sorted(allowed_hosts())) or 'none'}."}
        )
    if port is not None and not 0 < port < 65536:
        raise ValidationError({field: "The port is out of range."})
    return url


def check_routing_key(key: str, *, field: str = "routing_key") -> str:
    key = (key or "").strip()
    if not ROUTING_KEY.match(key):
        raise ValidationError(
            {field: "A PagerDuty integration (routing) key is 32 letters and digits (Events API v2)."}
        )
    return key


def check_recipients(recipients: Any, *, field: str = "recipients") -> list[str]:
    if isinstance(recipients, str):
        recipients = [part for part in re.split(r"[\s,;]+", recipients) if part]
    if not isinstance(recipients, list) or not recipients:
        raise ValidationError({field: "Give at least one e-mail address."})
    if len(recipients) > MAX_RECIPIENTS:
        raise ValidationError({field: f"At most {MAX_RECIPIENTS} recipients."})
    validate = EmailValidator()
    cleaned: list[str] = []
    for address in recipients:
        address = str(address).strip()
        try:
            validate(address)
        except ValidationError:
            raise ValidationError({field: f"{address[:100]!r} is not an e-mail address."}) from None
        if address.lower() not in {known.lower() for known in cleaned}:
            cleaned.append(address)
    return cleaned


# --- Sending --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    delivered: bool
    retry: bool  # transient: try again later
    status_code: int | None = None
    error: str = ""
    retry_after: float | None = None  # seconds the receiver asked us to wait


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - timezone.now()).total_seconds())


def classify(status_code: int, headers: Any, *, host: str, said: str = "") -> Outcome:
    if 200 <= status_code < 300:
        return Outcome(delivered=True, retry=False, status_code=status_code)
    error = f"HTTP {status_code} from {host}"
    suffix = f": {said}" if said else ""
    if status_code == 429 or status_code >= 500:
        return Outcome(
            delivered=False,
            retry=True,
            status_code=status_code,
            error=error + suffix,
            retry_after=_retry_after(headers.get("Retry-After")),
        )
    return Outcome(
        delivered=False, retry=False, status_code=status_code, error=f"{error} (not retried){suffix}"
    )


_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]+")


def receiver_said(raw: bytes, *, hidden: str = "") -> str:
    """A one-line excerpt of a refusal's body: PagerDuty's message and errors, else the text itself."""
    text = raw.decode("utf-8", errors="replace")
    try:
        answer = json.loads(text)
    except ValueError:
        answer = None
    if isinstance(answer, dict):
        parts = [str(answer.get(name)) for name in ("status", "message") if answer.get(name)]
        errors = answer.get("errors")
        if isinstance(errors, list):
            parts.extend(str(one) for one in errors)
        text = "; ".join(parts) if parts else text
    if hidden and hidden != "/":
        text = text.replace(hidden, "…")  # never echo a Slack webhook's secret path
    text = _CONTROL_CHARACTERS.sub(" ", text).strip()
    return text if len(text) <= MAX_ANSWER_SHOWN else text[: MAX_ANSWER_SHOWN - 1] + "…"


_local = threading.local()


def _session() -> requests.Session:
    session: requests.Session | None = getattr(_local, "session", None)
    if session is None:
        session = requests.Session()
        session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))  # accept none, send none
        session.headers["User-Agent"] = "Trustroom alert routing"
        _local.session = session
    return session


def _read_bounded(response: requests.Response) -> bytes:
    """The body, up to MAX_ANSWER_READ bytes; read to the end (when short) so the connection is reused."""
    body = b""
    for chunk in response.iter_content(chunk_size=1024):
        body += chunk
        if len(body) >= MAX_ANSWER_READ:
            break  # closing an unread response drops that one connection, which is fine
    return body[:MAX_ANSWER_READ]


def _post_json(url: str, body: dict[str, Any]) -> Outcome:
    parts = urlsplit(url)
    host = (parts.hostname or "the receiver").lower()
    try:
        response = _session().post(
            url, json=body, timeout=(CONNECT_TIMEOUT, READ_TIMEOUT), allow_redirects=False, stream=True
        )
    except requests.Timeout as error:
        return Outcome(delivered=False, retry=True, error=f"timed out ({type(error).__name__}) at {host}")
    except requests.RequestException as error:
        # The exception's text can repeat the URL (the Slack secret): only its class name is kept.
        return Outcome(
            delivered=False, retry=True, error=f"could not connect ({type(error).__name__}) to {host}"
        )
    try:
        try:
            raw = _read_bounded(response)
        except (requests.RequestException, OSError):
            raw = b""
        said = "" if 200 <= response.status_code < 300 else receiver_said(raw, hidden=parts.path)
        return classify(response.status_code, response.headers, host=host, said=said)
    finally:
        response.close()


def send_pagerduty(body: dict[str, Any]) -> Outcome:
    return _post_json(settings.TRUSTROOM_PAGERDUTY_EVENTS_URL, body)


def send_slack(webhook_url: str, body: dict[str, Any]) -> Outcome:
    try:
        check_webhook_url(webhook_url)
    except ValidationError as error:
        return Outcome(delivered=False, retry=False, error=f"webhook URL refused: {' '.join(error.messages)}")
    return _post_json(webhook_url, body)


def send_email_message(recipients: list[str], subject: str, body: str) -> Outcome:
    try:
        send_mail(subject, body, None, recipients, fail_silently=False)
    except (OSError, ValueError) as error:  # smtplib errors are OSErrors
        return Outcome(delivered=False, retry=True, error=f"mail not sent ({type(error).__name__})")
    return Outcome(delivered=True, retry=False)
