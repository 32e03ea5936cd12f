"""A real SAML 2.0 identity provider (pysaml2) on 127.0.0.1, for the SSO tests. Test infrastructure only.

Run as its own process:

    python tests/idp/saml/idp_server.py --port 0 --key idp.key --cert idp.crt

When it listens it prints one JSON line on stdout:
``{"port": N, "entity_id": ..., "sso_url": ..., "metadata_url": ..., "certificate": ...}`` where
``certificate`` is the base64 DER body of the signing certificate without the PEM header and footer lines
(exactly as IdP metadata carries it in ``<ds:X509Certificate>``). Everything else goes to stderr.

Endpoints:
  GET  /metadata                 the IdP's metadata (XML)
  GET  /sso/redirect             HTTP-Redirect binding: SAMLRequest (+ RelayState). Answers with the SP's ACS
                                 URL, SAMLResponse and RelayState: JSON with ``Accept: application/json``,
                                 else the usual auto-submitting HTML form.
  POST /__admin/sp-metadata      body: an SP's metadata XML; registers (or re-registers) that SP.
  POST /__admin/next-account     {"email", "name", "uid"?, "attributes"?}: the account responses are for,
                                 until changed.
  POST /__test/next-response     controls for the NEXT response only (see CONTROLS).
  POST /__test/idp-initiated     {"sp_entity_id", "relay_state"?}: an unsolicited response (no InResponseTo).
  POST /__test/reset             forget pending controls and the account.

Responses carry NameID = the account's email (format emailAddress) and the attributes ``email``, ``name``
and ``uid`` (attribute Name exactly these strings, NameFormat ``basic``), plus any extra ``attributes``.

Every control is applied with pysaml2's own machinery, before signing, so the signature stays valid and
only the relying party's check under test can catch the defect: signing through the ``sign_assertion`` /
``sign_response`` arguments, validity through the release policy's ``lifetime``, the audience through the
policy's ``conditions``, recipient / InResponseTo through the subject-confirmation arguments, and an
earlier issue instant by running the IdP's clock back (time-machine) while the response is made.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import html
import json
import shutil
import sys
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, saml
from saml2.assertion import Policy
from saml2.attribute_converter import AttributeConverter
from saml2.config import IdPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import NAME_FORMAT_BASIC, NAMEID_FORMAT_EMAILADDRESS, NameID
from saml2.server import Server
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

ATTRIBUTE_NAMES = ("email", "name", "uid")
CONTROLS = {
    "sign_assertion": bool,  # default True
    "sign_response": bool,  # default False
    "audience": str,  # Audience in the AudienceRestriction (default: the SP's entity id)
    "not_on_or_after_minutes": int,  # lifetime of the assertion (default 5)
    "issue_instant_offset_minutes": int,  # the IdP's clock is moved by this much (e.g. -120)
    "recipient": str,  # SubjectConfirmationData/@Recipient (default: the ACS URL)
    "destination": str,  # Response/@Destination (default: the ACS URL)
    "in_response_to": str,  # InResponseTo of the Response and the SubjectConfirmationData
}
DEFAULT_LIFETIME_MINUTES = 5
MAX_BODY = 1024 * 1024


class BadRequest(Exception):
    """Answered with 400 and the message."""


class ControlledPolicy(Policy):
    """pysaml2's release policy, with the audience of the Conditions replaceable for one response."""

    def __init__(self, *, lifetime_minutes: int, audience: str | None, mds: Any) -> None:
        super().__init__(
            restrictions={
                "default": {
                    "lifetime": {"minutes": lifetime_minutes},
                    "name_form": NAME_FORMAT_BASIC,
                    "nameid_format": NAMEID_FORMAT_EMAILADDRESS,
                    "attribute_restrictions": None,
                    "fail_on_missing_requested": False,
                    "entity_categories": [],
                }
            },
            mds=mds,
        )
        self.audience = audience

    def conditions(self, sp_entity_id: str) -> Any:
        return super().conditions(self.audience or sp_entity_id)


