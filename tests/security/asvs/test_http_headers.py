"""Response headers and HTTP behaviour every page and API answer shares (ASVS V3, V4, V13.4, V16.5)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from tests.factories import TEST_PASSWORD
from tests.security.asvs.urls_failing import SECRET_IN_THE_EXCEPTION

pytestmark = pytest.mark.django_db


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def sample_responses(owner_a: Any, org_a: Any) -> dict[str, Any]:
    """A public page, a sign-in form, an organization page, an API answer and a 404 of each kind."""
    anonymous, member = Client(), signed_in(owner_a)
    return {
        "sign-in page": anonymous.get("/accounts/login/"),
        "organization page": member.get(f"/o/{org_a.slug}/"),
        "api answer": member.get("/api/v1/"),
        "page 404": member.get("/no-such-page/"),
        "api 404": member.get("/api/v1/no-such-endpoint/"),
        "api 401": anonymous.get(f"/api/v1/orgs/{org_a.slug}/profile/"),
    }


def test_every_response_says_nosniff_same_origin_referrer_and_no_framing(owner_a: Any, org_a: Any) -> None:
    for name, response in sample_responses(owner_a, org_a).items():
        assert response["X-Content-Type-Options"] == "nosniff", name
        assert response["Referrer-Policy"] == "same-origin", name
        assert response["X-Frame-Options"] == "DENY", name
        assert response["Cross-Origin-Opener-Policy"] == "same-origin", name


def test_every_body_has_a_content_type_with_its_charset(owner_a: Any, org_a: Any) -> None:
    for name, response in sample_responses(owner_a, org_a).items():
        content_type = response["Content-Type"].lower()
        if response.content.lstrip().startswith((b"{", b"[")):
            # JSON is UTF-8 by definition (RFC 8259): application/json has no charset parameter.
            assert content_type.startswith("application/json"), (name, content_type)
            response.content.decode("utf-8")
        else:
            assert content_type == "text/html; charset=utf-8", (name, content_type)


def test_no_cross_origin_access_is_granted(owner_a: Any, org_a: Any) -> None:
    member = signed_in(owner_a)
    for path in ("/api/v1/", f"/o/{org_a.slug}/"):
        response = member.get(path, HTTP_ORIGIN="https://evil.example")
        assert "Access-Control-Allow-Origin" not in response
        assert "Access-Control-Allow-Credentials" not in response
        preflight = member.options(
            path, HTTP_ORIGIN="https://evil.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD="DELETE"
        )
        assert "Access-Control-Allow-Origin" not in preflight


def test_session_writes_without_the_csrf_token_are_refused_on_pages_and_the_api(
    owner_a: Any, org_a: Any
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner_a)
    cross_site_form = client.post(
        f"/o/{org_a.slug}/settings/", {"name": "Hijacked"}, HTTP_ORIGIN="https://evil.example"
    )
    api_write = client.patch(
        f"/api/v1/orgs/{org_a.slug}/profile/", {"name": "Hijacked"}, content_type="application/json"
    )
    assert cross_site_form.status_code == api_write.status_code == 403
    org_a.refresh_from_db()
    assert org_a.name != "Hijacked"


def test_sign_out_is_a_post_a_get_does_not_end_the_session(owner_a: Any) -> None:
    client = Client()
    client.post("/accounts/login/", {"login": owner_a.email, "password": TEST_PASSWORD})
    client.get("/accounts/logout/")
    assert client.get("/").status_code == 302 and "_auth_user_id" in client.session
    client.post("/accounts/logout/")
    assert "_auth_user_id" not in client.session


def test_trace_is_not_supported(owner_a: Any, org_a: Any) -> None:
    member = signed_in(owner_a)
    for client, path in (
        (Client(), "/accounts/login/"),
        (Client(), f"/trust/{org_a.slug}/"),
        (member, f"/o/{org_a.slug}/"),
        (member, "/api/v1/"),
    ):
        response = client.generic("TRACE", path, HTTP_X_PROBE="echo-me")
        # Never served: refused (405), unknown (404) or sent elsewhere, and the request is not echoed.
        assert response.status_code in {302, 404, 405}, (path, response.status_code)
        assert b"echo-me" not in response.content


def test_source_control_metadata_and_directories_are_not_served(owner_a: Any) -> None:
    member = signed_in(owner_a)
    for path in ("/.git/config", "/.git/HEAD", "/static/", "/media/", "/.env", "/src/trustroom/"):
        assert member.get(path).status_code == 404, path


def test_sign_in_never_redirects_to_another_site(org_a: Any, owner_a: Any) -> None:
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example/", "javascript:alert(1)"):
        client = Client()
        response = client.post(
            f"/accounts/login/?next={target}", {"login": owner_a.email, "password": TEST_PASSWORD}
        )
        assert response.status_code == 302, target
        assert response["Location"].startswith("/") and not response["Location"].startswith("//"), target
        assert "evil" not in response["Location"] and "javascript" not in response["Location"], target


def test_pages_load_no_third_party_scripts_styles_or_trackers(owner_a: Any, org_a: Any) -> None:
    for name, response in sample_responses(owner_a, org_a).items():
        html = response.content.decode()
        for pattern in (
            r"<script[^>]+src=\"(?:https?:)?//",
            r"<link[^>]+href=\"(?:https?:)?//",
            r"<img[^>]+src=\"(?:https?:)?//",
        ):
            assert not re.search(pattern, html), (name, pattern)


@pytest.mark.urls("tests.security.asvs.urls_failing")
def test_an_unexpected_error_answers_a_generic_message_without_internals(
    owner_a: Any, caplog: pytest.LogCaptureFixture
) -> None:
    member = Client(raise_request_exception=False)
    member.force_login(owner_a)
    page = member.get("/_asvs/fail/")
    api = member.get("/api/_asvs/fail/")
    assert page.status_code == api.status_code == 500
    assert api.json() == {"detail": "Server error."}
    for response in (page, api):
        body = response.content.decode()
        assert SECRET_IN_THE_EXCEPTION not in body
        assert "Traceback" not in body and "RuntimeError" not in body
    # ...while the operator's log keeps the error with its traceback.
    errors = [
        record for record in caplog.records if record.name == "django.request" and record.levelname == "ERROR"
    ]
    assert len(errors) == 2 and all(record.exc_info for record in errors)
