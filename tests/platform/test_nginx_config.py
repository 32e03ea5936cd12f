"""`nginx -t` accepts deploy/nginx/trustroom.conf, with a throwaway certificate in place of the real one.

Runs where nginx is installed (`apt-get install nginx-light`; bench/trust_center.py installs it too) and
is skipped elsewhere; tests/platform/test_deploy_files.py checks the same file's content everywhere.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.platform.deploy_files import NGINX_CONF

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
LIVE = "/etc/letsencrypt/live/trust.example.com"

pytestmark = pytest.mark.skipif(NGINX is None, reason="nginx is not installed (apt-get install nginx-light)")


def self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "trust.example.com")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "fullchain.pem", directory / "privkey.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


def test_nginx_accepts_the_sample_site(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    site = NGINX_CONF.read_text()
    assert f"{LIVE}/fullchain.pem" in site and f"{LIVE}/privkey.pem" in site
    site = site.replace(f"{LIVE}/fullchain.pem", str(cert)).replace(f"{LIVE}/privkey.pem", str(key))
    (tmp_path / "trustroom.conf").write_text(site)
    # The site goes inside an http block, as /etc/nginx/nginx.conf includes sites-enabled/.
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\n"
        f"error_log {tmp_path}/error.log;\n"
        "events {}\n"
        f"http {{\n  access_log off;\n  include {tmp_path}/trustroom.conf;\n}}\n"
    )
    result = subprocess.run(
        [str(NGINX), "-t", "-q", "-p", str(tmp_path), "-e", str(tmp_path / "error.log"),
         "-c", str(tmp_path / "nginx.conf")],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "warn" not in result.stderr, result.stderr
