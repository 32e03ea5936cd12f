"""A real OpenID Provider on loopback for the SSO tests: the npm package `oidc-provider`, run by
`tests/idp/oidc/server.js` as one node process serving two issuers (tenants "a" and "b") that sign with
the same key. This module starts it (the session fixture `oidc_idp`) and drives it (`OidcIdp`).

A full flow, as the relying party's tests use it::

    oidc_idp.set_account("alice", "alice@alpha.test", name="Alice")
    oidc_idp.add_client("a", "trustroom", "s3cret", ["http://testserver/sso/callback/"])
    # the RP builds its authorization URL (state, nonce, S256 PKCE) against oidc_idp.issuer("a") ...
    callback = oidc_idp.follow_authorization(authorize_url + "&login_hint=alice")
    # ... and the test hands `callback` (…/sso/callback/?code=…&state=…&iss=…) to the RP.

    # Token substitution: a token tenant b really issued, played into a flow with tenant a.
    foreign = oidc_idp.issue_id_token("b", "trustroom", "s3cret", redirect_uri, nonce, "alice")
    oidc_idp.substitute_next_id_token("a", foreign)
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import queue
import secrets
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from tests.loopback import stop

IDP_DIR = Path(__file__).resolve().parents[2] / "idp" / "oidc"
TENANTS = ("a", "b")
DEFAULT_SCOPE = "openid email profile"
START_TIMEOUT_SECONDS = 20.0
HTTP_TIMEOUT_SECONDS = 10.0
CLIENT_SECRET_BASIC = "client_secret_basic"
MAX_REDIRECTS = 20
MIN_NODE = (20, 19)


class OidcIdpError(RuntimeError):
    """The test IdP could not be started, or answered something a flow did not expect."""


def pkce_pair() -> tuple[str, str]:
    """A fresh PKCE code verifier and its S256 code challenge."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=")
    return verifier, challenge.decode("ascii")


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc


