"""security.txt (RFC 9116): what the file says, when it may be served, and optional clear-signing.

Fail-safe on expiry: a file is never served once its Expires moment has passed (the view answers 404).
Renewing on read would be a write on an anonymous GET and would quietly extend a policy that nobody is
looking after; an absent file only tells researchers to look elsewhere, while a stale one sends their
report to a contact that may be dead. The daily job (`trustroom disclosure renew-security-txt`) keeps
a maintained policy from ever reaching that point.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from datetime import UTC, datetime, timedelta

from django.conf import settings

from trustroom.disclosure.models import DisclosurePolicy

log = logging.getLogger(__name__)

# RFC 9116 2.5.5: Expires SHOULD be less than a year ahead. Renewal sets it to now + 1 year - 1 day,
# and does so when it would otherwise fall within RENEW_WITHIN.
MAX_AHEAD = timedelta(days=365)
RENEWED_AHEAD = timedelta(days=364)
RENEW_WITHIN = timedelta(days=30)
CONTENT_TYPE = "text/plain; charset=utf-8"
EOL = "\r\n"


def is_servable(policy: DisclosurePolicy | None, now: datetime) -> bool:
    """Published and not expired (computed when read, whether or not the renewal job ran)."""
    return policy is not None and policy.published and policy.expires_at > now


def format_expires(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def render(policy: DisclosurePolicy, *, canonical_url: str, policy_url: str) -> str:
    """The unsigned file: one field per line, CRLF line ends (RFC 9116 allows CRLF or LF)."""
    lines = [f"# Security contact of {policy.organization.name}; see RFC 9116."]
    lines += [f"Contact: {uri}" for uri in policy.contacts]
    lines.append(f"Expires: {format_expires(policy.expires_at)}")
    lines.append(f"Policy: {policy_url}")
    if policy.preferred_languages:
        lines.append(f"Preferred-Languages: {', '.join(policy.preferred_languages)}")
    lines.append(f"Canonical: {canonical_url}")
    if policy.acknowledgments_url:
        lines.append(f"Acknowledgments: {policy.acknowledgments_url}")
    if policy.hiring_url:
        lines.append(f"Hiring: {policy.hiring_url}")
    return EOL.join(lines) + EOL


def gpg_available() -> bool:
    return shutil.which("gpg") is not None


def clear_sign(text: str, key_id: str) -> str | None:
    """The OpenPGP cleartext-signed file, or None when gpg is missing or signing fails (then plain)."""
    gpg = shutil.which("gpg")
    if not key_id or gpg is None:
        return None
    command = [gpg, "--batch", "--yes", "--armor", "--local-user", key_id, "--clearsign"]
    home = getattr(settings, "TRUSTROOM_GPG_HOME", "")
    if home:
        command[1:1] = ["--homedir", str(home)]
    try:
        done = subprocess.run(  # noqa: S603 - fixed arguments, no shell
            command, input=text.encode(), capture_output=True, timeout=10, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        log.warning("security.txt: gpg could not run; serving the file unsigned")
        return None
    if done.returncode != 0:
        log.warning("security.txt: gpg refused to sign with %s; serving the file unsigned", key_id)
        return None
    return done.stdout.decode()