class IdP:
    def __init__(self, *, base_url: str, key_file: str, cert_file: str, xmlsec_binary: str) -> None:
        self.base_url = base_url
        self.entity_id = f"{base_url}/metadata"
        self.sso_url = f"{base_url}/sso/redirect"
        config = IdPConfig()
        config.load(
            {
                "entityid": self.entity_id,
                "key_file": key_file,
                "cert_file": cert_file,
                "xmlsec_binary": xmlsec_binary,
                "service": {
                    "idp": {
                        "name": "Trustroom test IdP",
                        "endpoints": {"single_sign_on_service": [(self.sso_url, BINDING_HTTP_REDIRECT)]},
                        "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
                        "want_authn_requests_signed": False,
                        "signing_algorithm": SIG_RSA_SHA256,
                        "digest_algorithm": DIGEST_SHA256,
                    }
                },
                "metadata": {},
            }
        )
        self.config = config
        self.server = Server(config=config)
        # Attribute names go out exactly as "email", "name", "uid" (NameFormat basic), not renamed by
        # pysaml2's default maps.
        converter = AttributeConverter(NAME_FORMAT_BASIC)
        converter.from_dict(
            {
                "identifier": NAME_FORMAT_BASIC,
                "fro": {name: name for name in ATTRIBUTE_NAMES},
                "to": {name: name for name in ATTRIBUTE_NAMES},
            }
        )
        self.server.config.attribute_converters = [converter]
        self.sp_keys: dict[str, Any] = {}  # SP entity id -> key of its metadata in the store
        self.account: dict[str, Any] | None = None
        self.controls: dict[str, Any] = {}
        self.lock = threading.Lock()

    # -- admin -----------------------------------------------------------------------------------------
    def register_sp(self, metadata_xml: str) -> list[str]:
        store = self.server.metadata
        before = set(store.metadata)
        try:
            store.load("inline", metadata_xml)
        except Exception as exc:
            raise BadRequest(f"sp-metadata: not SAML metadata the IdP can read ({exc})") from exc
        new_keys = set(store.metadata) - before
        entity_ids: list[str] = []
        for key in new_keys:
            for entity_id, entity in store.metadata[key].items():
                if "spsso_descriptor" not in entity:
                    continue
                previous = self.sp_keys.get(entity_id)
                if previous is not None and previous in store.metadata and previous != key:
                    del store.metadata[previous]
                self.sp_keys[entity_id] = key
                entity_ids.append(entity_id)
        if not entity_ids:
            for key in new_keys:
                del store.metadata[key]
            raise BadRequest("sp-metadata: no SPSSODescriptor (service provider) in the metadata")
        return entity_ids

    def set_account(self, body: dict[str, Any]) -> dict[str, Any]:
        email = body.get("email")
        name = body.get("name", "")
        if not isinstance(email, str) or "@" not in email:
            raise BadRequest("next-account: 'email' must be an e-mail address")
        if not isinstance(name, str):
            raise BadRequest("next-account: 'name' must be a string")
        uid = body.get("uid") or email
        extra = body.get("attributes") or {}
        if not isinstance(extra, dict) or not all(isinstance(k, str) for k in extra):
            raise BadRequest("next-account: 'attributes' must be an object of attribute name to value(s)")
        self.account = {"email": email, "name": name, "uid": str(uid), "attributes": extra}
        return {"email": email, "name": name, "uid": str(uid)}

    def set_controls(self, body: dict[str, Any]) -> dict[str, Any]:
        controls: dict[str, Any] = {}
        for key, value in body.items():
            kind = CONTROLS.get(key)
            if kind is None:
                raise BadRequest(f"next-response: unknown control {key!r}; known: {', '.join(CONTROLS)}")
            if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
                raise BadRequest(f"next-response: {key!r} must be an integer (minutes)")
            if not isinstance(value, kind):
                raise BadRequest(f"next-response: {key!r} must be a {kind.__name__}")
            controls[key] = value
        self.controls = controls
        return controls

    # -- responses -------------------------------------------------------------------------------------
    def acs_for(self, sp_entity_id: str) -> str:
        if sp_entity_id not in self.sp_keys:
            raise BadRequest(f"sp_entity_id: {sp_entity_id!r} is not registered (POST /__admin/sp-metadata)")
        services = self.server.metadata.assertion_consumer_service(sp_entity_id, binding=BINDING_HTTP_POST)
        if not services:
            raise BadRequest(f"sp_entity_id: {sp_entity_id!r} has no HTTP-POST AssertionConsumerService")
        return str(services[0]["location"])

    def parse_authn_request(self, saml_request: str) -> dict[str, Any]:
        try:
            request = self.server.parse_authn_request(saml_request, BINDING_HTTP_REDIRECT)
        except Exception as exc:
            raise BadRequest(f"SAMLRequest: not an AuthnRequest the IdP can read ({exc})") from exc
        message = request.message
        sp_entity_id = message.issuer.text if message.issuer is not None else None
        if not sp_entity_id or sp_entity_id not in self.sp_keys:
            raise BadRequest(f"SAMLRequest: issuer {sp_entity_id!r} is not a registered SP")
        registered = [
            str(service["location"])
            for service in self.server.metadata.assertion_consumer_service(
                sp_entity_id, binding=BINDING_HTTP_POST
            )
        ]
        acs_url = message.assertion_consumer_service_url
        if acs_url and acs_url not in registered:
            raise BadRequest(
                f"SAMLRequest: AssertionConsumerServiceURL {acs_url!r} is not in the SP's metadata"
            )
        return {"id": message.id, "sp_entity_id": sp_entity_id, "acs_url": acs_url or registered[0]}

    def make_response(self, *, sp_entity_id: str, acs_url: str, in_response_to: str | None) -> str:
        """The base64 SAMLResponse for the current account; consumes the pending controls."""
        if self.account is None:
            raise BadRequest("no account: POST /__admin/next-account first")
        controls, self.controls = self.controls, {}
        account = self.account
        identity: dict[str, list[str]] = {
            "email": [account["email"]],
            "name": [account["name"]],
            "uid": [account["uid"]],
        }
        for attr, value in account["attributes"].items():
            identity[attr] = [str(v) for v in value] if isinstance(value, list) else [str(value)]
        in_response_to = controls.get("in_response_to", in_response_to)
        policy = ControlledPolicy(
            lifetime_minutes=controls.get("not_on_or_after_minutes", DEFAULT_LIFETIME_MINUTES),
            audience=controls.get("audience"),
            mds=self.server.metadata,
        )
        confirmation_data: dict[str, Any] = {"recipient": controls.get("recipient", acs_url)}
        if in_response_to:
            confirmation_data["in_response_to"] = in_response_to
        farg = {
            "assertion": {
                "subject": {
                    "subject_confirmation": {
                        "method": saml.SCM_BEARER,
                        "subject_confirmation_data": confirmation_data,
                    }
                }
            }
        }

        def create() -> str:
            response = self.server.create_authn_response(
                identity,
                in_response_to,
                controls.get("destination", acs_url),
                sp_entity_id,
                name_id=NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=account["email"]),
                authn={"class_ref": saml.AUTHN_PASSWORD_PROTECTED, "authn_auth": self.entity_id},
                release_policy=policy,
                farg=farg,
                sign_assertion=controls.get("sign_assertion", True),
                sign_response=controls.get("sign_response", False),
            )
            return str(response)

        offset = controls.get("issue_instant_offset_minutes", 0)
        if offset:
            import time_machine

            moment = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=offset)
            with time_machine.travel(moment, tick=True):
                xml = create()
        else:
            xml = create()
        return base64.b64encode(xml.encode("utf-8")).decode("ascii")

    def metadata_xml(self) -> str:
        return create_metadata_string(None, config=self.config, valid=24).decode("utf-8")


