"""The WSGI fast path of the public trust center (trustcenter/fastpath.py), driven through the real
WSGI application (`trustroom.wsgi.application`) with WSGI environ dicts: Django's test client would not
go through it. Django's own handler is wrapped only to count the requests that reach it."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from tests.factories import principal_for
from tests.trustcenter.public_data import make_certification, publish, today_utc
from trustroom.compliance.models import Visibility
from trustroom.compliance.services import update_certification
from trustroom.tenancy.scope import org_scope
from trustroom.trustcenter.fastpath import TrustCenterFastPath
from trustroom.trustcenter.services import update_settings
from trustroom.wsgi import application

pytestmark = pytest.mark.django_db

OVERVIEW = "/trust/alpha-co/"
CERTIFICATIONS = "/trust/alpha-co/certifications/"
SECURITY_HEADERS = (
    "X-Frame-Options",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
)


@dataclass
class Answer:
    status: str
    headers: list[tuple[str, str]]
    body: bytes

    @property
    def code(self) -> int:
        return int(self.status.split()[0])

    def header(self, name: str) -> str | None:
        return next((value for key, value in self.headers if key.lower() == name.lower()), None)


class CountingDjango:
    """Django's WSGI handler, counting the requests that reach it."""

    def __init__(self, handler: Callable[..., Any]) -> None:
        self.handler = handler
        self.calls = 0

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        self.calls += 1
        return self.handler(environ, start_response)


def environ(path: str, method: str = "GET", *, query: str = "", **headers: str) -> dict[str, Any]:
    env: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "testserver",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    env.update(headers)
    return env


