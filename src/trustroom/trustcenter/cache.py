"""The rendered public trust center, cached per organization.

Every write that changes what the public pages show calls `invalidate_trust_center(organization_id)`
(the compliance and trust center services do, on commit). Correctness never rests on that alone:

- Keys: `trustcenter:page:<org id>:<org fingerprint>:<version>:<page>:<UTC date>`.
  The version is a random token per organization, replaced on every invalidation, so a page rendered
  before a change is never found again; a missing version (evicted, Redis restarted) gets a new random
  token, never a counter that could start over at a number whose pages are still stored.
  The fingerprint covers what the pages show of the organization itself (name, website, slug: changed
  by the tenancy app, which does not call us) and its id and creation time.
- Time: a certificate's state changes when a date passes (valid → expiring soon → expired). Those
  dates are calendar dates in UTC, so the current UTC date is part of the key: from midnight UTC every
  page is rendered afresh, and an expired certificate is never served as valid from the cache. An entry
  also never outlives the UTC day it was rendered on, nor `TRUSTROOM_TRUST_CENTER_CACHE_SECONDS`.
- Order: the version is read *before* the page is rendered, so a change committed while a page renders
  stores that (stale) page under the old version, which nobody reads any more.
- Only pages with nothing of the visitor in them are stored (the views render them without the
  request: no CSRF token, no session, no account menu), and only for anonymous visitors.

The embedded default cache (locmem) is per process: with several worker processes an invalidation
reaches only the process that made the change, and the others may serve a page up to
`TRUSTROOM_TRUST_CENTER_CACHE_SECONDS` (default 300) old, never across a UTC date change. Set REDIS_URL
when running several processes.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

if TYPE_CHECKING:
    from trustroom.tenancy.models import Organization

KEY_PREFIX = "trustcenter"
DEFAULT_MAX_SECONDS = 300


@dataclass(frozen=True)
class CachedPage:
    body: bytes
    etag: str
    # When what the page shows changes by itself (a bound control's evidence expires): never kept past it.
    keep_until: datetime | None = None


def utc_now() -> datetime:
    return datetime.now(UTC)


def _version_key(organization_id: int) -> str:
    return f"{KEY_PREFIX}:version:{organization_id}"


def _organization_fingerprint(organization: Organization) -> str:
    """What the pages show of the organization itself (changed by the tenancy app, which does not
    invalidate this cache), plus its creation time, which tells apart two organizations that got the
    same id (a database restored or recreated while the cache kept running)."""
    born = organization.created_at.isoformat() if organization.created_at else ""
    shown = (str(organization.pk), born, organization.slug, organization.name, organization.website)
    return hashlib.sha256("\x1f".join(shown).encode()).hexdigest()[:16]


def organization_fingerprint(organization: Organization) -> str:
    return _organization_fingerprint(organization)


def page_key(organization_id: int, fingerprint: str, version: str, page: str, day: date) -> str:
    """The key of one page (also used by the WSGI fast path, which knows the organization only by
    the id and fingerprint it remembered for a slug)."""
    return f"{KEY_PREFIX}:page:{organization_id}:{fingerprint}:{version}:{page}:{day.isoformat()}"


def _page_key(organization: Organization, version: str, page: str, day: date) -> str:
    return page_key(organization.pk, _organization_fingerprint(organization), version, page, day)


def etag_for(body: bytes) -> str:
    """A strong ETag: the digest of the exact bytes sent."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def current_version(organization_id: int) -> str:
    key = _version_key(organization_id)
    version = cache.get(key)
    if version is None:
        cache.add(key, secrets.token_hex(8), timeout=None)
        version = cache.get(key)
    return str(version)


def version_key(organization_id: int) -> str:
    return _version_key(organization_id)


def _bump(organization_id: int) -> None:
    cache.set(_version_key(organization_id), secrets.token_hex(8), timeout=None)


def invalidate_trust_center(organization_id: int) -> None:
    """Drop the cached trust center pages of one organization. Safe to call inside a transaction.

    Inside a transaction the version is replaced now (so this request cannot keep reading a page of
    before the change) and again after commit (so a page rendered by another request from the data of
    before the commit is not kept either).
    """
    _bump(organization_id)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: _bump(organization_id))


def max_age_seconds() -> int:
    return int(getattr(settings, "TRUSTROOM_TRUST_CENTER_CACHE_SECONDS", DEFAULT_MAX_SECONDS))


def _seconds_left_today(now: datetime) -> int:
    midnight = datetime.combine(now.date() + timedelta(days=1), time.min, tzinfo=UTC)
    return max(1, int((midnight - now).total_seconds()))


@dataclass
class PageSlot:
    """Where one page of one organization is stored for the current UTC day (fix it before rendering)."""

    key: str
    now: datetime
    keep_until: datetime | None = None  # set from the page found or stored (see CachedPage)

    def get(self) -> CachedPage | None:
        entry = cache.get(self.key)
        if not isinstance(entry, CachedPage):
            return None
        self.keep_until = entry.keep_until
        return entry

    def seconds_to_keep(self) -> int:
        """An entry never outlives the UTC day it was rendered on, nor the configured maximum, nor the
        moment its content changes by itself (0: do not keep it)."""
        seconds = min(max_age_seconds(), _seconds_left_today(self.now))
        if self.keep_until is not None:
            seconds = min(seconds, int((self.keep_until - self.now).total_seconds()))
        return max(0, seconds)

    def put(self, body: bytes, *, keep_until: datetime | None = None) -> CachedPage:
        self.keep_until = keep_until
        page = CachedPage(body=body, etag=etag_for(body), keep_until=keep_until)
        timeout = self.seconds_to_keep()
        if timeout > 0:
            cache.set(self.key, page, timeout=timeout)
        return page


def page_slot(organization: Organization, page: str, *, now: datetime | None = None) -> PageSlot:
    now = now or utc_now()
    version = current_version(organization.pk)
    return PageSlot(key=_page_key(organization, version, page, now.astimezone(UTC).date()), now=now)


# Records the trust center derives claims from, by audit action prefix (see program_claims.py).
# Controls, their evidence and check runs back claims through their bindings (see controls/posture.py).
CLAIM_SOURCES = (
    "access.",
    "dr_plan.",
    "failover_drill.",
    "bcp_exercise.",
    "action_item.",
    "control.",
    "evidence.",
    "check.",
    "claim_binding.",
)


def invalidate_after_commit(organization_id: int, action: str = "") -> None:
    """Clear the organization's cached pages once the change is committed (not if it is rolled back)."""
    from django.db import transaction

    transaction.on_commit(lambda: invalidate_trust_center(organization_id), robust=True)