def auto_submit_form(acs_url: str, fields: dict[str, str]) -> str:
    inputs = "\n".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">' for k, v in fields.items()
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Signing you in</title></head>'
        f'<body onload="document.forms[0].submit()"><h1>Signing you in</h1>'
        f'<form method="post" action="{html.escape(acs_url)}">{inputs}'
        '<noscript><button type="submit">Continue</button></noscript></form></body></html>'
    )


def make_app(idp: IdP) -> Callable[..., Iterable[bytes]]:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        def reply(status: str, body: str | bytes | dict[str, Any], content_type: str = "application/json"):
            if isinstance(body, dict):
                body = json.dumps(body)
            data = body.encode("utf-8") if isinstance(body, str) else body
            start_response(
                status,
                [("Content-Type", f"{content_type}; charset=utf-8"), ("Content-Length", str(len(data)))],
            )
            return [data]

        method = environ["REQUEST_METHOD"]
        path = environ.get("PATH_INFO", "")
        try:
            with idp.lock:
                if method == "GET" and path == "/metadata":
                    return reply("200 OK", idp.metadata_xml(), "application/samlmetadata+xml")
                if method == "GET" and path == "/sso/redirect":
                    query = parse_qs(environ.get("QUERY_STRING", ""))
                    saml_request = (query.get("SAMLRequest") or [""])[0]
                    if not saml_request:
                        raise BadRequest("SAMLRequest: missing")
                    relay_state = (query.get("RelayState") or [""])[0]
                    request = idp.parse_authn_request(saml_request)
                    fields = {
                        "SAMLResponse": idp.make_response(
                            sp_entity_id=request["sp_entity_id"],
                            acs_url=request["acs_url"],
                            in_response_to=request["id"],
                        ),
                        "RelayState": relay_state,
                    }
                    if "application/json" in environ.get("HTTP_ACCEPT", ""):
                        return reply("200 OK", {"acs_url": request["acs_url"], **fields})
                    return reply("200 OK", auto_submit_form(request["acs_url"], fields), "text/html")
                if method != "POST":
                    return reply("404 Not Found", {"error": f"no route {method} {path}"})
                body = read_body(environ)
                if path == "/__admin/sp-metadata":
                    return reply("200 OK", {"registered": idp.register_sp(body.decode("utf-8"))})
                data = json.loads(body or b"{}")
                if not isinstance(data, dict):
                    raise BadRequest("body: a JSON object is required")
                if path == "/__admin/next-account":
                    return reply("200 OK", {"account": idp.set_account(data)})
                if path == "/__test/next-response":
                    return reply("200 OK", {"controls": idp.set_controls(data)})
                if path == "/__test/reset":
                    idp.controls, idp.account = {}, None
                    return reply("200 OK", {"reset": True})
                if path == "/__test/idp-initiated":
                    sp_entity_id = data.get("sp_entity_id")
                    if not isinstance(sp_entity_id, str):
                        raise BadRequest("sp_entity_id: required")
                    acs_url = idp.acs_for(sp_entity_id)
                    saml_response = idp.make_response(
                        sp_entity_id=sp_entity_id, acs_url=acs_url, in_response_to=None
                    )
                    return reply(
                        "200 OK",
                        {
                            "acs_url": acs_url,
                            "SAMLResponse": saml_response,
                            "RelayState": str(data.get("relay_state") or ""),
                        },
                    )
                return reply("404 Not Found", {"error": f"no route {method} {path}"})
        except BadRequest as exc:
            return reply("400 Bad Request", {"error": str(exc)})
        except json.JSONDecodeError as exc:
            return reply("400 Bad Request", {"error": f"body: not JSON ({exc})"})
        except Exception as exc:  # test infrastructure: say what broke instead of a bare 500
            print(f"idp error: {exc!r}", file=sys.stderr, flush=True)
            return reply("500 Internal Server Error", {"error": repr(exc)})

    return app