def call(app: Callable[..., Any], env: dict[str, Any]) -> Answer:
    answered: list[tuple[str, list[tuple[str, str]]]] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        answered.append((status, list(headers)))
        return lambda data: None

    result = app(env, start_response)
    try:
        body = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    status, headers = answered[-1]
    return Answer(status=status, headers=headers, body=body)


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    from django.core.cache import cache

    from trustroom.trustcenter.fastpath import kept_here

    cache.clear()
    kept_here.clear()


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Iterator[None]:
    """As Django's test client does: the handler's signals must not close the test's connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def django_app() -> CountingDjango:
    assert isinstance(application, TrustCenterFastPath)
    return CountingDjango(application.application)


@pytest.fixture
def app(django_app: CountingDjango) -> TrustCenterFastPath:
    return TrustCenterFastPath(django_app)


@pytest.fixture
def actor(org_a: Any, owner_a: Any) -> Any:
    principal = principal_for(owner_a, org_a)
    with org_scope(org_a):
        publish(principal)
        make_certification(principal, title="ISO 27001", valid_until=today_utc() + dt.timedelta(days=300))
    return principal


def fresh_application() -> tuple[CountingDjango, TrustCenterFastPath]:
    from django.core.handlers.wsgi import WSGIHandler

    django_app = CountingDjango(WSGIHandler())
    return django_app, TrustCenterFastPath(django_app)


def warm(app: TrustCenterFastPath, django_app: CountingDjango, path: str = CERTIFICATIONS) -> Answer:
    first = call(app, environ(path))
    assert first.code == 200
    assert django_app.calls == 1
    return first


def test_the_wsgi_application_is_django_behind_the_fast_path() -> None:
    from django.core.handlers.wsgi import WSGIHandler

    assert isinstance(application, TrustCenterFastPath)
    assert isinstance(application.application, WSGIHandler)


def test_a_cached_page_is_replayed_without_django_and_without_queries(
    app: TrustCenterFastPath, django_app: CountingDjango, actor: Any
) -> None:
    first = warm(app, django_app)
    assert b"ISO 27001" in first.body
    with CaptureQueriesContext(connection) as queries:
        again = call(app, environ(CERTIFICATIONS))
    assert django_app.calls == 1
    assert len(queries.captured_queries) == 0
    assert (again.status, again.headers, again.body) == (first.status, first.headers, first.body)


@pytest.mark.parametrize("path", [OVERVIEW, "/trust/alpha-co/compliance/", CERTIFICATIONS])
def test_replayed_headers_are_exactly_djangos(
    app: TrustCenterFastPath, django_app: CountingDjango, actor: Any, path: str
) -> None:
    warm(app, django_app, path)
    fast = call(app, environ(path))
    normal = call(application.application, environ(path))  # Django alone, same request
    assert django_app.calls == 1
    assert fast.status == normal.status == "200 OK"
    assert fast.headers == normal.headers
    assert fast.body == normal.body
    for name in SECURITY_HEADERS:
        assert fast.header(name), name
    assert fast.header("Cache-Control") == "public, no-cache"
    assert fast.header("Content-Type") == "text/html; charset=utf-8"
    assert fast.header("Content-Length") == str(len(fast.body))


def test_if_none_match_answers_djangos_304_and_head_has_no_body(
    app: TrustCenterFastPath, django_app: CountingDjango, actor: Any
) -> None:
    first = warm(app, django_app)
    etag = first.header("ETag")
    assert etag
    fast = call(app, environ(CERTIFICATIONS, HTTP_IF_NONE_MATCH=etag))
    normal = call(application.application, environ(CERTIFICATIONS, HTTP_IF_NONE_MATCH=etag))
    assert fast.code == normal.code == 304
    assert fast.body == b""
    assert fast.headers == normal.headers
    assert call(app, environ(CERTIFICATIONS, HTTP_IF_NONE_MATCH='"other"')).body == first.body
    head = call(app, environ(CERTIFICATIONS, "HEAD"))
    assert head.code == 200
    assert head.body == b""
    assert head.headers == first.headers
    assert django_app.calls == 1


def test_a_host_not_allowed_gets_djangos_400(
    app: TrustCenterFastPath, django_app: CountingDjango, actor: Any
) -> None:
    warm(app, django_app)
    for host in ("evil.example", "evil.example:80", "testserver.evil.example"):
        answer = call(app, environ(CERTIFICATIONS, HTTP_HOST=host))
        assert answer.code == 400, host
        assert b"ISO 27001" not in answer.body
    assert django_app.calls == 4
    # The port is stripped as Django does: an allowed host on another port is served.
    assert call(app, environ(CERTIFICATIONS, HTTP_HOST="testserver:8443")).code == 200
    assert django_app.calls == 4


def test_a_visitor_with_a_session_cookie_gets_the_normal_path(
    app: TrustCenterFastPath, django_app: CountingDjango, actor: Any, owner_a: Any
) -> None:
    from django.test import Client

    warm(app, django_app)
    signed_in = Client()
    signed_in.force_login(owner_a)
    session = signed_in.cookies["sessionid"].value
    answer = call(app, environ(CERTIFICATIONS, HTTP_COOKIE=f"theme=dark; sessionid={session}"))
    assert django_app.calls == 2
    assert answer.header("Cache-Control") == "private, no-cache"  # rendered for the signed-in visitor
    call(app, environ(CERTIFICATIONS, HTTP_COOKIE="csrftoken=abc"))
    assert django_app.calls == 3
    call(app, environ(CERTIFICATIONS, HTTP_COOKIE="theme=dark"))  # other cookies do not matter
    assert django_app.calls == 3


def test_methods_query_strings_and_other_paths_go_to_django(
    app: TrustCenterFastPath, django_app: CountingDjango, actor: Any
) -> None:
    warm(app, django_app)
    post = call(app, environ(CERTIFICATIONS, "POST"))
    assert post.code == 403  # Django's CSRF check comes first (then 405 for a valid token)
    assert b"ISO 27001" not in post.body
    assert call(app, environ(CERTIFICATIONS, query="utm=x")).code == 200
    assert call(app, environ("/trust/alpha-co/request-access/")).code == 200
    assert (
        call(app, environ(CERTIFICATIONS, HTTP_IF_MODIFIED_SINCE="Mon, 01 Jan 2024 00:00:00 GMT")).code == 200
    )
    assert django_app.calls == 5


def test_unknown_and_unpublished_slugs_are_never_replayed(
    app: TrustCenterFastPath, django_app: CountingDjango, actor: Any, org_b: Any
) -> None:
    assert call(app, environ("/trust/no-such-co/")).code == 404
    assert call(app, environ("/trust/no-such-co/")).code == 404
    assert call(app, environ(f"/trust/{org_b.slug}/")).code == 404  # never published
    assert call(app, environ(f"/trust/{org_b.slug}/")).code == 404
    assert django_app.calls == 4


def test_unpublishing_takes_effect_at_once(
    app: TrustCenterFastPath, django_app: CountingDjango, actor: Any, org_a: Any
) -> None:
    warm(app, django_app)
    with org_scope(org_a):
        update_settings(actor=actor, published=False)
    assert call(app, environ(CERTIFICATIONS)).code == 404
    assert call(app, environ(CERTIFICATIONS)).code == 404
    assert django_app.calls == 3


def test_an_item_made_private_or_changed_disappears_at_once(
    app: TrustCenterFastPath,
    django_app: CountingDjango,
    actor: Any,
    org_a: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with org_scope(org_a):
        cert = make_certification(
            actor, title="SOC 2 Type II", valid_until=today_utc() + dt.timedelta(days=90)
        )
    assert b"SOC 2 Type II" in warm(app, django_app).body
    assert b"SOC 2 Type II" in call(app, environ(CERTIFICATIONS)).body
    with django_capture_on_commit_callbacks(execute=True), org_scope(org_a):
        cert = update_certification(actor=actor, certification=cert, title="SOC 2 Type II (2031)")
    assert b"SOC 2 Type II (2031)" in call(app, environ(CERTIFICATIONS)).body
    with django_capture_on_commit_callbacks(execute=True), org_scope(org_a):
        update_certification(actor=actor, certification=cert, visibility=Visibility.PRIVATE)
    fresh = call(app, environ(CERTIFICATIONS))
    assert b"SOC 2 Type II" not in fresh.body
    assert b"SOC 2 Type II" not in call(app, environ(CERTIFICATIONS)).body  # replayed, still fresh
    assert django_app.calls == 3


def test_utc_midnight_renders_afresh(
    app: TrustCenterFastPath, django_app: CountingDjango, org_a: Any, owner_a: Any
) -> None:
    """Warmed 10 s before midnight, asked 5 s after: the pointer is still alive, the date is not."""
    principal = principal_for(owner_a, org_a)
    with time_machine.travel(dt.datetime(2031, 3, 31, 23, 59, 50, tzinfo=dt.UTC), tick=False):
        with org_scope(org_a):
            publish(principal)
            make_certification(
                principal, title="ISO 27001", valid_until=dt.date(2031, 3, 31), valid_from=dt.date(2028, 4, 1)
            )
        warm_page = warm(app, django_app).body.decode()
        assert "Expired" not in warm_page
        assert call(app, environ(CERTIFICATIONS)).body.decode() == warm_page
        assert django_app.calls == 1
    with time_machine.travel(dt.datetime(2031, 4, 1, 0, 0, 5, tzinfo=dt.UTC), tick=False):
        after = call(app, environ(CERTIFICATIONS)).body.decode()
    assert "Expired on 31 March 2031" in after
    assert django_app.calls == 2


def test_hsts_is_replayed_only_to_secure_requests(actor: Any) -> None:
    with override_settings(
        SECURE_HSTS_SECONDS=3600, SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https")
    ):
        django_app, app = fresh_application()  # SecurityMiddleware reads its settings when built
        secure = {"HTTP_X_FORWARDED_PROTO": "https"}
        first = call(app, environ(CERTIFICATIONS, **secure))
        assert first.header("Strict-Transport-Security") == "max-age=3600"
        again = call(app, environ(CERTIFICATIONS, **secure))
        assert again.headers == first.headers
        assert django_app.calls == 1
        plain = call(app, environ(CERTIFICATIONS))
        assert plain.header("Strict-Transport-Security") is None
        assert django_app.calls == 2


def test_the_https_redirect_is_left_to_django(actor: Any) -> None:
    # A page kept for plain HTTP while the redirect was off (a shared cache across a configuration
    # change): once the redirect is on, plain HTTP is redirected, not replayed.
    plain_django, plain_app = fresh_application()
    assert call(plain_app, environ(CERTIFICATIONS)).code == 200
    assert call(plain_app, environ(CERTIFICATIONS)).code == 200
    assert plain_django.calls == 1
    with override_settings(
        SECURE_SSL_REDIRECT=True, SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https")
    ):
        django_app, app = fresh_application()  # SecurityMiddleware reads its settings when built
        warm_page = call(app, environ(CERTIFICATIONS, HTTP_X_FORWARDED_PROTO="https"))
        assert warm_page.code == 200
        redirect = call(app, environ(CERTIFICATIONS))
        assert redirect.code == 301
        assert redirect.header("Location") == f"https://testserver{CERTIFICATIONS}"
        redirect = call(app, environ(CERTIFICATIONS, HTTP_X_FORWARDED_PROTO="http, https"))
        assert redirect.code == 301
        assert django_app.calls == 3
        assert call(app, environ(CERTIFICATIONS, HTTP_X_FORWARDED_PROTO="https")).code == 200
        assert django_app.calls == 3


def test_a_renamed_slug_stops_being_served_once_the_pointer_expires(
    app: TrustCenterFastPath, django_app: CountingDjango, actor: Any, org_a: Any
) -> None:
    """The documented delay: the tenancy app does not invalidate; the pointer lives 30 seconds."""
    from trustroom.tenancy.models import Organization

    start = dt.datetime(2031, 5, 1, 12, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        warm(app, django_app)
        Organization.objects.filter(pk=org_a.pk).update(slug="alpha-renamed")
    with time_machine.travel(start + dt.timedelta(seconds=31), tick=False):
        assert call(app, environ(CERTIFICATIONS)).code == 404
        assert call(app, environ("/trust/alpha-renamed/certifications/")).code == 200
