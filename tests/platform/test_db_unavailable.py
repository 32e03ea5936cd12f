"""A lost database answers 503 with Retry-After (a page, or JSON under /api/), logged once, never 500;
and the next request after the database is back is served as usual."""

from __future__ import annotations

import logging
from unittest import mock

import psycopg
import pytest
from django.conf import settings
from django.db import InterfaceError, OperationalError, close_old_connections, connection
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import include, path

from tests.factories import OrganizationFactory, member
from trustroom.web.db_unavailable import RETRY_AFTER_SECONDS


def _lost(request: HttpRequest) -> HttpResponse:
    raise OperationalError("connection to server at 127.0.0.1, port 5432 failed: Connection refused")


def _broken(request: HttpRequest) -> HttpResponse:
    raise InterfaceError("connection already closed")


def _bug(request: HttpRequest) -> HttpResponse:
    raise ValueError("a bug, not an outage")


urlpatterns = [
    path("lost/", _lost),
    path("api/v1/lost/", _broken),
    path("bug/", _bug),
    path("", include("trustroom.urls")),
]
handler500 = "trustroom.web.views.server_error"
THIS = "tests.platform.test_db_unavailable"


def _assert_503(response: HttpResponse) -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response["Cache-Control"] == "no-store"


@override_settings(ROOT_URLCONF=THIS)
def test_a_view_losing_the_database_answers_503_with_a_page(
    db: None, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        response = Client().get("/lost/")
    _assert_503(response)
    assert response["Content-Type"].startswith("text/html")
    assert b"Temporarily unavailable" in response.content
    refused = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.name for r in refused] == ["trustroom.web.db_unavailable"]  # once, and not as an error
    assert "GET /lost/ answered 503" in refused[0].getMessage()


@override_settings(ROOT_URLCONF=THIS)
def test_the_api_answers_503_in_json(db: None) -> None:
    response = Client().post("/api/v1/lost/", data={"name": "x"})
    _assert_503(response)
    assert response.json() == {"detail": "The database is unavailable; try again shortly."}


def test_losing_the_database_in_middleware_answers_503(db: None, caplog: pytest.LogCaptureFixture) -> None:
    """Before any view runs, loading the signed-in person's session needs the database."""
    org = OrganizationFactory()
    client = Client(raise_request_exception=False)
    client.force_login(member(org, "owner"))
    outage = OperationalError("server closed the connection unexpectedly")
    with (
        mock.patch("django.contrib.sessions.backends.db.SessionStore.load", side_effect=outage),
        caplog.at_level(logging.WARNING),
    ):
        page = client.get(f"/o/{org.slug}/")
        api = client.get(f"/api/v1/orgs/{org.slug}/members/")
    _assert_503(page)
    assert b"Temporarily unavailable" in page.content
    _assert_503(api)
    assert api.json()["detail"].startswith("The database is unavailable")
    refused = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.name for r in refused] == ["trustroom.web.db_unavailable"] * 2  # no "Internal Server Error"


@override_settings(ROOT_URLCONF=THIS)
def test_other_errors_are_still_500(db: None) -> None:
    response = Client(raise_request_exception=False).get("/bug/")
    assert response.status_code == 500
    assert "Retry-After" not in response


def _served(client: Client, path: str) -> HttpResponse:
    """What the WSGI handler does around a request (Django's test client leaves it out): connections
    that failed or are too old are closed at the start and the end of each request."""
    close_old_connections()
    try:
        return client.get(path)
    finally:
        close_old_connections()


@pytest.mark.postgres
@pytest.mark.skipif(getattr(settings, "TEST_DB", "") != "postgres", reason="needs the PostgreSQL test run")
@pytest.mark.django_db(transaction=True, databases=["default", "owner"])
@pytest.mark.parametrize("health_checks", [False, True])
def test_a_connection_the_server_dropped_is_replaced(health_checks: bool) -> None:
    """A kept connection that PostgreSQL terminated (restart, failover) answers 503 once at most, then the
    next request reconnects by itself; with CONN_HEALTH_CHECKS (production) not even once."""
    saved = {key: connection.settings_dict[key] for key in ("CONN_MAX_AGE", "CONN_HEALTH_CHECKS")}
    connection.settings_dict.update(CONN_MAX_AGE=600, CONN_HEALTH_CHECKS=health_checks)
    client = Client()
    try:
        assert _served(client, "/healthz").status_code == 200
        pid = connection.connection.info.backend_pid  # the connection kept for the next request
        params = connection.get_connection_params()
        with psycopg.connect(
            host=params["host"], port=params["port"], user=params["user"], dbname=params["dbname"]
        ) as other:
            other.execute("SELECT pg_terminate_backend(%s)", [pid])
        first = _served(client, "/healthz")
        if health_checks:
            assert first.status_code == 200
        else:
            _assert_503(first)
        assert _served(client, "/healthz").status_code == 200
        assert connection.connection.info.backend_pid != pid
    finally:
        connection.close()
        connection.settings_dict.update(saved)
