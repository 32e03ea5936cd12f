"""The ``saml_idp`` fixture: a real SAML 2.0 IdP (pysaml2, ``tests/idp/saml/idp_server.py``) in its own
process on 127.0.0.1, and a small driver for it.

The IdP's signing key and self-signed certificate are made per test session with ``cryptography``.
Without the ``xmlsec1`` binary (which pysaml2 signs with) the fixture skips, except with ``CI=true``, where
it fails: install it with ``apt-get install -y xmlsec1`` (``scripts/ensure-services.sh`` does).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import selectors
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

IDP_SERVER = Path(__file__).resolve().parents[2] / "idp" / "saml" / "idp_server.py"
START_TIMEOUT = 20.0
HTTP_TIMEOUT = 15.0

# The attribute names the IdP sends (NameFormat basic); the NameID is the e-mail (format emailAddress).
ATTRIBUTE_EMAIL = "email"
ATTRIBUTE_NAME = "name"
ATTRIBUTE_UID = "uid"


class SamlIdPError(RuntimeError):
    """The IdP refused a driver call; the message carries its answer."""


def make_key_and_certificate(directory: Path, common_name: str = "Trustroom test IdP") -> tuple[Path, Path]:
    """A 2048-bit RSA key and a self-signed certificate for it, as PEM files in ``directory``."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_path = directory / "idp.key"
    cert_path = directory / "idp.crt"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    key_path.chmod(0o600)
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


@dataclass
class SamlIdP:
    """Driver for the running IdP. ``certificate`` is the base64 DER body of the IdP's signing
    certificate, without PEM header/footer lines: what ``<ds:X509Certificate>`` in IdP metadata carries
    and what python3-saml's ``idp.x509cert`` accepts. ``certificate_pem`` is the full PEM text."""

    base_url: str
    entity_id: str
    sso_url: str
    certificate: str
    certificate_pem: str
    session: requests.Session = field(default_factory=requests.Session, repr=False)

    # -- HTTP --------------------------------------------------------------------------------------------
    def _post(self, path: str, **kwargs: Any) -> Any:
        response = self.session.post(f"{self.base_url}{path}", timeout=HTTP_TIMEOUT, **kwargs)
        return self._json(response, f"POST {path}")

    @staticmethod
    def _json(response: requests.Response, what: str) -> Any:
        if response.status_code != 200:
            try:
                reason = response.json().get("error", response.text)
            except ValueError:
                reason = response.text
            raise SamlIdPError(f"{what}: IdP answered {response.status_code}: {reason}")
        return response.json()

    # -- set-up ------------------------------------------------------------------------------------------
    def metadata_xml(self) -> str:
        """The IdP's SAML metadata (entity id, SSO redirect endpoint, signing certificate)."""
        response = self.session.get(f"{self.base_url}/metadata", timeout=HTTP_TIMEOUT)
        response.raise_for_status()
        return response.text

    def register_sp(self, metadata_xml: str | bytes) -> list[str]:
        """Teach the IdP an SP (entity id, ACS) from its metadata; returns the registered entity ids.
        Registering the same entity id again replaces it."""
        body = metadata_xml.encode("utf-8") if isinstance(metadata_xml, str) else metadata_xml
        data = self._post("/__admin/sp-metadata", data=body, headers={"Content-Type": "application/xml"})
        return list(data["registered"])

    def set_account(
        self, email: str, name: str = "", *, uid: str | None = None, attributes: dict[str, Any] | None = None
    ) -> None:
        """The account the following responses are for (until changed). NameID = ``email``; attributes
        ``email``, ``name`` and ``uid`` (default: the email), plus ``attributes``."""
        body: dict[str, Any] = {"email": email, "name": name}
        if uid is not None:
            body["uid"] = uid
        if attributes:
            body["attributes"] = attributes
        self._post("/__admin/next-account", json=body)

    def next_response(self, **controls: Any) -> None:
        """Controls for the NEXT response only (replacing any pending ones):
        ``sign_assertion`` (default True), ``sign_response`` (default False), ``audience``,
        ``not_on_or_after_minutes`` (default 5), ``issue_instant_offset_minutes`` (e.g. -120),
        ``recipient``, ``destination``, ``in_response_to``."""
        self._post("/__test/next-response", json=controls)

    def reset(self) -> None:
        """Forget pending controls and the account."""
        self._post("/__test/reset", json={})

    # -- flows -------------------------------------------------------------------------------------------
    def respond_to(self, login_redirect_url: str) -> dict[str, str]:
        """Follow the SP's redirect to the IdP (the Location of the SP's login answer) and return what the
        browser would POST to the SP: ``{"acs_url", "SAMLResponse", "RelayState"}``."""
        target = urlsplit(login_redirect_url)
        ours = urlsplit(self.sso_url)
        if (target.scheme, target.netloc, target.path) != (ours.scheme, ours.netloc, ours.path):
            raise SamlIdPError(f"respond_to: {login_redirect_url!r} is not this IdP's SSO URL {self.sso_url}")
        response = self.session.get(
            login_redirect_url,
            headers={"Accept": "application/json"},
            timeout=HTTP_TIMEOUT,
            allow_redirects=False,
        )
        data = self._json(response, "GET /sso/redirect")
        return {
            "acs_url": data["acs_url"],
            "SAMLResponse": data["SAMLResponse"],
            "RelayState": data["RelayState"],
        }

    def idp_initiated(self, sp_entity_id: str, relay_state: str = "") -> dict[str, str]:
        """An unsolicited (IdP-initiated) response for a registered SP: no InResponseTo."""
        data = self._post(
            "/__test/idp-initiated", json={"sp_entity_id": sp_entity_id, "relay_state": relay_state}
        )
        return {
            "acs_url": data["acs_url"],
            "SAMLResponse": data["SAMLResponse"],
            "RelayState": data["RelayState"],
        }


