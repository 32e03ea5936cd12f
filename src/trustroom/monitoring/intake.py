"""`POST /intake/alerts/<token>/`: the public, signed webhook that senders deliver alerts to.

Not under /o/ nor /api/: no session, no CSRF token, no API token. The capability is the token in the
URL plus the signature made with the source's secret (`trustroom.webhooks.signatures`). In order:

1. body larger than `MAX_BODY_BYTES` -> 413 (decided from Content-Length before reading; a body longer
   than announced is read only up to the limit and refused the same way); no Content-Length -> 411;
2. unknown token or disabled source -> 404 (the same answer for both);
3. signature or timestamp wrong, missing or malformed -> 401 with the reason;
4. body not JSON -> 400 naming line and column; JSON of the wrong shape -> 400 naming the missing fields;
5. the same signature accepted before for this source -> 401 "replayed";
6. else the alerts are stored (new or one more occurrence) and the answer is 200 with the counts.

Nothing is stored from a refused request: steps 1-4 write nothing, and 5 runs in the transaction that
would store the alerts.
"""

from __future__ import annotations

import json
import logging

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from trustroom.monitoring import secrets
from trustroom.monitoring.models import AlertSource, IntakeRoute
from trustroom.monitoring.parsers import ParseError, parse
from trustroom.monitoring.services import Replayed, ingest_alerts, token_digest
from trustroom.tenancy.principal import system_principal
from trustroom.tenancy.scope import org_scope
from trustroom.vault.crypto import DecryptionError
from trustroom.webhooks.signatures import SIGNATURE_HEADER, TIMESTAMP_HEADER, SignatureError, verify

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024  # 1 MiB


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _not_found() -> JsonResponse:
    return _error(404, "No such intake endpoint.")


def _read_body(request: HttpRequest) -> bytes | JsonResponse:
    length_header = request.META.get("CONTENT_LENGTH") or ""
    if not length_header.strip():
        return _error(411, "Send a Content-Length header.")
    try:
        length = int(length_header)
    except ValueError:
        return _error(400, "Content-Length is not a number.")
    if length > MAX_BODY_BYTES:
        return _error(
            413, f"The body is larger than {MAX_BODY_BYTES} bytes; send fewer findings per request."
        )
    body = request.read(MAX_BODY_BYTES + 1)
    if len(body) > MAX_BODY_BYTES:
        return _error(
            413, f"The body is larger than {MAX_BODY_BYTES} bytes; send fewer findings per request."
        )
    return body


@csrf_exempt
@require_POST
def receive(request: HttpRequest, token: str) -> JsonResponse:
    body = _read_body(request)
    if isinstance(body, JsonResponse):
        return body
    route = (
        IntakeRoute.objects.filter(token_digest=token_digest(token)).select_related("organization").first()
    )
    if route is None:
        return _not_found()
    organization = route.organization
    with org_scope(organization):
        source = AlertSource.objects.filter(pk=route.source_id, enabled=True).first()
        if source is None:
            return _not_found()
        try:
            secret = secrets.open_secret(source)
        except DecryptionError:
            logger.exception("Alert source %s: its secret does not open", source.pk)
            return _error(503, "This endpoint cannot verify signatures right now.")
        try:
            signature = verify(
                secret=secret,
                body=body,
                timestamp=request.headers.get(TIMESTAMP_HEADER),
                signature=request.headers.get(SIGNATURE_HEADER),
            )
        except SignatureError as refusal:
            return _error(401, f"Signature refused: {refusal.reason}.")
        try:
            document = json.loads(body.decode("utf-8"))
        except UnicodeDecodeError as error:
            return _error(400, f"The body is not UTF-8 (byte {error.start}).")
        except json.JSONDecodeError as error:
            return _error(400, f"Malformed JSON at line {error.lineno}, column {error.colno}: {error.msg}.")
        try:
            alerts = parse(source.kind, document)
        except ParseError as error:
            return _error(400, f"Not a {source.get_kind_display()} document: {error}.")
        try:  # atomic itself (a savepoint in the request's transaction): a replay leaves nothing
            result = ingest_alerts(
                actor=system_principal(organization), source=source, signature=signature, alerts=alerts
            )
        except Replayed:
            return _error(401, "Signature refused: replayed (this signature was accepted before).")
    return JsonResponse(
        {"accepted": len(alerts), "new": len(result.new), "repeated": len(result.repeated)}, status=200
    )
