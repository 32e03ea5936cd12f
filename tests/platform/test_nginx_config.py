"""`nginx -t` accepts deploy/nginx/trustroom.conf, with a throwaway certificate in place of the real one.

Runs where nginx is installed (`apt-get install nginx-light`; bench/trust_center.py installs it too) and
is skipped elsewhere; tests/platform/test_deploy_files.py checks the same file's content everywhere.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.identity.sso.saml_idp import make_key_and_certificate
from tests.platform.deploy_files import NGINX_CONF

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
LIVE = "/etc/letsencrypt/live/trust.example.com"

pytestmark = pytest.mark.skipif(NGINX is None, reason="nginx is not installed (apt-get install nginx-light)")


def test_nginx_accepts_the_sample_site(tmp_path: Path) -> None:
    key, cert = make_key_and_certificate(tmp_path, "trust.example.com")
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