def _missing(message: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def _read_first_line(process: subprocess.Popen[bytes], timeout: float) -> bytes:
    assert process.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    deadline = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=timeout)
    line = b""
    try:
        while not line.endswith(b"\n"):
            remaining = (deadline - dt.datetime.now(dt.UTC)).total_seconds()
            if remaining <= 0 or not selector.select(remaining):
                break
            chunk = os.read(process.stdout.fileno(), 4096)
            if not chunk:
                break
            line += chunk
    finally:
        selector.close()
    return line


def start_saml_idp(directory: Path) -> tuple[subprocess.Popen[bytes], SamlIdP]:
    key_path, cert_path = make_key_and_certificate(directory)
    stderr_path = directory / "idp.stderr"
    with stderr_path.open("wb") as stderr:
        process = subprocess.Popen(
            [
                sys.executable,
                str(IDP_SERVER),
                "--port",
                "0",
                "--key",
                str(key_path),
                "--cert",
                str(cert_path),
            ],
            stdout=subprocess.PIPE,
            stderr=stderr,
            cwd=directory,
        )
    line = _read_first_line(process, START_TIMEOUT)
    try:
        info = json.loads(line)
    except ValueError:
        process.kill()
        process.wait(5)
        tail = stderr_path.read_text(errors="replace")[-3000:]
        raise RuntimeError(
            f"the SAML IdP ({IDP_SERVER}) did not report it was listening within {START_TIMEOUT:.0f}s "
            f"(exit code {process.returncode}); stdout: {line!r}; stderr:\n{tail}"
        ) from None
    idp = SamlIdP(
        base_url=f"http://127.0.0.1:{info['port']}",
        entity_id=info["entity_id"],
        sso_url=info["sso_url"],
        certificate=info["certificate"],
        certificate_pem=cert_path.read_text(),
    )
    return process, idp


def stop_process(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)
    if process.stdout is not None:
        process.stdout.close()


@pytest.fixture(scope="session")
def saml_idp() -> Iterator[SamlIdP]:
    """A running pysaml2 IdP for the whole session. Its state (account, pending controls, SPs) is shared:
    tests set the account they need and may call ``reset()``."""
    if shutil.which("xmlsec1") is None:
        _missing("xmlsec1 is not installed (pysaml2 signs with it): apt-get install -y xmlsec1")
    with tempfile.TemporaryDirectory(prefix="trustroom-saml-idp-") as tmp:
        process, idp = start_saml_idp(Path(tmp))
        try:
            yield idp
        finally:
            idp.session.close()
            stop_process(process)