def read_body(environ: dict[str, Any]) -> bytes:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    if length > MAX_BODY:
        raise BadRequest("body: too large")
    return bytes(environ["wsgi.input"].read(length)) if length else b""


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        sys.stderr.write(f"idp: {format % args}\n")


def certificate_body(cert_file: str) -> str:
    lines = Path(cert_file).read_text(encoding="ascii").strip().splitlines()
    return "".join(line.strip() for line in lines if not line.startswith("-----"))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--port", type=int, default=0, help="0 = any free port")
    parser.add_argument("--key", required=True, help="PEM private key for signing")
    parser.add_argument("--cert", required=True, help="PEM self-signed certificate of that key")
    parser.add_argument("--xmlsec", default=shutil.which("xmlsec1") or "/usr/bin/xmlsec1")
    args = parser.parse_args(argv)

    httpd: WSGIServer = make_server("127.0.0.1", args.port, lambda e, s: [], handler_class=QuietHandler)
    port = httpd.server_address[1]
    idp = IdP(
        base_url=f"http://127.0.0.1:{port}", key_file=args.key, cert_file=args.cert, xmlsec_binary=args.xmlsec
    )
    httpd.set_app(make_app(idp))
    print(
        json.dumps(
            {
                "port": port,
                "entity_id": idp.entity_id,
                "sso_url": idp.sso_url,
                "metadata_url": idp.entity_id,
                "certificate": certificate_body(args.cert),
            }
        ),
        flush=True,
    )
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()


if __name__ == "__main__":
    main()
