"""A WSGI fast path for the cached public trust center pages (applied in `trustroom/wsgi.py`).

Anonymous GETs of `/trust/<slug>/`, `/trust/<slug>/compliance/`, `/trust/<slug>/certifications/` and
`/trust/<slug>/faq/` are most of the public traffic, and once a page is cached (`trustcenter/cache.py`)
Django's middleware and view only repeat the same answer. This wrapper answers those requests before
Django, with the very status, headers and body Django sent the first time; anything it is not sure
about goes to Django untouched (fail closed to the normal path).

It answers only when ALL of these hold, otherwise Django handles the request:
- the method is GET or HEAD, there is no query string, and the path resolves (through the URLconf) to
  one of the public page views, `TrustCenterPageView` subclasses;
- no session cookie and no CSRF cookie (a signed-in visitor gets the page rendered for them);
- no If-Match / If-Unmodified-Since / If-Modified-Since (Django answers those); If-None-Match is
  answered here exactly as `django.utils.cache.get_conditional_response` does (304, no body);
- the Host is valid per ALLOWED_HOSTS, checked as `HttpRequest.get_host()` does (X-Forwarded-Host
  when USE_X_FORWARDED_HOST, port stripped, the DEBUG defaults); else Django answers 400;
- SecurityMiddleware would not redirect to HTTPS (SECURE_SSL_REDIRECT with a request that is not
  secure, SECURE_PROXY_SSL_HEADER honoured), and PREPEND_WWW / DISALLOWED_USER_AGENTS are unset;
- the cache holds a pointer slug → (organization id, fingerprint), and the version of that
  organization's pages, and the replay entry of that page for the CURRENT version, UTC date and
  scheme (http/https: SecurityMiddleware sends HSTS only on secure requests).

Entries are written here, after Django answered a request that met every condition above except the
cache: only when the view marked the response as the shared anonymous page (a published organization,
rendered without the request), status 200, no Set-Cookie, nothing in Vary but Cookie. The headers kept
are those Django handed to the server, i.e. after every middleware (HSTS, X-Frame-Options, nosniff,
Referrer-Policy, COOP, Content-Type, Content-Length, Cache-Control, ETag …); the 304 carries the same
headers Django's 304 carries (no Content-Type, Content-Length 0).

Invalidation: the replay entry sits under the page's own key (version + UTC date + organization
fingerprint), so every `invalidate_trust_center` (unpublishing, an item made private, a certification
changed) and every UTC midnight takes effect at once; a missing version means "nothing is current".
The pointer lives `TRUSTROOM_TRUST_CENTER_POINTER_SECONDS` (default 30 s) and is refreshed only by a
normal render of a published page. Caveat: the tenancy app does not invalidate this cache, so after an
organization changes its slug, name or website, or is deleted, the page as it was (old name, and under
the old slug) can still be served for up to that many seconds. Each process also keeps its own copy of
the entries it wrote (same key, same expiry), so a replay reads only the pointer and the version from
the shared cache. With the embedded per-process cache (no REDIS_URL) the fast path inherits the page
cache's limit: an invalidation reaches only the process that made the change (see cache.py).
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache, caches
from django.core.handlers.wsgi import get_path_info
from django.http.request import split_domain_port, validate_host
from django.urls import Resolver404, resolve
from django.utils.http import parse_etags

from trustroom.trustcenter import cache as page_cache

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

    from trustroom.tenancy.models import Organization

logger = logging.getLogger(__name__)

DEFAULT_POINTER_SECONDS = 30
MARK_ATTRIBUTE = "trustroom_shared_page"
NOT_MODIFIED = "304 Not Modified"
# Request headers whose answer Django works out itself (412, or If-Modified-Since rules).
DEFER_HEADERS = ("HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE", "HTTP_IF_MODIFIED_SINCE")

Headers = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class SharedPage:
    """Set by the page view on the response it served to an anonymous visitor from the shared cache."""

    organization_id: int
    fingerprint: str
    slot: page_cache.PageSlot


@dataclass(frozen=True)
class Pointer:
    organization_id: int
    fingerprint: str


@dataclass(frozen=True)
class Replay:
    status: str
    headers: Headers
    not_modified_headers: Headers
    body: bytes
    etag: str


def mark_shared_page(response: Any, organization: Organization, slot: page_cache.PageSlot) -> None:
    """The view's side: this response is the shared anonymous page kept in `slot`."""
    mark = SharedPage(
        organization_id=organization.pk,
        fingerprint=page_cache.organization_fingerprint(organization),
        slot=slot,
    )
    setattr(response, MARK_ATTRIBUTE, mark)


def pointer_seconds() -> int:
    return int(getattr(settings, "TRUSTROOM_TRUST_CENTER_POINTER_SECONDS", DEFAULT_POINTER_SECONDS))


def _pointer_key(slug: str) -> str:
    return f"{page_cache.KEY_PREFIX}:slug:{slug}"