@dataclass
class OidcIdp:
    """Client of a running test IdP. `base_url` is http://127.0.0.1:<port>; tenants are "a" and "b"."""

    base_url: str
    signing_jwk: dict[str, Any]  # the public half of the key every tenant signs with
    _clients: dict[tuple[str, str], str] = field(default_factory=dict)  # (tenant, client_id) -> auth method
    _http: requests.Session = field(default_factory=requests.Session)

    # --- addresses --------------------------------------------------------------------------------------
    def issuer(self, tenant: str) -> str:
        self._check_tenant(tenant)
        return f"{self.base_url}/{tenant}"

    def discovery_url(self, tenant: str) -> str:
        return f"{self.issuer(tenant)}/.well-known/openid-configuration"

    def discovery(self, tenant: str) -> dict[str, Any]:
        return self._get_json(self.discovery_url(tenant))

    def authorization_endpoint(self, tenant: str) -> str:
        return f"{self.issuer(tenant)}/auth"

    def token_endpoint(self, tenant: str) -> str:
        return f"{self.issuer(tenant)}/token"

    def jwks_uri(self, tenant: str) -> str:
        return f"{self.issuer(tenant)}/jwks"

    def jwks(self, tenant: str) -> dict[str, Any]:
        return self._get_json(self.jwks_uri(tenant))

    # --- set-up -----------------------------------------------------------------------------------------
    def set_account(self, sub: str, email: str, email_verified: bool = True, name: str | None = None) -> None:
        """Add or replace an account (shared by every tenant, like one directory behind a multi-tenant IdP)."""
        self._post(
            "/__admin/accounts",
            {"sub": sub, "email": email, "email_verified": email_verified, "name": name or email},
        )

    def add_client(
        self,
        tenant: str,
        client_id: str,
        client_secret: str,
        redirect_uris: list[str],
        token_endpoint_auth_method: str = CLIENT_SECRET_BASIC,
    ) -> None:
        """Register (or replace) a confidential client with the authorization-code grant at one tenant."""
        self._check_tenant(tenant)
        self._post(
            f"/__admin/{tenant}/clients",
            {
                "client_id": client_id,
                "client_secret": client_secret,
                "redirect_uris": list(redirect_uris),
                "token_endpoint_auth_method": token_endpoint_auth_method,
            },
        )
        self._clients[(tenant, client_id)] = token_endpoint_auth_method

    def set_next_account(self, tenant: str, sub: str | None) -> None:
        """The account a tenant logs in when the authorization request has no login_hint (None: none)."""
        self._check_tenant(tenant)
        self._post(f"/__admin/{tenant}/next-account", {"sub": sub})

    # --- the token substitution hook -----------------------------------------------------------------
    def substitute_next_id_token(self, tenant: str, id_token: str | None) -> None:
        """The next successful token response of `tenant` carries `id_token` instead of its own, once.
        None cancels a substitution still pending."""
        self._check_tenant(tenant)
        self._post(f"/__test/{tenant}/next-id-token", {"id_token": id_token})

    def substitution_pending(self, tenant: str) -> bool:
        self._check_tenant(tenant)
        return bool(self._get_json(f"{self.base_url}/__test/{tenant}/next-id-token")["pending"])

    # --- flows ------------------------------------------------------------------------------------------
    def authorization_url(
        self,
        tenant: str,
        client_id: str,
        redirect_uri: str,
        *,
        state: str,
        nonce: str,
        code_challenge: str,
        login_hint: str | None = None,
        scope: str = DEFAULT_SCOPE,
    ) -> str:
        params = {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "scope": scope,
            "state": state,
            "nonce": nonce,
            "code_challenge": code_challenge,
            "code_challenge_method": "S256",
        }
        if login_hint is not None:
            params["login_hint"] = login_hint
        return f"{self.authorization_endpoint(tenant)}?{urlencode(params)}"

    def follow_authorization(self, authorize_url: str) -> str:
        """Follow the OP's redirects from `authorize_url`, as a browser with a fresh cookie jar would,
        until a Location leaves the OP; return that URL (the RP's callback with code and state, or with
        error and error_description). Raises OidcIdpError when the OP answers anything but a redirect."""
        if _origin(authorize_url) != _origin(self.base_url):
            raise OidcIdpError(f"{authorize_url} is not an address of the test IdP at {self.base_url}")
        browser = requests.Session()
        url = authorize_url
        for _ in range(MAX_REDIRECTS):
            response = browser.get(url, allow_redirects=False, timeout=HTTP_TIMEOUT_SECONDS)
            location = response.headers.get("Location")
            if not response.is_redirect or not location:
                raise OidcIdpError(
                    f"the test IdP answered {response.status_code} at {url} instead of a redirect: "
                    f"{response.text[:1000]}"
                )
            url = urljoin(url, location)
            if _origin(url) != _origin(self.base_url):
                return url
        raise OidcIdpError(f"more than {MAX_REDIRECTS} redirects inside the test IdP from {authorize_url}")

    def exchange_code(
        self,
        tenant: str,
        client_id: str,
        client_secret: str,
        redirect_uri: str,
        code: str,
        code_verifier: str,
    ) -> requests.Response:
        """POST the authorization code to the tenant's token endpoint as the client; the raw response."""
        method = self._clients.get((tenant, client_id), CLIENT_SECRET_BASIC)
        data = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": code_verifier,
        }
        auth: tuple[str, str] | None = None
        if method == CLIENT_SECRET_BASIC:
            auth = (client_id, client_secret)
        else:
            data["client_id"] = client_id
            if method == "client_secret_post":
                data["client_secret"] = client_secret
        return self._http.post(
            self.token_endpoint(tenant), data=data, auth=auth, timeout=HTTP_TIMEOUT_SECONDS
        )

    def issue_id_token(
        self,
        tenant: str,
        client_id: str,
        client_secret: str,
        redirect_uri: str,
        nonce: str,
        login_hint: str,
    ) -> str:
        """Run a whole authorization-code flow with PKCE at `tenant` as that client and return the ID
        token the OP really issued (signed with the shared key; iss = the tenant, aud = client_id)."""
        verifier, challenge = pkce_pair()
        state = secrets.token_urlsafe(16)
        callback = self.follow_authorization(
            self.authorization_url(
                tenant,
                client_id,
                redirect_uri,
                state=state,
                nonce=nonce,
                code_challenge=challenge,
                login_hint=login_hint,
            )
        )
        query = parse_qs(urlsplit(callback).query)
        if "code" not in query:
            raise OidcIdpError(f"the test IdP sent no code to {callback}")
        if query.get("state") != [state]:
            raise OidcIdpError(f"the test IdP returned state {query.get('state')}, expected {state}")
        response = self.exchange_code(
            tenant, client_id, client_secret, redirect_uri, query["code"][0], verifier
        )
        if response.status_code != 200:
            raise OidcIdpError(f"token endpoint answered {response.status_code}: {response.text[:1000]}")
        return str(response.json()["id_token"])

    # --- plumbing ---------------------------------------------------------------------------------------
    def _check_tenant(self, tenant: str) -> None:
        if tenant not in TENANTS:
            raise ValueError(f"tenant must be one of {TENANTS}, not {tenant!r}")

    def _get_json(self, url: str) -> dict[str, Any]:
        response = self._http.get(url, timeout=HTTP_TIMEOUT_SECONDS)
        if response.status_code != 200:
            raise OidcIdpError(f"GET {url} answered {response.status_code}: {response.text[:1000]}")
        return dict(response.json())

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self._http.post(f"{self.base_url}{path}", json=body, timeout=HTTP_TIMEOUT_SECONDS)
        if response.status_code not in (200, 201):
            raise OidcIdpError(f"POST {path} answered {response.status_code}: {response.text[:1000]}")
        return dict(response.json())


