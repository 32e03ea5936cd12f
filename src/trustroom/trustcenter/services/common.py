"""What every step of the trust center's gated-document flow shares: the visitor principal, secret
digests, links and mail sent on commit, and the refusal a link that opens nothing raises.

Members act through `Principal`s checked by the models' policies. Visitors are not members: their steps
are authorized by what they hold (the verification link, the access link, the signed download link) and
recorded in the audit log under a `VisitorPrincipal`, which names the person and holds no role.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string

from trustroom.tenancy.models import Organization
from trustroom.tenancy.principal import Principal
from trustroom.trustcenter.models import AccessGrant

MAX_GRANT_DAYS = 366
VISITOR_ROLE = "visitor"  # not a membership role: no policy grants it anything

_DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


class VisitorPrincipal(Principal):
    """An external person acting on the trust center (requesting, accepting terms, downloading).

    They are not a member and hold no role: audit events name them by e-mail, services authorize them
    by the grant (or customer account) they hold.
    """

    def __init__(self, organization: Organization, *, name: str, email: str, user: Any = None) -> None:
        super().__init__(organization=organization, role=VISITOR_ROLE, user=user)
        object.__setattr__(self, "visitor_name", name)
        object.__setattr__(self, "visitor_email", email)

    @property
    def label(self) -> str:
        return f"Visitor {self.visitor_name} <{self.visitor_email}>"  # type: ignore[attr-defined]

    @property
    def is_member(self) -> bool:
        return False


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def _base_url() -> str:
    return str(settings.TRUSTROOM_BASE_URL).rstrip("/")


def _send_on_commit(*, subject: str, template: str, context: dict[str, Any], to: list[str]) -> None:
    """Mail once the transaction commits: nothing is sent for a change that was rolled back."""
    body = render_to_string(template, context)
    recipients = [address for address in to if address]
    if recipients:
        transaction.on_commit(lambda: send_mail(subject, body, None, recipients), robust=True)


def _clean_domains(values: Iterable[str], field: str) -> list[str]:
    domains: list[str] = []
    for raw in values:
        domain = raw.strip().lower().lstrip("@")
        if not domain:
            continue
        if not _DOMAIN_RE.match(domain):
            raise ValidationError({field: f"{raw.strip()!r} is not an e-mail domain (like example.com)."})
        if domain not in domains:
            domains.append(domain)
    return domains


class LinkRefused(Exception):
    """A link that does not open anything: tampered, expired, revoked or for another organization.
    Views answer 403 with a page that says which of these, in words a visitor understands."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def grant_refusal(grant: AccessGrant, now: datetime | None = None) -> str:
    """Why a grant opens nothing now: "revoked" or "access-expired" (for the 403 page)."""
    return "revoked" if grant.status(now) == "revoked" else "access-expired"
