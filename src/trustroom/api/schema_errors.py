"""Document the API's error answers in the OpenAPI schema (a drf-spectacular postprocessing hook).

drf-spectacular describes only the success answer of each operation, but every operation can also
answer 401 (no or bad token), 403 (token scope, role, IP allowlist, SSO or MFA policy) and 404 (another
organization's object answers exactly like a missing one); operations that take a body or query
parameters answer 400 with the field and the reason (`trustroom.api.exceptions`). Clients and the
schema fuzz test (tests/security/test_api_fuzz.py) rely on these being listed.
"""

from __future__ import annotations

from typing import Any

ERROR_COMPONENT = "Error"
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": (
        "`detail` (and sometimes `code`) for 401, 403 and 404; for 400, each field with its "
        "messages, or `non_field_errors`."
    ),
    "properties": {"detail": {"type": "string"}, "code": {"type": "string"}},
    "additionalProperties": True,
}
DESCRIPTIONS = {
    "400": "The input was refused: each field with what is wrong.",
    "401": "No API token, or one that is unknown, revoked or expired.",
    "403": "The token's scope, the member's role or an organization policy does not allow this.",
    "404": "No such object in this organization (another organization's object answers the same).",
}
METHODS = frozenset({"get", "post", "put", "patch", "delete"})


def document_error_responses(result: dict[str, Any], **_: Any) -> dict[str, Any]:
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault(ERROR_COMPONENT, ERROR_SCHEMA)
    error = {"schema": {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}}
    for item in result.get("paths", {}).values():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            body = {"application/json": error}
            # An export chosen with ?format=csv (DRF's format override) renders its errors in that format.
            for success in ("200", "201"):
                for media_type in operation.get("responses", {}).get(success, {}).get("content", {}):
                    body.setdefault(media_type, {"schema": {"type": "string"}})
            codes = ["401", "403", "404"]
            if method != "delete" or operation.get("parameters"):
                codes.append("400")
            responses = operation.setdefault("responses", {})
            for code in codes:
                responses.setdefault(code, {"description": DESCRIPTIONS[code], "content": body})
    return result
