"""There is one way to sign in with a password: allauth's login (rate limits, lockout, MFA).

The Django admin is not installed, so it offers no second login form; nor does the API accept a
password (no HTTP Basic, no DRF login view). These tests fail if one appears.
"""

from __future__ import annotations

import base64

import pytest
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.test import Client

from tests.factories import TEST_PASSWORD, UserFactory
from tests.security.cross_tenant import iter_routes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def test_the_django_admin_is_not_installed_or_mounted():
    assert "django.contrib.admin" not in settings.INSTALLED_APPS
    user = UserFactory(email="staff@example.test", is_staff=True, is_superuser=True)
    client = Client()
    for path in ("/admin/", "/admin/login/"):
        assert client.get(path).status_code == 404
    response = client.post("/admin/login/", {"username": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 404
    assert "_auth_user_id" not in client.session


def test_no_url_serves_a_password_login_other_than_allauths():
    login_views = (auth_views.LoginView, auth_views.PasswordChangeView, auth_views.PasswordResetConfirmView)
    from django.urls import get_resolver

    def leaves(patterns, prefix=""):
        for entry in patterns:
            if hasattr(entry, "url_patterns"):
                yield from leaves(entry.url_patterns, prefix + str(entry.pattern))
            else:
                yield prefix + str(entry.pattern), entry.callback

    offenders = []
    for pattern, callback in leaves(get_resolver().url_patterns):
        view_class = getattr(callback, "view_class", None)
        module = getattr(view_class or callback, "__module__", "")
        if view_class is not None and issubclass(view_class, login_views):
            offenders.append(pattern)
        if module.startswith(("django.contrib.admin", "rest_framework.")):  # admin site, DRF's login view
            offenders.append(pattern)
    assert offenders == []
    assert any(route.name == "account_login" for route in iter_routes())


def test_the_api_does_not_take_a_password():
    user = UserFactory(email="api-basic@example.test")
    credentials = base64.b64encode(f"{user.email}:{TEST_PASSWORD}".encode()).decode()
    response = Client().get("/api/v1/orgs/", HTTP_AUTHORIZATION=f"Basic {credentials}")
    assert response.status_code in (401, 403)
    assert Client().get("/api-auth/login/").status_code == 404