# --- the process --------------------------------------------------------------------------------------------
def unavailable_reason() -> str | None:
    """Why the test IdP cannot run here, or None."""
    node = shutil.which("node")
    if node is None:
        return "node is not installed (scripts/ensure-services.sh installs it with apt-get)"
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=False).stdout.strip()
    try:
        major, minor = (int(part) for part in version.lstrip("v").split(".")[:2])
    except ValueError:
        return f"could not read the version of {node} ({version!r})"
    if (major, minor) < MIN_NODE:
        return f"node {version} is too old for oidc-provider 9 (needs {MIN_NODE[0]}.{MIN_NODE[1]} or later)"
    if not (IDP_DIR / "node_modules" / "oidc-provider").is_dir():
        return (
            f"{IDP_DIR / 'node_modules'} is missing "
            "(run: npm ci --prefix tests/idp/oidc --no-audit --no-fund, or scripts/ensure-services.sh)"
        )
    return None


def _signing_key() -> tuple[dict[str, Any], dict[str, Any]]:
    """A fresh RSA key as (private JWK for the OP, public JWK for the tests)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    kid = secrets.token_hex(8)
    private = RSAAlgorithm.to_jwk(key, as_dict=True)
    public = RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    for jwk in (private, public):
        jwk.update({"kid": kid, "use": "sig", "alg": "RS256"})
    return private, public


def _drain(stream: Any, sink: queue.Queue[str]) -> None:
    for line in iter(stream.readline, ""):
        sink.put(line)
    stream.close()


@contextmanager
def running_oidc_idp(workdir: Path) -> Iterator[OidcIdp]:
    """Start the test IdP (config written under `workdir`), yield its client, stop it at the end."""
    private_jwk, public_jwk = _signing_key()
    config_path = workdir / "oidc-idp.json"
    config = {"jwks": {"keys": [private_jwk]}, "accounts": {}, "tenants": {name: {} for name in TENANTS}}
    config_path.write_text(json.dumps(config), encoding="utf-8")
    config_path.chmod(0o600)
    node = shutil.which("node") or "node"
    process = subprocess.Popen(
        [node, str(IDP_DIR / "server.js"), str(config_path), "0"],
        cwd=IDP_DIR,
        stdin=subprocess.PIPE,  # the server exits when this closes, even if this process is killed
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    stdout: queue.Queue[str] = queue.Queue()
    stderr: queue.Queue[str] = queue.Queue()
    readers = [
        threading.Thread(target=_drain, args=(stream, sink), daemon=True)
        for stream, sink in ((process.stdout, stdout), (process.stderr, stderr))
    ]
    for reader in readers:
        reader.start()

    def stderr_text() -> str:
        lines = []
        while not stderr.empty():
            lines.append(stderr.get_nowait())
        return "".join(lines).strip() or "(nothing)"

    try:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        port: int | None = None
        while port is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise OidcIdpError(
                    f"the test IdP did not report its port within {START_TIMEOUT_SECONDS:.0f}s; "
                    f"node's stderr: {stderr_text()}"
                )
            try:
                line = stdout.get(timeout=min(remaining, 0.2))
            except queue.Empty:
                if process.poll() is not None:
                    for reader in readers:  # let them collect node's last words
                        reader.join(timeout=2)
                    raise OidcIdpError(
                        f"the test IdP exited with status {process.returncode} before listening; "
                        f"node's stderr: {stderr_text()}"
                    ) from None
                continue
            try:
                port = int(json.loads(line)["port"])
            except (ValueError, KeyError, TypeError):
                continue  # not the announcement line
        yield OidcIdp(base_url=f"http://127.0.0.1:{port}", signing_jwk=public_jwk)
    finally:
        if process.stdin is not None:
            process.stdin.close()
        stop(process)


@pytest.fixture(scope="session")
def oidc_idp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OidcIdp]:
    """The test IdP for the whole session. Skipped when node or its modules are missing; with CI=true that
    is a failure instead. Accounts, clients and pending substitutions persist across tests: give each test
    its own client_id / sub, and cancel a substitution you did not consume."""
    reason = unavailable_reason()
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the OIDC test IdP is required in CI: {reason}")
        pytest.skip(reason)
    with running_oidc_idp(tmp_path_factory.mktemp("oidc-idp")) as idp:
        yield idp