def _replay_key(page_key: str, scheme: str) -> str:
    return f"{page_key}:wsgi:{scheme}"


@functools.lru_cache(maxsize=2048)
def public_page(path: str) -> tuple[str, str] | None:
    """(slug, tab) when `path` resolves to one of the public trust center page views, else None."""
    from trustroom.trustcenter.public_views import ORG_URL_KWARG, TrustCenterPageView

    try:
        match = resolve(path)
    except Resolver404:
        return None
    view_class = getattr(match.func, "view_class", None)
    if not (isinstance(view_class, type) and issubclass(view_class, TrustCenterPageView)):
        return None
    slug = match.kwargs.get(ORG_URL_KWARG)
    if not isinstance(slug, str) or match.args or set(match.kwargs) != {ORG_URL_KWARG}:
        return None
    return slug, view_class.tab


# --- The same decisions as Django's request, without building one ------------------------------------


def _settings() -> Any:
    """The settings object itself: plain attribute reads (LazySettings' proxying costs several
    microseconds per read on this path); it is the one override_settings swaps in, so always current."""
    return settings._wrapped if settings.configured else settings  # type: ignore[misc]


def request_scheme(environ: WSGIEnvironment, conf: Any = settings) -> str:
    """`HttpRequest.scheme`."""
    if conf.SECURE_PROXY_SSL_HEADER:
        header, secure_value = conf.SECURE_PROXY_SSL_HEADER
        value = environ.get(header)
        if value is not None:
            value, *_ = value.split(",", 1)
            return "https" if value.strip() == secure_value else "http"
    return str(environ.get("wsgi.url_scheme", "http"))


def _raw_host(environ: WSGIEnvironment, scheme: str, conf: Any) -> str:
    """`HttpRequest._get_raw_host()`."""
    if conf.USE_X_FORWARDED_HOST and "HTTP_X_FORWARDED_HOST" in environ:
        return str(environ["HTTP_X_FORWARDED_HOST"])
    if "HTTP_HOST" in environ:
        return str(environ["HTTP_HOST"])
    host = str(environ["SERVER_NAME"])
    if conf.USE_X_FORWARDED_PORT and "HTTP_X_FORWARDED_PORT" in environ:
        port = str(environ["HTTP_X_FORWARDED_PORT"])
    else:
        port = str(environ["SERVER_PORT"])
    if port != ("443" if scheme == "https" else "80"):
        host = f"{host}:{port}"
    return host


def host_is_allowed(environ: WSGIEnvironment, scheme: str, conf: Any = settings) -> bool:
    """What `HttpRequest.get_host()` accepts (it raises DisallowedHost otherwise)."""
    allowed_hosts = conf.ALLOWED_HOSTS
    if conf.DEBUG and not allowed_hosts:
        allowed_hosts = [".localhost", "127.0.0.1", "[::1]"]
    domain, _port = split_domain_port(_raw_host(environ, scheme, conf))
    return bool(domain) and validate_host(domain, allowed_hosts)


def _has_visitor_cookie(environ: WSGIEnvironment, conf: Any) -> bool:
    cookie = environ.get("HTTP_COOKIE")
    if not cookie:
        return False
    return (
        conf.SESSION_COOKIE_NAME in cookie or conf.CSRF_COOKIE_NAME in cookie
    )  # a substring is enough to send it to Django


def _none_match(environ: WSGIEnvironment, etag: str) -> bool:
    """True when Django's `get_conditional_response` would answer 304 (If-None-Match, weak compare)."""
    etags = parse_etags(environ.get("HTTP_IF_NONE_MATCH", ""))
    if not etags:
        return False
    if etags == ["*"]:
        return True
    return etag.strip("W/") in (tag.strip("W/") for tag in etags)


def _candidate(environ: WSGIEnvironment) -> tuple[str, str, str] | None:
    """(slug, tab, scheme) when the request may be answered from a replay entry."""
    if environ.get("REQUEST_METHOD") not in ("GET", "HEAD") or environ.get("QUERY_STRING"):
        return None
    conf = _settings()
    if not getattr(conf, "TRUSTROOM_TRUST_CENTER_FAST_PATH", True):
        return None
    page = public_page(get_path_info(environ))
    if page is None or _has_visitor_cookie(environ, conf):
        return None
    if any(header in environ for header in DEFER_HEADERS):
        return None
    if conf.PREPEND_WWW or conf.DISALLOWED_USER_AGENTS:
        return None
    scheme = request_scheme(environ, conf)
    if conf.SECURE_SSL_REDIRECT and scheme != "https":
        return None
    if not host_is_allowed(environ, scheme, conf):
        return None
    return page[0], page[1], scheme


class _KeptHere:
    """The replay entries this process stored, with the same expiry as in the shared cache, so that a
    replay costs two small cache reads (pointer, version) rather than three and a copy of the page.
    An entry is found only under its full key (version, UTC date, scheme): invalidation is unchanged."""

    limit = 256

    def __init__(self) -> None:
        self._entries: dict[str, tuple[Replay, float]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> Replay | None:
        kept = self._entries.get(key)
        if kept is None:
            return None
        if kept[1] <= time.monotonic():
            self._entries.pop(key, None)
            return None
        return kept[0]

    def put(self, key: str, replay: Replay, timeout: int) -> None:
        with self._lock:
            now = time.monotonic()
            if len(self._entries) >= self.limit:
                self._entries = {k: v for k, v in self._entries.items() if v[1] > now}
                if len(self._entries) >= self.limit:
                    self._entries.clear()
            self._entries[key] = (replay, now + timeout)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


kept_here = _KeptHere()


def _current_replay(slug: str, tab: str, scheme: str) -> Replay | None:
    shared = caches["default"]
    pointer = shared.get(_pointer_key(slug))
    if not isinstance(pointer, Pointer):
        return None
    version = shared.get(page_cache.version_key(pointer.organization_id))
    if version is None:  # nothing stored is current
        return None
    day = page_cache.utc_now().date()
    key = _replay_key(
        page_cache.page_key(pointer.organization_id, pointer.fingerprint, str(version), tab, day), scheme
    )
    replay = kept_here.get(key)
    if replay is None:
        replay = shared.get(key)
    return replay if isinstance(replay, Replay) else None


# --- Keeping what Django answered ------------------------------------------------------------------------


def _header_names(headers: Iterable[tuple[str, str]]) -> set[str]:
    return {name.lower() for name, _value in headers}


def _vary_is_cookie_only(headers: Iterable[tuple[str, str]]) -> bool:
    for name, value in headers:
        if name.lower() == "vary":
            fields = {field.strip().lower() for field in value.split(",") if field.strip()}
            if not fields <= {"cookie"}:
                return False
    return True


def _not_modified_headers(headers: Headers) -> Headers:
    """The headers Django's 304 for this page carries: those of the 200 without Content-Type, with
    Content-Length 0 (CommonMiddleware), in the same order."""
    kept: list[tuple[str, str]] = []
    for name, value in headers:
        lowered = name.lower()
        if lowered == "content-type":
            continue
        kept.append((name, "0") if lowered == "content-length" else (name, value))
    return tuple(kept)


def _keep(slug: str, scheme: str, status: str, headers: Headers, response: Any) -> None:
    mark = getattr(response, MARK_ATTRIBUTE, None)
    if not isinstance(mark, SharedPage) or not status.startswith("200 "):
        return
    if getattr(response, "streaming", True) or "set-cookie" in _header_names(headers):
        return
    if not _vary_is_cookie_only(headers):
        return
    body = bytes(response.content)
    etag = {name.lower(): value for name, value in headers}.get("etag")
    if etag is None or etag != page_cache.etag_for(body):
        return
    timeout = mark.slot.seconds_to_keep()
    if timeout <= 0:
        return
    replay = Replay(
        status=status,
        headers=headers,
        not_modified_headers=_not_modified_headers(headers),
        body=body,
        etag=etag,
    )
    key = _replay_key(mark.slot.key, scheme)
    cache.set(key, replay, timeout=timeout)
    kept_here.put(key, replay, timeout)
    pointer = Pointer(organization_id=mark.organization_id, fingerprint=mark.fingerprint)
    cache.set(_pointer_key(slug), pointer, timeout=min(pointer_seconds(), timeout))


class TrustCenterFastPath:
    """WSGI middleware around Django's application; see the module docstring."""

    def __init__(self, application: WSGIApplication) -> None:
        self.application = application

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        try:
            candidate = _candidate(environ)
            replay = _current_replay(*candidate) if candidate is not None else None
        except Exception:  # a cache outage or a bad header: Django decides
            logger.warning("trust center fast path skipped", exc_info=True)
            candidate = replay = None
        if replay is not None:
            if _none_match(environ, replay.etag):
                start_response(NOT_MODIFIED, list(replay.not_modified_headers))
                return []
            start_response(replay.status, list(replay.headers))
            return [] if environ.get("REQUEST_METHOD") == "HEAD" else [replay.body]
        if candidate is None:
            return self.application(environ, start_response)
        return self._through_django(environ, start_response, candidate)

    def _through_django(
        self, environ: WSGIEnvironment, start_response: StartResponse, candidate: tuple[str, str, str]
    ) -> Iterable[bytes]:
        answered: list[tuple[str, Headers]] = []

        def capture(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Callable[[bytes], object]:
            answered.append((status, tuple(headers)))
            return start_response(status, headers, exc_info)

        response = self.application(environ, capture)
        if answered:
            slug, _tab, scheme = candidate
            try:
                _keep(slug, scheme, answered[-1][0], answered[-1][1], response)
            except Exception:
                logger.warning("trust center fast path could not keep a page", exc_info=True)
        return response
